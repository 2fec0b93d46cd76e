package site

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/internal/gen"
)

// The targets (2 cores): NixOS options < 3 s, + 100,000 packages < 5 s
// more, this repository's site < 1 s. Run with -benchtime=1x or 3x; each
// iteration is a full build including loading, search index and swap.

func BenchmarkBuildRepo(b *testing.B) {
	src := &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceSnapshot}
	if _, err := os.Stat(filepath.Join(repoRoot, indexer.SnapshotFile)); err != nil {
		b.Skip("no snapshot in site/data: run nurdocs eval")
	}
	benchBuild(b, func() *indexer.Sources {
		return &indexer.Sources{Repo: src.Repo, Mode: src.Mode}
	})
}

func BenchmarkBuildNixOS(b *testing.B) {
	opts := corpus(b, "nixos-options.json.gz")
	benchBuild(b, func() *indexer.Sources {
		return &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceSnapshot,
			Options: []indexer.FileInput{{Path: opts, Scope: "NixOS"}}}
	})
}

func BenchmarkBuildNixOSAnd100kPackages(b *testing.B) {
	opts := corpus(b, "nixos-options.json.gz")
	pkgs := generatedPackages(b, 100000)
	benchBuild(b, func() *indexer.Sources {
		return &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceSnapshot,
			Options:  []indexer.FileInput{{Path: opts, Scope: "NixOS"}},
			Packages: []indexer.FileInput{{Path: pkgs, Scope: "nixpkgs"}}}
	})
}

func generatedPackages(tb testing.TB, n int) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "packages.json")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := gen.Packages(w, n, 1); err != nil {
		tb.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// benchBuild measures complete builds; a fresh Sources each time so
// nothing is cached between iterations.
func benchBuild(b *testing.B, src func() *indexer.Sources) {
	out := filepath.Join(b.TempDir(), "public")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := buildSite(b, src(), withSearch(Config{}), out)
		b.ReportMetric(float64(res.Stats.Pages), "pages")
		b.ReportMetric(float64(res.Stats.Bytes)/1e6, "MB")
	}
}

// BenchmarkRenderNixOS is the site's own share of the NixOS build: no
// search index.
func BenchmarkRenderNixOS(b *testing.B) {
	opts := corpus(b, "nixos-options.json.gz")
	out := filepath.Join(b.TempDir(), "public")
	for i := 0; i < b.N; i++ {
		src := &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceNone,
			Options: []indexer.FileInput{{Path: opts, Scope: "NixOS"}}}
		buildSite(b, src, Config{}, out)
	}
}

// BenchmarkRenderPackages is the site's own share of a big package
// catalogue: 20,000 generated packages (-bench-packages N for more), no
// options, no search index.
func BenchmarkRenderPackages(b *testing.B) {
	pkgs := generatedPackages(b, benchPackages)
	out := filepath.Join(b.TempDir(), "public")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src := &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceNone,
			Packages: []indexer.FileInput{{Path: pkgs, Scope: "nixpkgs"}}}
		buildSite(b, src, Config{}, out)
	}
}

// benchPackages is the size of BenchmarkRenderPackages' catalogue;
// -bench-packages 100000 measures the full target size.
var benchPackages = 20000

func init() {
	flag.IntVar(&benchPackages, "bench-packages", 20000, "packages generated for BenchmarkRenderPackages")
}

