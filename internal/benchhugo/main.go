// Command benchhugo measures `hugo server` the way internal/benchserve
// measures `nurdocs serve`, for comparison: it generates a Hugo site of
// about as many pages as the preview's largest site (a page per
// generated package, like nurdocs' package pages, plus a guide), starts
// hugo server in its default fast render mode, opens the guide in a
// headless Chromium tab, appends a line to the guide and records save →
// rebuilt (hugo's "Total in" log line), save → visible (the new text in
// the tab's DOM) and save → painted. It needs hugo on PATH (Debian:
// apt-get install hugo).
//
//	go run ./internal/benchhugo [-pages 38371] [-runs 5]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
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

	"github.com/atproto-nur/atproto-nur/internal/browsertest"
	"github.com/chromedp/chromedp"
)

func main() {
	pages := flag.Int("pages", 38371, "pages to generate (the preview's largest site has 38,371)")
	runs := flag.Int("runs", 5, "guide edits")
	flag.Parse()
	if err := run(*pages, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "benchhugo:", err)
		os.Exit(1)
	}
}

const (
	baseof = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>
<link rel="stylesheet" href="/style.css"></head><body><header><a href="/">Site</a></header>
<main id="main">{{ block "main" . }}{{ end }}</main><footer>Built by Hugo.</footer></body></html>
`
	single = `{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ .Content }}</article>{{ end }}
`
	list = `{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
`
	guideText = `---
title: Getting started
---
# Getting started

Install the packages with flakes or a channel, and add the modules to a
system configuration. This page is the one the benchmark edits.
`
)

// generate writes the Hugo site: packages/pN.md pages with a paragraph
// each, the guide, a style sheet and the layouts.
func generate(dir string, pages int) error {
	files := map[string]string{
		"hugo.toml":                         "baseURL = \"/\"\ntitle = \"benchhugo\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\"]\n",
		"layouts/_default/baseof.html":      baseof,
		"layouts/_default/single.html":      single,
		"layouts/_default/list.html":        list,
		"static/style.css":                  "body { font: 16px/1.5 sans-serif; max-width: 60rem; margin: auto }\n",
		"content/guides/getting-started.md": guideText,
	}
	for rel, text := range files {
		if err := write(filepath.Join(dir, rel), text); err != nil {
			return err
		}
	}
	for i := 1; i < pages; i++ {
		text := fmt.Sprintf("---\ntitle: package-%d\n---\nPackage %d is a generated page with a paragraph of text, "+
			"as long as a package description: a tool that does one thing, with a homepage and a licence.\n", i, i)
		if err := write(filepath.Join(dir, "content", "packages", fmt.Sprintf("p%d.md", i)), text); err != nil {
			return err
		}
	}
	return nil
}

func write(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// hugoServer is a running hugo server and the lines of its log.
type hugoServer struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []logLine
}

type logLine struct {
	at   time.Time
	text string
}

var (
	readyRE = regexp.MustCompile(`Web Server is available at`)
	totalRE = regexp.MustCompile(`Total in (\d+) ms`)
)

func (h *hugoServer) waitLine(from int, re *regexp.Regexp, limit time.Duration) (logLine, int, error) {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		h.mu.Lock()
		for i := from; i < len(h.lines); i++ {
			if re.MatchString(h.lines[i].text) {
				l := h.lines[i]
				h.mu.Unlock()
				return l, i + 1, nil
			}
		}
		h.mu.Unlock()
	}
	return logLine{}, from, fmt.Errorf("hugo server logged no line matching %q within %s", re, limit)
}

func (h *hugoServer) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.lines)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func run(pages, runs int) error {
	if _, err := exec.LookPath("hugo"); err != nil {
		return errors.New("hugo not found on PATH (Debian: apt-get install hugo)")
	}
	work, err := os.MkdirTemp("", "nurdocs-benchhugo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	site := filepath.Join(work, "site")
	if err := generate(site, pages); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	fmt.Printf("load average at start: %s\n", loadAvg())
	h := &hugoServer{cmd: exec.Command("hugo", "server", "--source", site, "--bind", "127.0.0.1", "--port", strconv.Itoa(port))}
	out, err := h.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	h.cmd.Stderr = h.cmd.Stdout
	start := time.Now()
	if err := h.cmd.Start(); err != nil {
		return err
	}
	defer func() {
		h.cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { h.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			h.cmd.Process.Kill()
			<-done
		}
	}()
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			h.mu.Lock()
			h.lines = append(h.lines, logLine{time.Now(), sc.Text()})
			h.mu.Unlock()
		}
	}()
	if _, _, err := h.waitLine(0, readyRE, 15*time.Minute); err != nil {
		return err
	}
	fmt.Printf("hugo server: %d pages, serving after %s\n", pages, time.Since(start).Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	tab, stop, err := browsertest.Launch(ctx, filepath.Join(work, "chromium"))
	if err != nil {
		return err
	}
	defer stop()
	guide := filepath.Join(site, "content", "guides", "getting-started.md")
	url := fmt.Sprintf("http://127.0.0.1:%d/guides/getting-started/", port)
	var rebuilt, visible, painted []float64
	for i := 1; i <= runs; i++ {
		if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
			return err
		}
		// hugo's livereload script connects once the page has loaded.
		time.Sleep(time.Second)
		marker := fmt.Sprintf("Benchmark edit %d %d.", i, time.Now().UnixNano())
		if err := browsertest.WatchFor(tab, marker); err != nil {
			return err
		}
		from := h.count()
		saved := time.Now()
		if err := write(guide, guideText+"\n"+marker+"\n"); err != nil {
			return err
		}
		l, _, err := h.waitLine(from, totalRE, 2*time.Minute)
		if err != nil {
			return err
		}
		_, shown, drawn, err := browsertest.ShownAt(tab, marker, 2*time.Minute)
		if err != nil {
			return err
		}
		rebuilt = append(rebuilt, float64(l.at.Sub(saved).Microseconds())/1000)
		visible = append(visible, float64(shown-saved.UnixMicro())/1000)
		painted = append(painted, float64(drawn-saved.UnixMicro())/1000)
	}
	report("save → rebuilt", rebuilt)
	report("save → visible", visible)
	report("save → painted", painted)
	fmt.Printf("hugo server memory: %s; load average at end: %s\n", memory(h.cmd.Process.Pid), loadAvg())
	return nil
}

func report(what string, v []float64) {
	all := make([]string, len(v))
	for i, x := range v {
		all[i] = strconv.FormatFloat(x, 'f', 0, 64)
	}
	s := slices.Clone(v)
	slices.Sort(s)
	fmt.Printf("guide edit, %s: median %5.0f ms  min %5.0f  max %5.0f   (%s)\n", what, s[len(s)/2], s[0], s[len(s)-1], strings.Join(all, " "))
}

func memory(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, _ := strings.Cut(line, ":"); k == "VmRSS" {
			return strings.TrimSpace(v) + " resident"
		}
	}
	return "?"
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
