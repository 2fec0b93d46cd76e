package search

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// TestBleveMatchesScan checks that the bleve index, which retrieves
// candidates with its own queries, ranks the real NixOS option set exactly
// as the Go definition does.
func TestBleveMatchesScan(t *testing.T) {
	docs := nixosOptions(t)
	entries := buildEntries(docs, testURL)
	ix := nixosBleve(t)
	for _, q := range compareQueries {
		opts := Options{Kind: indexer.Kind(q.Kind), Scope: q.Scope, Limit: 10}
		want := scan(entries, q.Q, opts)
		got, err := ix.Search(q.Q, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("%q: bleve returned %d results, Go %d", q.Q, len(got), len(want))
			continue
		}
		for j := range want {
			if got[j] != want[j] {
				t.Errorf("%q #%d: bleve %s (%d), Go %s (%d)", q.Q, j+1, got[j].Name, got[j].Score, want[j].Name, want[j].Score)
				break
			}
		}
	}
}

func TestOpenOrBuildRebuildsWhenStale(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bleve")
	docs := []indexer.Document{opt("services.nginx.enable", "Whether to enable nginx.")}
	ix, err := OpenOrBuild(path, docs, testURL)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	before, _ := os.Stat(filepath.Join(path, "index_meta.json"))

	// Same documents: opened, not rebuilt.
	time.Sleep(10 * time.Millisecond)
	ix, err = OpenOrBuild(path, docs, testURL)
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	same, _ := os.Stat(filepath.Join(path, "index_meta.json"))
	if !same.ModTime().Equal(before.ModTime()) {
		t.Error("an up-to-date index was rebuilt")
	}

	// Changed documents: rebuilt, and the new document is found.
	docs = append(docs, opt("services.caddy.enable", "Whether to enable Caddy."))
	ix, err = OpenOrBuild(path, docs, testURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	rs, err := ix.Search("caddy", Options{})
	if err != nil || len(rs) != 1 || rs[0].Name != "services.caddy.enable" || rs[0].URL != "options//#services.caddy.enable" {
		t.Fatalf("after rebuild: %+v, %v", rs, err)
	}
	if left, _ := filepath.Glob(path + ".new*"); len(left) > 0 {
		t.Errorf("temporary index left behind: %v", left)
	}
}

// TestOpenOrBuildConcurrently: several callers that all find the index
// stale at once (two `nurdocs search` commands) each get a working index
// and leave no temporary folder.
func TestOpenOrBuildConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bleve")
	docs := []indexer.Document{opt("services.nginx.enable", "Whether to enable nginx."),
		opt("services.caddy.enable", "Whether to enable Caddy.")}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			ix, err := OpenOrBuild(path, docs, testURL)
			if err != nil {
				errs <- err
				return
			}
			defer ix.Close()
			rs, err := ix.Search("caddy", Options{})
			if err != nil || len(rs) != 1 {
				errs <- fmt.Errorf("search: %+v, %v", rs, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if left, _ := filepath.Glob(path + ".new*"); len(left) > 0 {
		t.Errorf("temporary index left behind: %v", left)
	}
}

func TestOpenOrBuildReplacesGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bleve")
	os.MkdirAll(path, 0o755)
	os.WriteFile(filepath.Join(path, "index_meta.json"), []byte("not json"), 0o644)
	ix, err := OpenOrBuild(path, []indexer.Document{pkg("pds", "Bluesky PDS")}, testURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if rs, _ := ix.Search("pds", Options{}); len(rs) != 1 {
		t.Errorf("results = %+v", rs)
	}
}

// TestIndexUpdateEqualsRebuild updates a bleve index in place through a
// series of edits as the preview makes them — a guide added, edited,
// renamed and deleted, an option added and removed — and after each
// requires every query to rank exactly as an index built afresh from the
// same documents does, and an edit of one document's text to index that
// document alone.
func TestIndexUpdateEqualsRebuild(t *testing.T) {
	guide := func(name, body string) indexer.Document {
		return indexer.Document{ID: "guide:" + name, Kind: indexer.KindGuide, Scope: indexer.PrimaryScope, Name: name,
			Title: name, Guide: &indexer.Guide{Body: body}}
	}
	base := []indexer.Document{
		opt("services.nginx.enable", "Whether to enable nginx."),
		opt("services.nginx.virtualHosts", "Declarative vhost configuration."),
		opt("services.atproto.pds.port", "Port the PDS listens on."),
		pkg("nginx", "A reverse proxy and web server"),
		pkg("caddy", "Fast web server with automatic HTTPS"),
	}
	dir := t.TempDir()
	ix, err := OpenOrBuild(filepath.Join(dir, "live"), base, testURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	tokens := &TokenCache{}
	queries := []string{"nginx", "web server", "zeppelin", "quokka", "port", "pds.port", "writing", "style", "caddy https", "proxy"}
	step := 0
	check := func(name string, docs []indexer.Document) int {
		t.Helper()
		n, err := ix.Update(docs, testURL, tokens)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		step++
		fresh, err := OpenOrBuild(filepath.Join(dir, fmt.Sprint("fresh-", step)), docs, testURL)
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		for _, q := range queries {
			want, err1 := fresh.Search(q, Options{})
			got, err2 := ix.Search(q, Options{})
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %q: %v %v", name, q, err1, err2)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %q: updated index %v, fresh %v", name, q, got, want)
			}
		}
		return n
	}
	docs := append(slices.Clone(base), guide("writing", "How to write about a zeppelin."))
	check("guide added", docs)
	docs[len(docs)-1] = guide("writing", "How to write about a zeppelin and a quokka.")
	if n := check("guide edited", docs); n != 1 {
		t.Errorf("a guide edit indexed %d documents, want 1", n)
	}
	docs[len(docs)-1] = guide("style", "How to write about a zeppelin and a quokka.")
	check("guide renamed", docs)
	docs = docs[:len(docs)-1]
	check("guide deleted", docs)
	docs = append(docs, opt("services.atproto.pds.hostname", "Host name of the PDS, for the quokka."))
	check("option added", docs)
	check("option removed", base)
}
