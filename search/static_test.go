package search

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search/internal/corpus"
	"github.com/atproto-nur/atproto-nur/search/internal/jsrun"
)

// compareQueries is the fixed query set on which the browser ranking, the
// bleve ranking and the Go definition must agree.
var compareQueries = corpus.CompareQueries

func writeStatic(t testing.TB, docs []indexer.Document) string {
	dir := filepath.Join(t.TempDir(), "search")
	if _, err := WriteStaticIndex(dir, docs, testURL); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runJS(t testing.TB, dir string, queries []jsrun.Query, limit int) []jsrun.Answer {
	answers, err := jsrun.Run(dir, queries, limit)
	if errors.Is(err, jsrun.ErrNoNode) {
		t.Skip("skipped: " + err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	return answers
}

// TestStaticMatchesScan checks that search.js, reading the shards, ranks the
// real NixOS option set exactly as the Go definition does.
func TestStaticMatchesScan(t *testing.T) {
	docs := nixosOptions(t)
	entries := buildEntries(docs, testURL)
	answers := runJS(t, nixosStatic(t), compareQueries, 10)
	for i, q := range compareQueries {
		want := scan(entries, q.Q, Options{Kind: indexer.Kind(q.Kind), Scope: q.Scope, Limit: 10})
		got := answers[i].Results
		if len(got) != len(want) {
			t.Errorf("%q: search.js returned %d results, Go %d", q.Q, len(got), len(want))
			continue
		}
		for j := range want {
			if got[j].Name != want[j].Name || got[j].Score != want[j].Score || got[j].URL != want[j].URL {
				t.Errorf("%q #%d: search.js %s (%d), Go %s (%d)", q.Q, j+1, got[j].Name, got[j].Score, want[j].Name, want[j].Score)
				break
			}
		}
	}
}

func TestStaticLayout(t *testing.T) {
	docs := []indexer.Document{
		{ID: "opt:services.atproto.pds.settings.PDS_PORT", Kind: indexer.KindOption, Scope: "atproto", Name: "services.atproto.pds.settings.PDS_PORT",
			Summary: "Port the PDS listens on.", Option: &indexer.Option{Type: "16 bit unsigned integer", Description: "Port the PDS listens on.", Visible: true,
				Default: &indexer.Value{Kind: indexer.ValueJSON, JSON: json.RawMessage(`3000`)}}},
		{ID: "pkg:pds", Kind: indexer.KindPackage, Scope: "atproto", Name: "pds", Summary: "Bluesky PDS", Package: &indexer.Package{Attr: "pds", Description: "Bluesky Personal Data Server"}},
		{ID: "guide:über", Kind: indexer.KindGuide, Name: "über", Title: "Über Größe", Guide: &indexer.Guide{Body: "Straße"}},
	}
	dir := writeStatic(t, docs)
	var m struct {
		V      int     `json:"v"`
		Docs   int     `json:"docs"`
		Ranges [][]any `json:"ranges"`
		Name   []string
		Desc   []string
	}
	readJSON(t, filepath.Join(dir, "manifest.json"), &m)
	if m.V != StaticFormat || m.Docs != 3 || len(m.Ranges) != 3 {
		t.Fatalf("manifest = %+v", m)
	}
	// Options sort first, then packages, then guides.
	if m.Ranges[0][0] != "option" || m.Ranges[1][0] != "package" || m.Ranges[2][0] != "guide" {
		t.Errorf("ranges = %v", m.Ranges)
	}
	var pd map[string][]int
	readJSON(t, filepath.Join(dir, "n", "pd.json"), &pd)
	// pds appears at positions 2 and 4 of the option (5 tokens… 6 tokens) and
	// at 0 of the package, where it is the package's own name (its module
	// segment).
	want := []int{0, packPosting(2, 6, 0, false, false, 0, 0, false), 0, packPosting(4, 6, 0, false, false, 0, 0, false), 1, packPosting(0, 1, 0, false, true, 0, 0, false)}
	if got := pd["pds"]; !equalInts(got, want) {
		t.Errorf("n/pd.json pds = %v, want %v", got, want)
	}
	// Non-ASCII keys get hex file names.
	if _, err := os.Stat(filepath.Join(dir, "n", shardFile("üb"))); err != nil {
		t.Errorf("no shard for üb: %v", err)
	}
	var chunk [][]string
	readJSON(t, filepath.Join(dir, "docs", "0.json"), &chunk)
	if len(chunk) != 3 || chunk[0][2] != "16 bit unsigned integer" || chunk[0][3] != "3000" || chunk[2][0] != "Über Größe" {
		t.Errorf("docs/0.json = %q", chunk)
	}
	answers := runJS(t, dir, []jsrun.Query{{Q: "pds.port"}, {Q: "größe"}, {Q: "pds"}, {Q: "strasse"}, {Q: "straße"}}, 5)
	if a := answers[0]; len(a.Results) != 2 || a.Results[0].Name != "services.atproto.pds.settings.PDS_PORT" || a.Results[0].Tier != tierPath || a.Results[1].Tier != tierSome {
		t.Errorf("pds.port: %+v", a.Results)
	}
	if a := answers[1]; len(a.Results) != 1 || a.Results[0].Kind != "guide" {
		t.Errorf("größe: %+v", a.Results)
	}
	if a := answers[2]; len(a.Results) != 2 || a.Results[0].Name != "pds" || a.Results[0].Tier != tierExact {
		t.Errorf("pds: %+v", a.Results)
	}
	if a := answers[3]; len(a.Results) != 0 {
		t.Errorf("strasse should not match Straße: %+v", a.Results)
	}
	if a := answers[4]; len(a.Results) != 1 {
		t.Errorf("straße: %+v", a.Results)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestStaticWithoutGzipSizes: leaving out the gzip sizing changes the
// stats only, never a file.
func TestStaticWithoutGzipSizes(t *testing.T) {
	docs := corpus.Packages(2000)
	sized, unsized := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	st1, err := WriteStaticIndex(sized, docs, testURL)
	if err != nil {
		t.Fatal(err)
	}
	st2, err := WriteStaticIndexWith(unsized, docs, testURL, StaticOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st1.GzipBytes == 0 || st1.MaxShardGzip == 0 || st2.GzipBytes != 0 || st2.MaxShardGzip != 0 {
		t.Errorf("gzip sizes: with %d/%d, without %d/%d", st1.GzipBytes, st1.MaxShardGzip, st2.GzipBytes, st2.MaxShardGzip)
	}
	if st1.Bytes != st2.Bytes || st1.DocChunks != st2.DocChunks || st1.NameShards != st2.NameShards {
		t.Errorf("stats differ beyond gzip sizes: %+v vs %+v", st1, st2)
	}
	n := 0
	err = filepath.WalkDir(sized, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(sized, p)
		a, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(unsized, rel))
		if err != nil {
			return err
		}
		if string(a) != string(b) {
			t.Errorf("%s differs", rel)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("only %d files", n)
	}
}

// TestInvisibleOptionsAreNotSearchable: an option declared visible = false
// has no page on the site, so neither index may offer it (the bleve index of
// `nurdocs search` and /api/search offered services.atproto.listeners first
// for "atproto", a result without a page).
func TestInvisibleOptionsAreNotSearchable(t *testing.T) {
	hidden := opt("services.atproto.listeners", "Every atproto listener.")
	hidden.Option.Visible = false
	docs := []indexer.Document{hidden, opt("services.atproto.pds.enable", "Whether to enable the atproto PDS.")}

	ix, err := OpenOrBuild(filepath.Join(t.TempDir(), "bleve"), docs, testURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	rs, err := ix.Search("atproto", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Name != "services.atproto.pds.enable" {
		t.Errorf("bleve: %+v, want only services.atproto.pds.enable", rs)
	}

	answers := runJS(t, writeStatic(t, docs), []jsrun.Query{{Q: "atproto"}, {Q: "listeners"}}, 10)
	if got := answers[0].Results; len(got) != 1 || got[0].Name != "services.atproto.pds.enable" {
		t.Errorf("search.js %q: %+v, want only services.atproto.pds.enable", "atproto", got)
	}
	if got := answers[1].Results; len(got) != 0 {
		t.Errorf("search.js %q: %+v, want nothing", "listeners", got)
	}
}
