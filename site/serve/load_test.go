package serve

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/internal/testcorpus"
)

// repoFixture is fixture plus this repository's committed snapshot, so
// the preview builds this repository's real site (options, packages,
// search index) from Go alone.
func repoFixture(tb testing.TB) string {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(repoRoot, indexer.SnapshotFile)); err != nil {
		tb.Skipf("needs this repository's snapshot %s (run nurdocs eval): %v", indexer.SnapshotFile, err)
	}
	repo := fixture(tb)
	copyTree(tb, filepath.Join(repoRoot, indexer.SnapshotDir), filepath.Join(repo, indexer.SnapshotDir))
	return repo
}

// hammer sends n requests at once (each on its own connection, released
// together) and returns their latencies and the failures.
func hammer(base string, paths []string, n int) (lat []time.Duration, failures []string) {
	tr := &http.Transport{MaxIdleConnsPerHost: n, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		gate = make(chan struct{})
	)
	lat = make([]time.Duration, 0, n)
	for i := range n {
		wg.Go(func() {
			p := paths[i%len(paths)]
			<-gate
			start := time.Now()
			resp, err := client.Get(base + p)
			var msg string
			if err != nil {
				msg = err.Error()
			} else {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch {
				case err != nil:
					msg = err.Error()
				case resp.StatusCode != http.StatusOK:
					msg = fmt.Sprintf("%s: status %d", p, resp.StatusCode)
				}
			}
			d := time.Since(start)
			mu.Lock()
			lat = append(lat, d)
			if msg != "" {
				failures = append(failures, msg)
			}
			mu.Unlock()
		})
	}
	close(gate)
	wg.Wait()
	slices.Sort(lat)
	return lat, failures
}

func pct(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	return lat[min(len(lat)-1, int(float64(len(lat))*p))]
}

// loadPaths is a mix of the site's pages and assets.
var loadPaths = []string{"", "guides/getting-started/", "options/", "packages/", "static/style.css",
	"static/search.js", "static/highlight.css", "sitemap.xml"}