// BenchmarkPreviewGuideEdit is one save of a guide under the preview
// server with the NixOS options and the nixpkgs package set loaded: the
// builder's share of save → reload (BuildInto after the edit, then the
// Mirror into the other folder). scripts/bench-serve measures the whole
// path, browser included.
func BenchmarkPreviewGuideEdit(b *testing.B) {
	opts := corpus(b, "nixos-options.json.gz")
	pkgs := corpus(b, "nixpkgs-packages.json.gz")
	dir := b.TempDir()
	content := filepath.Join(dir, "content")
	if err := os.CopyFS(content, os.DirFS(filepath.Join(repoRoot, "content"))); err != nil {
		b.Fatal(err)
	}
	src := &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceSnapshot, ContentDir: content,
		Options:  []indexer.FileInput{{Path: opts, Scope: "NixOS"}},
		Packages: []indexer.FileInput{{Path: pkgs, Scope: "nixpkgs"}}}
	bl := NewBuilder(Config{}, sourcesLoader(src))
	slots := [2]string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}
	ctx := context.Background()
	if _, err := bl.BuildInto(ctx, slots[0]); err != nil {
		b.Fatal(err)
	}
	if err := bl.Mirror(slots[0], slots[1]); err != nil {
		b.Fatal(err)
	}
	guide := filepath.Join(content, "getting-started.md")
	orig, err := os.ReadFile(guide)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	var res *Result
	for b.Loop() {
		n++
		if err := os.WriteFile(guide, fmt.Appendf(append([]byte{}, orig...), "\nEdit %d.\n", n), 0o644); err != nil {
			b.Fatal(err)
		}
		if res, err = bl.BuildInto(ctx, slots[n%2]); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := bl.Mirror(slots[n%2], slots[1-n%2]); err != nil {
			b.Fatal(err)
		}
		if os.Getenv("BENCH_PHASES") != "" {
			b.Logf("build %s %v, mirror %s", res.Stats.Duration, res.Stats.Phases, time.Since(start))
		}
	}
	b.ReportMetric(float64(res.Stats.Pages), "pages")
	b.ReportMetric(float64(res.Stats.Rendered), "rendered")
}

// BenchmarkPreviewModuleEdit is the builder's share of a module edit
// under the preview with NixOS and the nixpkgs package set loaded: the
// repository's export changes (here its snapshot, as a new evaluation
// would) and the site is rebuilt into the other folder. The evaluation
// itself is not included.
func BenchmarkPreviewModuleEdit(b *testing.B) {
	opts := corpus(b, "nixos-options.json.gz")
	pkgs := corpus(b, "nixpkgs-packages.json.gz")
	repo := b.TempDir()
	snap := filepath.Join(repo, indexer.SnapshotFile)
	orig, err := os.ReadFile(filepath.Join(repoRoot, indexer.SnapshotFile))
	if err != nil {
		b.Skip("no snapshot in site/data: run nurdocs eval")
	}
	if err := os.MkdirAll(filepath.Dir(snap), 0o755); err != nil {
		b.Fatal(err)
	}
	const described = "TCP port of the HTTP server"
	if !bytes.Contains(orig, []byte(described)) {
		b.Fatalf("the snapshot no longer has the description %q this benchmark edits", described)
	}
	if err := os.WriteFile(snap, orig, 0o644); err != nil {
		b.Fatal(err)
	}
	src := &indexer.Sources{Repo: repo, Mode: indexer.SourceSnapshot, ContentDir: filepath.Join(repoRoot, "content"),
		Options:  []indexer.FileInput{{Path: opts, Scope: "NixOS"}},
		Packages: []indexer.FileInput{{Path: pkgs, Scope: "nixpkgs"}}}
	bl := NewBuilder(Config{}, sourcesLoader(src))
	dir := b.TempDir()
	slots := [2]string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}
	ctx := context.Background()
	if _, err := bl.BuildInto(ctx, slots[0]); err != nil {
		b.Fatal(err)
	}
	if err := bl.Mirror(slots[0], slots[1]); err != nil {
		b.Fatal(err)
	}
	n := 0
	var res *Result
	for b.Loop() {
		n++
		edited := bytes.Replace(orig, []byte(described), fmt.Appendf(nil, "%s, edit %d", described, n), 1)
		if err := os.WriteFile(snap, edited, 0o644); err != nil {
			b.Fatal(err)
		}
		if res, err = bl.BuildInto(ctx, slots[n%2]); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := bl.Mirror(slots[n%2], slots[1-n%2]); err != nil {
			b.Fatal(err)
		}
		if os.Getenv("BENCH_PHASES") != "" {
			b.Logf("build %s %v, mirror %s; %d pages rendered, %d files written", res.Stats.Duration, res.Stats.Phases,
				time.Since(start), res.Stats.Rendered, res.Stats.Written)
		}
	}
	b.ReportMetric(float64(res.Stats.Pages), "pages")
	b.ReportMetric(float64(res.Stats.Rendered), "rendered")
}
