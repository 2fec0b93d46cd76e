package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search"
	"github.com/atproto-nur/atproto-nur/site"
)

func init() {
	register(command{name: "search", summary: "search options, packages and guides from the terminal", run: runSearch})
}

// searchOut is where search results go; tests replace it.
var searchOut io.Writer = os.Stdout

// searchIndexPath is where the bleve index of a site built into out lives:
// beside it, in the .nurdocs cache folder (ignored by git), so that
// publishing out does not publish the index: public → .nurdocs/search-public.bleve.
func searchIndexPath(out string) string {
	out = filepath.Clean(out)
	return filepath.Join(filepath.Dir(out), ".nurdocs", "search-"+filepath.Base(out)+".bleve")
}

func runSearch(ctx context.Context, args []string) error {
	fs := newFlags("search", "QUERY… [--kind option|package|guide] [--scope SCOPE] [--json] [--limit N] [build flags]")
	kind := fs.String("kind", "", "only results of this `kind`: option, package or guide")
	scope := fs.String("scope", "", "only results of this `scope` (option set), e.g. NixOS")
	asJSON := fs.Bool("json", false, "print results as a JSON array")
	limit := fs.Int("limit", 10, "print at most `N` results")
	indexPath := fs.String("index", "", "bleve index `folder` (default: .nurdocs/search-OUT.bleve beside --out)")
	f := addSiteFlags(fs)
	words, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	q := strings.Join(words, " ")
	if strings.TrimSpace(q) == "" {
		fmt.Fprintln(fs.Output(), "nurdocs search: no query given")
		fs.Usage()
		return errUsage
	}
	switch indexer.Kind(*kind) {
	case "", indexer.KindOption, indexer.KindPackage, indexer.KindGuide:
	default:
		return fmt.Errorf("--kind %q: want option, package or guide", *kind)
	}
	if *limit <= 0 {
		return fmt.Errorf("--limit %d: want a positive number", *limit)
	}
	// Refused before the documents are loaded: the message names the
	// limit (one line; the query is not repeated).
	if err := search.CheckQuery(q); err != nil {
		return err
	}

	path := *indexPath
	if path == "" {
		path = searchIndexPath(f.out)
	}
	ix, err := openIndex(ctx, f, path)
	if err != nil {
		return err
	}
	defer ix.Close()
	return answer(searchOut, ix, q, search.Options{Kind: indexer.Kind(*kind), Scope: *scope, Limit: *limit}, f.baseURL, *asJSON)
}

// openIndex loads the documents the flags name and opens (or builds) their
// bleve index at path.
func openIndex(ctx context.Context, f *siteFlags, path string) (*search.Index, error) {
	src, err := f.sources()
	if err != nil {
		return nil, err
	}
	loaded, err := src.Load(ctx)
	if err != nil {
		return nil, err
	}
	var prefixes []string
	for _, m := range loaded.Modules {
		if m.OptionPrefix != "" {
			prefixes = append(prefixes, m.OptionPrefix)
		}
	}
	layout := site.NewLayout(loaded.Docs, prefixes)
	return search.OpenOrBuild(path, loaded.Docs, layout.URL)
}

// answer searches ix for q and prints the results with URLs under base:
// the part of the command that depends on the query.
func answer(w io.Writer, ix *search.Index, q string, opts search.Options, base string, asJSON bool) error {
	results, err := ix.Search(q, opts)
	if err != nil {
		return err
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	for i := range results {
		results[i].URL = base + results[i].URL
	}
	if asJSON {
		return printJSON(w, results)
	}
	return printResults(w, q, results)
}

// parseInterleaved parses flags that may come before, between or after the
// query words, and returns the words.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return words, nil
		}
		if args[0] == "--" {
			return append(words, args[1:]...), nil
		}
		words = append(words, args[0])
		args = args[1:]
	}
}

func printJSON(w io.Writer, results []search.Result) error {
	if results == nil {
		results = []search.Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

func printResults(w io.Writer, q string, results []search.Result) error {
	if len(results) == 0 {
		_, err := fmt.Fprintf(w, "no results for %q\n", q)
		return err
	}
	for _, r := range results {
		fmt.Fprintf(w, "%s  [%s", r.Name, r.Kind)
		if r.Kind == indexer.KindOption && r.Scope != "" {
			fmt.Fprintf(w, ", %s", r.Scope)
		}
		fmt.Fprintln(w, "]")
		if r.Summary != "" {
			fmt.Fprintf(w, "    %s\n", r.Summary)
		}
		if r.Type != "" {
			fmt.Fprintf(w, "    type: %s", r.Type)
			if r.Default != "" {
				fmt.Fprintf(w, "  default: %s", r.Default)
			}
			fmt.Fprintln(w)
		}
		if _, err := fmt.Fprintf(w, "    %s\n", r.URL); err != nil {
			return err
		}
	}
	return nil
}
