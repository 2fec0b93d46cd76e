// Command benchserve measures the live preview as a writer feels it: it
// starts `nurdocs serve` on a copy of this repository at three sizes
// (the repository alone, + the NixOS options, + NixOS and the nixpkgs
// package set), saves guide and module edits, and records for each save
// when the server logged the rebuild and when a headless Chromium tab had
// reloaded and showed the new text. It also reports the server's memory.
//
//	go run ./internal/benchserve [-runs 5] [-module-runs 3] [-sizes repo,nixos,packages]
//
// Run it from the repository root (scripts/bench-serve does). The times
// are wall-clock milliseconds from the write of the file:
//
//	rebuilt  the server's "rebuilt in" line arrived on its standard error
//	reload   the tab began changing: a reload's navigation start, or the
//	         start of the live script's fetch of the page it swaps in
//	visible  the page's DOM held the new text: a reloaded page's
//	         DOMContentLoaded (navigation timing), or the swap (an observer
//	         the benchmark puts in the page sees the text arrive)
//	painted  the browser drew it: a reloaded page's first contentful paint,
//	         or the frame after the swap
//	eval     the evaluation time the server reports for a module edit
//
// Between two saves the benchmark waits until the server is idle (its
// CPU time stops growing), as a writer pauses between saves; the search
// index work that follows a save is therefore not counted in the next.
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/internal/browsertest"
	"github.com/chromedp/chromedp"
)

func main() {
	runs := flag.Int("runs", 5, "guide edits per size")
	moduleRuns := flag.Int("module-runs", 3, "module edits per size (needs Nix: live evaluation)")
	sizes := flag.String("sizes", "repo,nixos,packages", "sizes to measure: repo, nixos, packages")
	corpus := flag.String("corpus", filepath.Join("..", "shared", "corpus"), "folder of nixos-options.json.gz and nixpkgs-packages.json.gz")
	flag.Parse()
	if err := run(*runs, *moduleRuns, strings.Split(*sizes, ","), *corpus); err != nil {
		fmt.Fprintln(os.Stderr, "benchserve:", err)
		os.Exit(1)
	}
}

func run(runs, moduleRuns int, sizes []string, corpus string) error {
	work, err := os.MkdirTemp("", "nurdocs-benchserve-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "nurdocs")
	build := exec.Command("go", "build", "-o", bin, "./cmd/nurdocs")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building nurdocs: %w", err)
	}
	repo := filepath.Join(work, "repo")
	if err := copyRepo(".", repo); err != nil {
		return err
	}
	options := filepath.Join(corpus, "nixos-options.json.gz")
	packages, note, err := packageInput(filepath.Join(corpus, "nixpkgs-packages.json.gz"), work)
	if err != nil {
		return err
	}
	if note != "" {
		fmt.Println("note:", note)
	}
	live := exec.Command("nix-instantiate", "--version").Run() == nil && os.Getenv("NIX_PATH") != ""
	if !live && moduleRuns > 0 {
		fmt.Println("note: no nix-instantiate or NIX_PATH: module edits are skipped (the preview evaluates nix/ live only with Nix)")
		moduleRuns = 0
	}
	fmt.Printf("%d cores; load average at start: %s\n", numCPU(), loadAvg())
	for _, size := range sizes {
		args := []string{"serve", "--repo", repo, "--addr", "127.0.0.1:0"}
		switch size {
		case "repo":
		case "nixos":
			args = append(args, "--options", options+"=NixOS")
		case "packages":
			args = append(args, "--options", options+"=NixOS", "--packages", packages+"=nixpkgs")
		default:
			return fmt.Errorf("unknown size %q (want repo, nixos or packages)", size)
		}
		if err := measure(size, bin, args, repo, work, runs, moduleRuns); err != nil {
			return fmt.Errorf("%s: %w", size, err)
		}
	}
	fmt.Printf("load average at end: %s\n", loadAvg())
	return nil
}

