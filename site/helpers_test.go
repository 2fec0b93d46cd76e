package site

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/internal/testcorpus"
	"github.com/atproto-nur/atproto-nur/search"
)

// repoRoot is the repository, seen from this package's folder.
const repoRoot = ".."

// corpus returns the path of a file in ../shared/corpus or skips.
func corpus(tb testing.TB, name string) string {
	tb.Helper()
	return testcorpus.Path(tb, name)
}

// buildSite builds from src into out with cfg (Out is set here).
func buildSite(tb testing.TB, src *indexer.Sources, cfg Config, out string) *Result {
	tb.Helper()
	cfg.Out = out
	b := NewBuilder(cfg, sourcesLoader(src))
	res, err := b.Build(context.Background())
	if err != nil {
		tb.Fatalf("build: %v", err)
	}
	return res
}

func sourcesLoader(src *indexer.Sources) func(context.Context) (*Inputs, error) {
	return func(ctx context.Context) (*Inputs, error) {
		l, err := src.Load(ctx)
		if err != nil {
			return nil, err
		}
		return &Inputs{Docs: l.Docs, Modules: l.Modules, Templates: l.Templates, Source: l.Source,
			ContentDir: src.ContentPath()}, nil
	}
}

// withSearch is the search index writer the CLI uses.
func withSearch(cfg Config) Config {
	cfg.Index = func(dir string, docs []indexer.Document, url func(indexer.Document) string) error {
		_, err := search.WriteStaticIndexWith(dir, docs, url, search.StaticOptions{})
		return err
	}
	return cfg
}

// firstDifference returns where two files part and a window of each
// around that place, for messages.
func firstDifference(a, b []byte, before, after int) (at int, aNear, bNear []byte) {
	for at < len(a) && at < len(b) && a[at] == b[at] {
		at++
	}
	return at, a[max(0, at-before):min(len(a), at+after)], b[max(0, at-before):min(len(b), at+after)]
}

// compareTrees requires every file under want to exist under got with the
// same bytes.
func compareTrees(t *testing.T, want, got string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(want, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(want, p)
		w, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		g, err := os.ReadFile(filepath.Join(got, rel))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		n++
		if !bytes.Equal(w, g) {
			at, wNear, gNear := firstDifference(w, g, 80, 40)
			t.Errorf("%s differs at byte %d: want %q, got %q", rel, at, wNear, gNear)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("only %d files compared", n)
	}
}
