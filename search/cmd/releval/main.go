// Command releval measures the relevance of nurdocs search on the real
// NixOS option set (../shared/corpus) with the judged queries in
// search/testdata/relevance.json (the old set) and the two halves of
// search/testdata/judged.json (tune and held), and, with -packages, on
// those options searched together with the real nixpkgs package set with
// the two halves of search/testdata/packages-judged.json (pkg-tune and
// pkg-held), per category, for each of the three search paths:
//
//	static  search.js ranking the static shards (run under Node)
//	cli     `nurdocs search --json` (bleve), one process per query
//	api     search.Index.Search (bleve), as the preview server calls it
//
// Usage: go run ./search/cmd/releval [-paths static,cli,api] [-packages] [-kind KIND] [-sets SETS] [-detail SETS] [-top N]
//
// -kind option measures the option sets as the site's Options filter
// searches: the packages are indexed (their descriptions speak for the
// modules that run them) but only options are ranked.
//
// The paths given after the first are also compared with it: every query
// whose top ten differs is listed.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search"
	"github.com/atproto-nur/atproto-nur/search/internal/corpus"
	"github.com/atproto-nur/atproto-nur/search/internal/jsrun"
	"github.com/atproto-nur/atproto-nur/search/internal/releval"
)

func main() {
	paths := flag.String("paths", "static,cli,api", "comma-separated search paths to measure: static, cli, api")
	detail := flag.String("detail", "", "comma-separated sets (old, tune, held) whose every query's rank and, for misses, top results are printed;\n"+
		"tune on the tune half only: leave held out of it so the held-out half stays unseen")
	packages := flag.Bool("packages", true, "search the options together with the nixpkgs package set and measure the package queries too;\n"+
		"-packages=false measures the option sets on the options alone")
	only := flag.String("sets", "", "comma-separated sets to measure (old, tune, held, pkg-tune, pkg-held); all when empty.\n"+
		"The cli path runs one process per query: measuring fewer sets saves most of its time")
	kind := flag.String("kind", "", "rank only documents of this kind (option, package or guide), as the site's filter does")
	flag.IntVar(&shownTop, "top", 3, "how many top results -detail prints for a query not answered first")
	flag.Parse()
	var sets []string
	if *only != "" {
		sets = strings.Split(*only, ",")
	}
	if err := run(strings.Split(*paths, ","), strings.Split(*detail, ","), sets, *packages, indexer.Kind(*kind)); err != nil {
		fmt.Fprintln(os.Stderr, "releval:", err)
		os.Exit(1)
	}
}

func url(d indexer.Document) string {
	if d.Kind == indexer.KindPackage {
		return "packages/" + d.Name
	}
	return "options/" + d.Name + "/"
}