// packageInput is the package file to load: the corpus file when this
// nurdocs reads it, else its "packages" object alone, written to work.
func packageInput(path, work string) (file, note string, err error) {
	if _, err := indexer.LoadPackages(path, "nixpkgs"); err == nil {
		return path, "", nil
	} else {
		note = fmt.Sprintf("this nurdocs does not load %s (%v); using its \"packages\" object alone", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", path, err)
	}
	var whole struct {
		Packages json.RawMessage `json:"packages"`
	}
	if err := json.NewDecoder(zr).Decode(&whole); err != nil {
		return "", "", fmt.Errorf("%s: %w", path, err)
	}
	if len(whole.Packages) == 0 {
		return "", "", fmt.Errorf("%s: no packages object", path)
	}
	out := filepath.Join(work, "nixpkgs-packages.json")
	return out, note, os.WriteFile(out, whole.Packages, 0o644)
}

// copyRepo copies the files git knows in src (committed or not) to dst.
func copyRepo(src, dst string) error {
	out, err := exec.Command("git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return fmt.Errorf("listing the repository's files: %w", err)
	}
	for _, rel := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		from, to := filepath.Join(src, rel), filepath.Join(dst, rel)
		fi, err := os.Lstat(from)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the work tree
		}
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if fi.IsDir() {
			continue // a nested repository
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			target, err := os.Readlink(from)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, to); err != nil {
				return err
			}
			continue
		}
		data, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// server is a running `nurdocs serve` and the lines of its log.
type server struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []logLine
	more  chan struct{}
	url   string
}

type logLine struct {
	at   time.Time
	text string
}

func startServer(bin string, args []string) (*server, error) {
	s := &server{cmd: exec.Command(bin, args...), more: make(chan struct{}, 1)}
	s.cmd.Env = os.Environ()
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	s.cmd.Stdout = io.Discard
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			s.mu.Lock()
			s.lines = append(s.lines, logLine{time.Now(), sc.Text()})
			s.mu.Unlock()
			select {
			case s.more <- struct{}{}:
			default:
			}
		}
	}()
	return s, nil
}

// waitLine waits for a log line after index from that matches re.
func (s *server) waitLine(from int, re *regexp.Regexp, limit time.Duration) (logLine, []string, int, error) {
	deadline := time.After(limit)
	for {
		s.mu.Lock()
		for i := from; i < len(s.lines); i++ {
			if m := re.FindStringSubmatch(s.lines[i].text); m != nil {
				l := s.lines[i]
				s.mu.Unlock()
				return l, m, i + 1, nil
			}
		}
		s.mu.Unlock()
		select {
		case <-s.more:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			return logLine{}, nil, from, fmt.Errorf("no log line matching %q within %s; log:\n%s", re, limit, s.tail(20))
		}
	}
}

func (s *server) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lines)
}

func (s *server) tail(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, l := range s.lines[max(0, len(s.lines)-n):] {
		b.WriteString(l.text + "\n")
	}
	return b.String()
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's CPU times (100 on
// Linux everywhere but a few old architectures).
const clockTicks = 100

// cpuTime is the server's user+system CPU time in clock ticks.
func (s *server) cpuTime() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}

// waitIdle waits until the server used no CPU for 500 ms (at most limit).
func (s *server) waitIdle(limit time.Duration) {
	deadline := time.Now().Add(limit)
	last := s.cpuTime()
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		now := s.cpuTime()
		if now-last <= 1 {
			return
		}
		last = now
	}
}

// memory is the server's resident memory now and at its peak, in MiB.
func (s *server) memory() (rss, peak int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		switch k {
		case "VmRSS":
			rss = kb / 1024
		case "VmHWM":
			peak = kb / 1024
		}
	}
	return rss, peak
}

