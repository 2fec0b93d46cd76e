package serve

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search"
	"github.com/atproto-nur/atproto-nur/site"
)

// repoRoot is this repository, relative to the package folder.
const repoRoot = "../.."

// copyTree copies the files under src to dst.
func copyTree(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func writeFile(tb testing.TB, path, text string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

const guideV1 = `---
title: Getting started
weight: 1
---
# Getting started

First version of the guide.
`

// fixture makes a small repository: this repository's default theme (a
// copy, so the test can break it) and two guides.
func fixture(tb testing.TB) string {
	tb.Helper()
	repo := tb.TempDir()
	copyTree(tb, filepath.Join(repoRoot, "themes", "default"), filepath.Join(repo, "themes", "default"))
	writeFile(tb, filepath.Join(repo, "content", "getting-started.md"), guideV1)
	writeFile(tb, filepath.Join(repo, "content", "operate", "index.md"), "---\ntitle: Operating\n---\nRunning the services.\n")
	return repo
}

// running is a serve instance started through Run, as the CLI does.
type running struct {
	url  string
	stop func() error
}

func start(tb testing.TB, cfg Config) *running {
	tb.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Log == nil {
		cfg.Log = testLog{tb}
	}
	ready := make(chan string, 1)
	cfg.Ready = func(u string) { ready <- u }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	r := &running{}
	select {
	case r.url = <-ready:
	case err := <-done:
		cancel()
		tb.Fatalf("serve stopped before it was ready: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		tb.Fatal("serve did not become ready in 60s")
	}
	stopped := false
	var stopErr error
	r.stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(20 * time.Second):
				stopErr = context.DeadlineExceeded
			}
		}
		return stopErr
	}
	tb.Cleanup(func() { r.stop() })
	return r
}

// siteConfig is the build configuration the CLI would use, with the static
// search index writer.
func siteConfig(repo string) site.Config {
	return site.Config{BaseURL: "/", RepoURL: "https://example.org/r", ContentDir: "content",
		Index: func(dir string, docs []indexer.Document, url func(indexer.Document) string) error {
			_, err := search.WriteStaticIndex(dir, docs, url)
			return err
		}}
}

type testLog struct{ tb testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// sseEvent is one server-sent event.
type sseEvent struct {
	name, data string
	at         time.Time
}

// events reads the live-reload stream.
type events struct {
	c    chan sseEvent
	body io.Closer
}

func openEvents(tb testing.TB, base string) *events {
	tb.Helper()
	resp, err := http.Get(strings.TrimSuffix(base, "/") + livePrefix + "events")
	if err != nil {
		tb.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		tb.Fatalf("events: Content-Type %q", ct)
	}
	e := &events{c: make(chan sseEvent, 64), body: resp.Body}
	go func() {
		defer close(e.c)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[len("data: "):]
			case line == "" && ev.name != "":
				ev.at = time.Now()
				e.c <- ev
				ev = sseEvent{}
			}
		}
	}()
	tb.Cleanup(func() { resp.Body.Close() })
	return e
}

// next returns the next event, failing after timeout.
func (e *events) next(tb testing.TB, timeout time.Duration) sseEvent {
	tb.Helper()
	select {
	case ev, ok := <-e.c:
		if !ok {
			tb.Fatal("event stream closed")
		}
		return ev
	case <-time.After(timeout):
		tb.Fatalf("no event within %s", timeout)
	}
	return sseEvent{}
}

// quiet waits until no event came for d and returns what arrived.
func (e *events) quiet(d time.Duration) []sseEvent {
	var got []sseEvent
	for {
		select {
		case ev, ok := <-e.c:
			if !ok {
				return got
			}
			got = append(got, ev)
		case <-time.After(d):
			return got
		}
	}
}

func get(tb testing.TB, u string) (int, http.Header, string) {
	tb.Helper()
	resp, err := http.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func readFile(tb testing.TB, path string) string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}