func run(paths, detail, only []string, packages bool, kind indexer.Kind) error {
	sets, err := releval.LoadSets()
	if err != nil {
		return err
	}
	if packages {
		pkgSets, err := releval.LoadPackageSets()
		if err != nil {
			return err
		}
		sets = append(sets, pkgSets...)
	}
	if only != nil {
		for _, name := range only {
			if !slices.ContainsFunc(sets, func(s releval.Set) bool { return s.Name == name }) {
				return fmt.Errorf("-sets: no set %q (pkg-tune and pkg-held need -packages)", name)
			}
		}
		sets = slices.DeleteFunc(sets, func(s releval.Set) bool { return !slices.Contains(only, s.Name) })
	}
	var queries []releval.Query // every set's, in order
	for _, s := range sets {
		queries = append(queries, s.Queries...)
	}
	docs, err := corpus.NixOSOptions()
	if err != nil {
		return err
	}
	nOptions := len(docs)
	if packages {
		pkgs, err := corpus.NixpkgsPackages()
		if err != nil {
			return err
		}
		docs = append(docs, pkgs...)
	}
	all := make([]string, len(docs))
	for i, d := range docs {
		all[i] = d.Name
	}
	tmp, err := os.MkdirTemp("", "releval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Printf("%d NixOS options, %d nixpkgs packages; success@%d, MRR@%d, nDCG@%d\n", nOptions, len(docs)-nOptions, releval.Cutoff, releval.Cutoff, releval.Cutoff)
	fmt.Printf("sets: old = search/testdata/relevance.json; tune and held = the two halves of search/testdata/judged.json")
	if packages {
		fmt.Printf(";\n      pkg-tune and pkg-held = the two halves of search/testdata/packages-judged.json")
	}
	fmt.Printf("\n\n")
	var first [][]string
	for _, p := range paths {
		var tops [][]string
		var bytes []int64 // per query, static path only
		switch p {
		case "static":
			tops, bytes, err = staticPath(tmp, docs, queries, kind)
		case "cli":
			tops, err = cliPath(tmp, queries, packages, kind)
		case "api":
			tops, err = apiPath(tmp, docs, queries, kind)
		default:
			err = fmt.Errorf("unknown path %q (want static, cli or api)", p)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		fmt.Printf("== %s\n", p)
		fmt.Printf("%-8s %-8s %4s  %10s  %6s  %6s\n", "set", "category", "n", "success@10", "MRR", "nDCG")
		i := 0
		for _, s := range sets {
			var outs []releval.Outcome
			for _, q := range s.Queries {
				outs = append(outs, releval.Judge(q, tops[i], all))
				i++
			}
			report(s.Name, outs, slices.Contains(detail, s.Name))
		}
		reportBytes(sets, bytes)
		if first == nil {
			first = tops
		} else {
			for i, q := range queries {
				if !slices.Equal(first[i], tops[i]) {
					fmt.Printf("   DISAGREE %q: %s %q, %s %q\n", q.Q, paths[0], first[i], p, tops[i])
				}
			}
		}
		fmt.Println()
	}
	return nil
}

// shownTop is how many results -detail prints for a query whose first
// result is not an answer.
var shownTop int

func report(set string, outs []releval.Outcome, verbose bool) {
	s := releval.Summarize(outs)
	line := func(cat string, m releval.Metrics) {
		fmt.Printf("%-8s %-8s %4d  %10.3f  %6.3f  %6.3f\n", set, cat, m.N, m.SuccessAt, m.MRR, m.NDCG)
	}
	line("all", s.Metrics)
	for _, c := range s.Categories() {
		line(c, s.ByCategory[c])
	}
	if verbose {
		for _, o := range outs {
			mark := fmt.Sprintf("#%d", o.Rank)
			if o.Rank == 0 {
				mark = "MISS"
			}
			fmt.Printf("   %-5s %-8s %-36q nDCG %.2f", mark, o.Query.Category, o.Query.Q, o.NDCG)
			if o.Rank != 1 {
				fmt.Printf("  top: %s", strings.Join(o.Top[:min(shownTop, len(o.Top))], ", "))
			}
			fmt.Println()
		}
	}
}

func names(n int, f func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// reportBytes prints, per set, the median and largest download of a
// query from a cold start (gzip-compressed bytes of the files fetched).
func reportBytes(sets []releval.Set, bytes []int64) {
	if len(bytes) == 0 {
		return
	}
	fmt.Printf("first-query download (static path, gzip KB): ")
	i := 0
	for _, s := range sets {
		b := slices.Clone(bytes[i : i+len(s.Queries)])
		i += len(s.Queries)
		slices.Sort(b)
		fmt.Printf(" %s p50 %.1f max %.1f;", s.Name, float64(b[len(b)/2])/1000, float64(b[len(b)-1])/1000)
	}
	fmt.Println()
}

func staticPath(tmp string, docs []indexer.Document, queries []releval.Query, kind indexer.Kind) ([][]string, []int64, error) {
	dir := filepath.Join(tmp, "static")
	if _, err := search.WriteStaticIndex(dir, docs, url); err != nil {
		return nil, nil, err
	}
	var qs []jsrun.Query
	for _, q := range queries {
		qs = append(qs, jsrun.Query{Q: q.Q, Kind: string(kind)})
	}
	answers, err := jsrun.Run(dir, qs, releval.Cutoff)
	if err != nil {
		return nil, nil, err
	}
	var tops [][]string
	var bytes []int64
	for _, a := range answers {
		tops = append(tops, names(len(a.Results), func(i int) string { return a.Results[i].Name }))
		bytes = append(bytes, a.Bytes)
	}
	return tops, bytes, nil
}

func apiPath(tmp string, docs []indexer.Document, queries []releval.Query, kind indexer.Kind) ([][]string, error) {
	ix, err := search.OpenOrBuild(filepath.Join(tmp, "api.bleve"), docs, url)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	var tops [][]string
	for _, q := range queries {
		rs, err := ix.Search(q.Q, search.Options{Limit: releval.Cutoff, Kind: kind})
		if err != nil {
			return nil, err
		}
		tops = append(tops, names(len(rs), func(i int) string { return rs[i].Name }))
	}
	return tops, nil
}

// cliPath builds nurdocs and runs `nurdocs search --json` per query on the
// corpus file, as a user would; the first run builds the bleve index.
func cliPath(tmp string, queries []releval.Query, packages bool, kind indexer.Kind) ([][]string, error) {
	dir, err := corpus.Dir()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(tmp, "nurdocs")
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(file), "..", "..", "..")
	build := exec.Command("go", "build", "-o", bin, "./cmd/nurdocs")
	build.Dir = repo
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("building nurdocs: %w", err)
	}
	var tops [][]string
	for _, q := range queries {
		args := []string{"search", "--source", "none", "--repo", tmp,
			"--options", filepath.Join(dir, "nixos-options.json.gz") + "=NixOS"}
		if packages {
			args = append(args, "--packages", filepath.Join(dir, corpus.NixpkgsPackagesFile)+"=nixpkgs")
		}
		if kind != "" {
			args = append(args, "--kind", string(kind))
		}
		args = append(args, "--out", filepath.Join(tmp, "public"), "--json", "--limit", fmt.Sprint(releval.Cutoff), "--", q.Q)
		cmd := exec.Command(bin, args...)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("nurdocs search %q: %w", q.Q, err)
		}
		var rs []search.Result
		if err := json.Unmarshal(out, &rs); err != nil {
			return nil, fmt.Errorf("nurdocs search %q: %w", q.Q, err)
		}
		tops = append(tops, names(len(rs), func(i int) string { return rs[i].Name }))
	}
	return tops, nil
}