var (
	servingRE = regexp.MustCompile(`serving (http://\S+) `)
	builtRE   = regexp.MustCompile(`built the site in (\S+)`)
	rebuiltRE = regexp.MustCompile(`rebuilt in .*`)
	evalRE    = regexp.MustCompile(`evaluated nix/docs/default\.nix in (\S+)$`)
	problemRE = regexp.MustCompile(`serve: error: (.*)`)
	indexRE   = regexp.MustCompile(`search index updated in`)
	apiRE     = regexp.MustCompile(`search API index updated in`)
)

// sample is one save: milliseconds from the write to the rebuild's log
// line, to the reloaded page, the evaluation time, and the server's CPU
// time from the write to the rebuild's log line (which the machine's
// other load does not inflate the way it inflates wall-clock times);
// reload is when the tab began reloading.
type sample struct{ rebuilt, reload, visible, painted, eval, cpu float64 }

func measure(size, bin string, args []string, repo, work string, runs, moduleRuns int) error {
	guide := filepath.Join(repo, "content", "getting-started.md")
	module := filepath.Join(repo, "nix", "modules", "pds.nix")
	origGuide, err := os.ReadFile(guide)
	if err != nil {
		return err
	}
	origModule, err := os.ReadFile(module)
	if err != nil {
		return err
	}
	defer os.WriteFile(guide, origGuide, 0o644)
	defer os.WriteFile(module, origModule, 0o644)

	start := time.Now()
	srv, err := startServer(bin, args)
	if err != nil {
		return err
	}
	defer srv.stop()
	l, m, next, err := srv.waitLine(0, servingRE, 15*time.Minute)
	if err != nil {
		return err
	}
	srv.url = m[1]
	built := "?"
	if _, bm, _, err := srv.waitLine(0, builtRE, time.Second); err == nil {
		built = bm[1]
	}
	fmt.Printf("\n== %s: first build %s, serving after %s\n", size, built, l.at.Sub(start).Round(time.Millisecond))
	srv.waitIdle(10 * time.Minute)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	profile, err := os.MkdirTemp(work, "chromium-")
	if err != nil {
		return err
	}
	tab, stopBrowser, err := browsertest.Launch(ctx, profile)
	if err != nil {
		return err
	}
	defer stopBrowser()

	edit := func(file string, content []byte, page, marker string, module bool) (sample, error) {
		var smp sample
		if err := open(tab, srv.url+page); err != nil {
			return smp, err
		}
		srv.waitIdle(2 * time.Minute)
		if err := browsertest.WatchFor(tab, marker); err != nil {
			return smp, err
		}
		from := srv.count()
		cpu0 := srv.cpuTime()
		saved := time.Now()
		if err := os.WriteFile(file, content, 0o644); err != nil {
			return smp, err
		}
		if module {
			el, em, n, err := srv.waitLine(from, evalRE, 5*time.Minute)
			if err != nil {
				return smp, err
			}
			d, _ := time.ParseDuration(em[1])
			smp.eval = ms(d)
			_ = el
			from = n
		}
		rl, _, _, err := srv.waitLine(from, rebuiltRE, 5*time.Minute)
		if err != nil {
			if pl, pm, _, perr := srv.waitLine(from, problemRE, 0); perr == nil {
				_ = pl
				return smp, fmt.Errorf("the edit failed: %s", pm[1])
			}
			return smp, err
		}
		smp.rebuilt = ms(rl.at.Sub(saved))
		smp.cpu = float64(srv.cpuTime()-cpu0) * 1000 / clockTicks
		began, shown, painted, err := browsertest.ShownAt(tab, marker, 2*time.Minute)
		if err != nil {
			return smp, err
		}
		smp.visible = float64(shown-saved.UnixMicro()) / 1000
		smp.painted = float64(painted-saved.UnixMicro()) / 1000
		smp.reload = float64(began-saved.UnixMicro()) / 1000
		return smp, nil
	}

	var guides, modules []sample
	for i := 1; i <= runs; i++ {
		marker := fmt.Sprintf("Benchmark edit %s %d %d.", size, i, time.Now().UnixNano())
		content := append(append([]byte{}, origGuide...), "\n"+marker+"\n"...)
		smp, err := edit(guide, content, "guides/getting-started/", marker, false)
		if err != nil {
			return fmt.Errorf("guide edit %d: %w", i, err)
		}
		guides = append(guides, smp)
	}
	if moduleRuns > 0 {
		// Give the evaluation its first run before timing (Nix caches).
		for i := 1; i <= moduleRuns; i++ {
			marker := fmt.Sprintf("Port edit %s %d %d", size, i, time.Now().UnixNano())
			content := strings.Replace(string(origModule), "TCP port of the HTTP server", marker, 1)
			if content == string(origModule) {
				return errors.New("nix/modules/pds.nix no longer has the description this benchmark edits")
			}
			smp, err := edit(module, []byte(content), "options/services.atproto.pds/", marker, true)
			if err != nil {
				return fmt.Errorf("module edit %d: %w", i, err)
			}
			modules = append(modules, smp)
		}
	}
	srv.waitIdle(time.Minute)
	rss, peak := srv.memory()
	fmt.Printf("server log of the last rebuild: %s\n", lastMatch(srv, rebuiltRE))
	if l := lastMatch(srv, indexRE); l != "" {
		fmt.Printf("server log of the last search index update: %s\n", l)
	}
	if l := lastMatch(srv, apiRE); l != "" {
		fmt.Printf("server log of the last search API update: %s\n", l)
	}
	report("guide edit", guides, false)
	if len(modules) > 0 {
		report("module edit", modules, true)
	}
	fmt.Printf("server memory: %d MiB resident now, %d MiB peak; load average: %s\n", rss, peak, loadAvg())
	_ = next
	return nil
}

