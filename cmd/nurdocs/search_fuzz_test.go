//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/atproto-nur/atproto-nur/internal/testcorpus"
	"github.com/atproto-nur/atproto-nur/search"
	"github.com/atproto-nur/atproto-nur/site/serve"
)

// answerBudget is how long one answer may take on the NixOS option set.
const answerBudget = 100 * time.Millisecond

// maxFuzzQuery is the longest query the fuzz test sends.
const maxFuzzQuery = 64 << 10

// fuzzSeeds are the inputs that once broke a search path or sit on a
// limit; they run as a normal test (go test), the fuzzer starts from them.
var fuzzSeeds = []string{
	"services.openssh.enable", "openssh", "pds.port", "open firewall port for ssh", "firwall", "se", "s", "enable",
	strings.Repeat("a", 5000), // a bleve fuzzy automaton over 10,000 states: the 500 of issue 16
	strings.Repeat("x", maxFuzzQuery), strings.Repeat("enable ", 2000), strings.Repeat("ab.", 85) + "a",
	strings.Repeat("servicesnginx", 4) + "virtualhost", strings.Repeat("a", search.MaxWordChars+1),
	"a b c d e f g h i j k", "e n a b l e s e r v i c e", "*", "?", `\`, "((", `"unbalanced`, "\x00", "a\x00b",
	"😀 emoji 🚀", "\xff\xfe invalid", "日本語.設定", "İstanbul", "...", " ", "",
	strings.Repeat("ǅ", 300), strings.Repeat("1", 64), strings.Repeat("a1", 40),
}

// fuzzPaths are the two server-side search paths over the NixOS option
// set: a running `nurdocs serve` answering /api/search, and the index the
// search command opens with the same documents.
type fuzzPaths struct {
	api string        // http://127.0.0.1:PORT/api/search
	cli *search.Index // opened by openIndex, as runSearch opens it
}

// startFuzzPaths starts both paths; everything stops when tb ends.
func startFuzzPaths(tb testing.TB) *fuzzPaths {
	tb.Helper()
	corpus := testcorpus.Path(tb, "nixos-options.json.gz")
	dir := tb.TempDir()
	flags := func(extra ...string) *siteFlags {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		f := addSiteFlags(fs)
		args := append([]string{"--source", "none", "--repo", dir, "--options", corpus + "=NixOS"}, extra...)
		if err := fs.Parse(args); err != nil {
			tb.Fatal(err)
		}
		return f
	}
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)

	f := flags()
	src, err := f.sources()
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := f.config(io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve.Run(ctx, serve.Config{Addr: "127.0.0.1:0", Site: cfg, Sources: src, Log: io.Discard,
			Ready: func(u string) { ready <- u }})
	}()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			tb.Error("serve did not stop within 20s")
		}
	})
	p := &fuzzPaths{}
	select {
	case u := <-ready:
		p.api = u + "api/search"
	case err := <-done:
		tb.Fatalf("serve stopped before it was ready: %v", err)
	case <-time.After(120 * time.Second):
		tb.Fatal("serve not ready within 120s")
	}

	cf := flags("--out", filepath.Join(dir, "public"))
	p.cli, err = openIndex(ctx, cf, searchIndexPath(cf.out))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.cli.Close() })

	// The API answers 503 until its index is built.
	for deadline := time.Now().Add(120 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		code, _, err := p.get("enable")
		if err != nil {
			tb.Fatal(err)
		}
		if code == http.StatusOK {
			break
		}
		if code != http.StatusServiceUnavailable || time.Now().After(deadline) {
			tb.Fatalf("/api/search?q=enable: %d", code)
		}
	}
	return p
}