// TestThousandConcurrentRequests: 1,000 requests released at once on
// loopback are all answered, completely and with 200.
func TestThousandConcurrentRequests(t *testing.T) {
	repo := repoFixture(t)
	srv := start(t, Config{Site: siteConfig(repo), Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceSnapshot},
		NoSearchAPI: true})
	start := time.Now()
	lat, failures := hammer(srv.url, loadPaths, 1000)
	wall := time.Since(start)
	if len(failures) > 0 {
		t.Fatalf("%d of 1000 requests failed, e.g. %s", len(failures), failures[0])
	}
	if len(lat) != 1000 {
		t.Fatalf("%d answers, want 1000", len(lat))
	}
	t.Logf("1000 concurrent requests: all 200 in %s; latency p50 %s, p99 %s, max %s",
		wall.Round(time.Millisecond), pct(lat, .5).Round(time.Millisecond),
		pct(lat, .99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
}

// BenchmarkThousandConcurrent: one op is 1,000 requests released at once.
func BenchmarkThousandConcurrent(b *testing.B) {
	repo := repoFixture(b)
	srv := start(b, Config{Site: siteConfig(repo), Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceSnapshot},
		NoSearchAPI: true, Log: io.Discard})
	var all []time.Duration
	b.ResetTimer()
	for b.Loop() {
		lat, failures := hammer(srv.url, loadPaths, 1000)
		if len(failures) > 0 {
			b.Fatalf("%d of 1000 requests failed, e.g. %s", len(failures), failures[0])
		}
		all = append(all, lat...)
	}
	slices.Sort(all)
	b.ReportMetric(float64(pct(all, .5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(all, .99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "errors")
}

// BenchmarkSaveToReload measures what a writer feels: from writing a
// file to the reload event arriving on the live-reload channel, for this
// repository's site (snapshot data: every option and package page, the
// static search index). Target: under 200 ms for guides and templates.
// The nix case re-evaluates a copy of this repository's nix/ tree after a
// module's description changed (skipped without Nix).
func BenchmarkSaveToReload(b *testing.B) {
	b.Run("guide", func(b *testing.B) {
		repo := repoFixture(b)
		guide := filepath.Join(repo, "content", "getting-started.md")
		benchSave(b, repo, indexer.SourceSnapshot, func(i int) {
			writeFile(b, guide, strings.Replace(guideV1, "First version", fmt.Sprintf("Version %d", i), 1))
		})
	})
	// The same guide edit with the whole NixOS option set loaded beside the
	// repository (2,000 more pages), to see what a big site costs per save.
	b.Run("guide-nixos", func(b *testing.B) {
		repo := repoFixture(b)
		guide := filepath.Join(repo, "content", "getting-started.md")
		opts := []indexer.FileInput{{Path: testcorpus.Path(b, "nixos-options.json.gz"), Scope: "NixOS"}}
		benchSaveWith(b, repo, &indexer.Sources{Repo: repo, Mode: indexer.SourceSnapshot, Options: opts}, func(i int) {
			writeFile(b, guide, strings.Replace(guideV1, "First version", fmt.Sprintf("Version %d", i), 1))
		})
	})
	b.Run("template", func(b *testing.B) {
		repo := repoFixture(b)
		tmpl := filepath.Join(repo, "themes", "default", "templates", "guide.html")
		good, err := os.ReadFile(tmpl)
		if err != nil {
			b.Fatal(err)
		}
		benchSave(b, repo, indexer.SourceSnapshot, func(i int) {
			writeFile(b, tmpl, strings.Replace(string(good), "</aside>", fmt.Sprintf("<!-- %d --></aside>", i), 1))
		})
	})
	b.Run("nix", func(b *testing.B) {
		if os.Getenv("NIX_PATH") == "" {
			b.Setenv("NIX_PATH", "nixpkgs="+os.Getenv("HOME")+"/.cache/nixpkgs-lib")
		}
		repo := fixture(b)
		copyTree(b, filepath.Join(repoRoot, "nix"), filepath.Join(repo, "nix"))
		if err := indexer.NixAvailable(b.Context(), repo); err != nil {
			b.Skipf("needs Nix with nixpkgs lib (NIX_PATH=nixpkgs=$HOME/.cache/nixpkgs-lib): %v", err)
		}
		mod := filepath.Join(repo, "nix", "modules", "pds.nix")
		good, err := os.ReadFile(mod)
		if err != nil || !strings.Contains(string(good), `description = "`) {
			b.Skip("nix/modules/pds.nix has no description string to edit")
		}
		benchSave(b, repo, indexer.SourceLive, func(i int) {
			writeFile(b, mod, strings.Replace(string(good), `description = "`, fmt.Sprintf(`description = "Edit %d. `, i), 1))
		})
	})
}

func benchSave(b *testing.B, repo, mode string, save func(i int)) {
	benchSaveWith(b, repo, &indexer.Sources{Repo: repo, Mode: mode}, save)
}

func benchSaveWith(b *testing.B, repo string, src *indexer.Sources, save func(i int)) {
	var log io.Writer = io.Discard
	if os.Getenv("SERVE_BENCH_LOG") != "" {
		log = testLog{b}
	}
	srv := start(b, Config{Site: siteConfig(repo), Sources: src, Log: log})
	ev := openEvents(b, srv.url)
	ev.next(b, wait)
	ev.quiet(1500 * time.Millisecond) // let the first search indexes finish
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		saved := time.Now()
		save(i)
		e := ev.next(b, wait)
		if e.name != "reload" {
			b.Fatalf("event %s %s, want reload", e.name, e.data)
		}
		lat = append(lat, e.at.Sub(saved))
		b.StopTimer()
		ev.quiet(50 * time.Millisecond)
		b.StartTimer()
	}
	slices.Sort(lat)
	b.ReportMetric(float64(pct(lat, .5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