func lastMatch(s *server, re *regexp.Regexp) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.lines) - 1; i >= 0; i-- {
		if re.MatchString(s.lines[i].text) {
			return strings.TrimPrefix(s.lines[i].text, "serve: ")
		}
	}
	return ""
}

// open navigates the tab and waits for the live-reload stream.
func open(tab context.Context, url string) error {
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return fmt.Errorf("opening %s: %w", url, err)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ok, err := browsertest.Eval[bool](tab, `document.documentElement.getAttribute("data-live") === "open"`, 5*time.Second)
		if err == nil && ok {
			return nil
		}
	}
	return fmt.Errorf("%s: the live-reload stream did not open", url)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func report(what string, s []sample, module bool) {
	col := func(f func(sample) float64) string {
		v := make([]float64, len(s))
		for i, x := range s {
			v[i] = f(x)
		}
		all := make([]string, len(v))
		for i, x := range v {
			all[i] = strconv.FormatFloat(x, 'f', 0, 64)
		}
		slices.Sort(v)
		return fmt.Sprintf("median %5.0f ms  min %5.0f  max %5.0f   (%s)", v[len(v)/2], v[0], v[len(v)-1], strings.Join(all, " "))
	}
	fmt.Printf("%s, save → rebuilt: %s\n", what, col(func(x sample) float64 { return x.rebuilt }))
	fmt.Printf("%s, save → reload:  %s\n", what, col(func(x sample) float64 { return x.reload }))
	fmt.Printf("%s, save → visible: %s\n", what, col(func(x sample) float64 { return x.visible }))
	fmt.Printf("%s, save → painted: %s\n", what, col(func(x sample) float64 { return x.painted }))
	fmt.Printf("%s, server CPU:     %s\n", what, col(func(x sample) float64 { return x.cpu }))
	if module {
		fmt.Printf("%s, evaluation:     %s\n", what, col(func(x sample) float64 { return x.eval }))
		fmt.Printf("%s, visible − eval: %s\n", what, col(func(x sample) float64 { return x.visible - x.eval }))
	}
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\nprocessor") + 1
}