func (p *fuzzPaths) get(q string) (int, []byte, error) {
	resp, err := http.Get(p.api + "?limit=10&q=" + url.QueryEscape(q))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// cpuTime is the processor time this process has used. The server under
// test runs in this process, so its share of an answer counts too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timed runs fn and returns the shortest wall time and the shortest
// processor time of up to three runs: a run over the budget is tried
// again. On a machine busy with other tests (go test ./... runs packages
// at once) the wall time of a fast answer can exceed the budget while the
// processor time it took stays under it; the answer is slow only when
// both are over.
func timed(fn func() error) (wall, cpu time.Duration, err error) {
	wall, cpu = time.Duration(1<<63-1), time.Duration(1<<63-1)
	for range 3 {
		start, startCPU := time.Now(), cpuTime()
		if err := fn(); err != nil {
			return 0, 0, err
		}
		wall, cpu = min(wall, time.Since(start)), min(cpu, cpuTime()-startCPU)
		if wall <= answerBudget {
			break
		}
	}
	return wall, cpu, nil
}

// fuzzing reports whether this run is the fuzzer's (go test -fuzz), not
// the plain run of the seeds.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// FuzzSearch sends arbitrary queries of up to 64 KB to /api/search and to
// the search command's query path over the NixOS option set. Neither may
// fail (no 5xx, no panic, no error but a refused query), both must refuse
// the same queries with a message that does not repeat them, and both
// must return the same results. While fuzzing, each must also answer
// within 100 ms (wall time, and processor time when the machine is busy:
// see timed), so the fuzzer reports inputs that make search slow. The
// plain run of the seeds checks no time: go test runs packages side by
// side, and a timed unit test fails on a busy machine whatever the code
// does; BenchmarkSearchSeeds holds the seeds to the budget instead.
//
//	go test ./cmd/nurdocs -run XXX -fuzz FuzzSearch -fuzztime 5m -parallel 1
//	go test ./cmd/nurdocs -run XXX -bench SearchSeeds
func FuzzSearch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	p := startFuzzPaths(f)
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > maxFuzzQuery {
			q = q[:maxFuzzQuery]
		}
		show := q
		if utf8.RuneCountInString(show) > 60 {
			show = string([]rune(show)[:60]) + "…"
		}

		var code int
		var body []byte
		took, cpu, err := timed(func() (err error) {
			code, body, err = p.get(q)
			return err
		})
		if err != nil {
			t.Fatalf("%q: /api/search: %v", show, err)
		}
		if fuzzing() && took > answerBudget && cpu > answerBudget {
			t.Errorf("%q (%d bytes): /api/search took %s (%s of processor time), over %s", show, len(q), took, cpu, answerBudget)
		}
		if code != http.StatusOK && code != http.StatusBadRequest {
			t.Fatalf("%q (%d bytes): /api/search answered %d: %s", show, len(q), code, body)
		}

		var buf bytes.Buffer
		var cliErr error
		took, cpu, err = timed(func() error {
			buf.Reset()
			cliErr = answer(&buf, p.cli, q, search.Options{Limit: 10}, "/", true)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if fuzzing() && took > answerBudget && cpu > answerBudget {
			t.Errorf("%q (%d bytes): nurdocs search took %s (%s of processor time), over %s", show, len(q), took, cpu, answerBudget)
		}
		var refused *search.QueryError
		if cliErr != nil && !errors.As(cliErr, &refused) {
			t.Fatalf("%q (%d bytes): nurdocs search: %v", show, len(q), cliErr)
		}

		if code == http.StatusBadRequest {
			var e struct{ Error string }
			if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
				t.Fatalf("%q: 400 without a JSON error: %s", show, body)
			}
			if refused == nil || e.Error != refused.Error() {
				t.Fatalf("%q (%d bytes): /api/search refused it (%s), nurdocs search said %v", show, len(q), e.Error, cliErr)
			}
			if len(body) > 512 || (len(q) > search.MaxWordChars && bytes.Contains(body, []byte(q))) {
				t.Fatalf("%q: the refusal is %d bytes or repeats the query", show, len(body))
			}
			if strings.Contains(cliErr.Error(), "\n") {
				t.Errorf("%q: the command's error is more than one line: %q", show, cliErr)
			}
			return
		}
		if refused != nil {
			t.Fatalf("%q (%d bytes): nurdocs search refused it (%v), /api/search answered 200", show, len(q), cliErr)
		}
		var api struct{ Results []search.Result }
		if err := json.Unmarshal(body, &api); err != nil {
			t.Fatalf("%q: /api/search: %v", show, err)
		}
		var cli []search.Result
		if err := json.Unmarshal(buf.Bytes(), &cli); err != nil {
			t.Fatalf("%q: nurdocs search --json: %v", show, err)
		}
		key := func(r search.Result) string { return fmt.Sprintf("%s %d", r.Name, r.Score) }
		if a, c := mapSlice(api.Results, key), mapSlice(cli, key); !slices.Equal(a, c) {
			t.Errorf("%q: /api/search %q, nurdocs search %q", show, a, c)
		}
	})
}

func mapSlice[T, U any](s []T, f func(T) U) []U {
	out := make([]U, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// BenchmarkSearchSeeds answers every fuzz seed through both paths and
// reports the slowest seed's best time (slowest-ms); it fails when that is
// over answerBudget. Run it on a quiet machine:
//
//	go test ./cmd/nurdocs -run XXX -bench SearchSeeds -benchtime 5x
func BenchmarkSearchSeeds(b *testing.B) {
	p := startFuzzPaths(b)
	best := make([]time.Duration, len(fuzzSeeds))
	for i := range best {
		best[i] = time.Duration(1<<63 - 1)
	}
	b.ResetTimer()
	for range b.N {
		for i, q := range fuzzSeeds {
			start := time.Now()
			if _, _, err := p.get(q); err != nil {
				b.Fatalf("seed %d: /api/search: %v", i, err)
			}
			api := time.Since(start)
			start = time.Now()
			err := answer(io.Discard, p.cli, q, search.Options{Limit: 10}, "/", true)
			cli := time.Since(start)
			var refused *search.QueryError
			if err != nil && !errors.As(err, &refused) {
				b.Fatalf("seed %d: nurdocs search: %v", i, err)
			}
			best[i] = min(best[i], max(api, cli))
		}
	}
	b.StopTimer()
	slowest := slices.Index(best, slices.Max(best))
	b.ReportMetric(float64(best[slowest])/float64(time.Millisecond), "slowest-ms")
	if best[slowest] > answerBudget {
		show := fuzzSeeds[slowest]
		if utf8.RuneCountInString(show) > 60 {
			show = string([]rune(show)[:60]) + "…"
		}
		b.Errorf("seed %d %q: best answer %s, over %s", slowest, show, best[slowest], answerBudget)
	}
}
