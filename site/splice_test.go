package site

import (
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// TestSplicedFrameMatches builds sites twice, once minifying every page
// whole and once splicing the once-minified frame into pages, and requires
// every file to be byte-for-byte the same, with pages really spliced. The
// NixOS option corpus adds thousands of real pages when present. Package
// pages go through their template here (TestGeneratedPagesMatchTemplates
// covers the generated writers).
func TestSplicedFrameMatches(t *testing.T) {
	templatePages = true
	defer func() { templatePages = false }()
	cases := []struct {
		name string
		src  func(t *testing.T) *indexer.Sources
		cfg  Config
	}{
		{"testdata", func(*testing.T) *indexer.Sources { return testSources() }, testConfig()},
		{"testdata-subpath", func(*testing.T) *indexer.Sources { return testSources() },
			Config{BaseURL: "https://example.org/docs/", Title: "Docs & <more>"}},
		{"nixos", func(t *testing.T) *indexer.Sources {
			if testing.Short() {
				t.Skip("corpus build skipped in -short mode")
			}
			return &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceNone, ContentDir: t.TempDir(),
				Options: []indexer.FileInput{{Path: corpus(t, "nixos-options.json.gz"), Scope: "NixOS"}}}
		}, Config{}},
		{"packages", func(t *testing.T) *indexer.Sources {
			return &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceNone, ContentDir: t.TempDir(),
				Packages: []indexer.FileInput{{Path: generatedPackages(t, 300), Scope: "nixpkgs"}}}
		}, Config{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.src(t)
			whole := filepath.Join(t.TempDir(), "whole")
			minifyWholePages = true
			buildSite(t, src, c.cfg, whole)
			minifyWholePages = false

			var spliced, fragments atomic.Int64
			testHookSpliced = func(n int) { spliced.Add(1); fragments.Add(int64(n)) }
			defer func() { testHookSpliced = nil }()
			out := filepath.Join(t.TempDir(), "spliced")
			res := buildSite(t, c.src(t), c.cfg, out)
			if int(spliced.Load()) != res.Stats.Pages {
				t.Errorf("%d of %d pages spliced", spliced.Load(), res.Stats.Pages)
			}
			if res.Stats.Packages > 0 && fragments.Load() == 0 {
				t.Errorf("no install snippet spliced in %d package pages", res.Stats.Packages)
			}
			compareTrees(t, whole, out)
		})
	}
}
