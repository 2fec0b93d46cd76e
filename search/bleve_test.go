package search

import (
	"fmt"
	"os"
	"path/filepath"
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
