// Package browsertest drives the system Chromium for the site's browser
// tests (chromedp) and supplies axe-core, the accessibility checker, from
// the npm registry. Tests skip with one line naming what is missing.
package browsertest

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Chromium finds a Chromium binary; $NURDOCS_CHROMIUM overrides.
func Chromium() string {
	if p := os.Getenv("NURDOCS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts headless Chromium with a fresh profile and returns a tab;
// the browser stops when the test ends. limit bounds the whole session.
func New(t testing.TB, limit time.Duration) context.Context {
	t.Helper()
	if Chromium() == "" {
		t.Skip("skipped: Chromium not found (apt-get install chromium, or set NURDOCS_CHROMIUM to its path)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	t.Cleanup(cancel)
	tab, stop, err := Launch(ctx, t.TempDir())
	t.Cleanup(stop)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// Launch starts headless Chromium with the profile folder dataDir (fresh
// and empty) and returns a tab, for programs outside tests (the preview
// benchmark); stop ends the browser. ctx bounds the whole session.
func Launch(ctx context.Context, dataDir string) (tab context.Context, stop func(), err error) {
	path := Chromium()
	if path == "" {
		return nil, func() {}, errors.New("Chromium not found (apt-get install chromium, or set NURDOCS_CHROMIUM to its path)")
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(dataDir),
		chromedp.WindowSize(1280, 900))
	tab, cancelTab := chromedp.NewContext(alloc)
	stop = func() { cancelTab(); cancelAlloc() }
	// The first run on the tab's own context owns the browser.
	if err := chromedp.Do(tab); err != nil {
		stop()
		return nil, func() {}, fmt.Errorf("starting %s: %w", path, err)
	}
	return tab, stop, nil
}

// Viewport sets the tab's width (a phone when under 600 px) and its
// colour scheme, "light" or "dark".
func Viewport(ctx context.Context, width int64, scheme string) error {
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if width < 600 {
		opts = append(opts, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900, opts...)); err != nil {
		return fmt.Errorf("viewport %d px: %w", width, err)
	}
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
	if err != nil {
		return fmt.Errorf("colour scheme %s: %w", scheme, err)
	}
	return nil
}

// Serve serves dir on a loopback port until the test ends and returns the
// site's root URL.
func Serve(t testing.TB, dir string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/"
}

// Eval evaluates a JavaScript expression in the page, awaiting promises.
func Eval[T any](ctx context.Context, expr string, limit time.Duration) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// axeVersion is the axe-core major version the tests run.
const axeVersion = "4"

var (
	axeOnce sync.Once
	axeSrc  string
	axeErr  error
)

// Axe returns the source of axe.min.js, or skips the test. $NURDOCS_AXE
// names a copy; otherwise it is taken from the npm registry once
// (`npm pack axe-core@4`) into the user's cache folder.
func Axe(t testing.TB) string {
	t.Helper()
	src, err := AxeSource()
	if err != nil {
		t.Skipf("skipped: axe-core not available: %v", err)
	}
	return src
}

// AxeSource is Axe for tests that go on without axe-core.
func AxeSource() (string, error) {
	axeOnce.Do(func() { axeSrc, axeErr = loadAxe() })
	return axeSrc, axeErr
}

func loadAxe() (string, error) {
	if p := os.Getenv("NURDOCS_AXE"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("$NURDOCS_AXE: %w", err)
		}
		return string(b), nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder for axe-core: %w", err)
	}
	dir := filepath.Join(cache, "nurdocs", "axe-core-"+axeVersion)
	file := filepath.Join(dir, "axe.min.js")
	if b, err := os.ReadFile(file); err == nil {
		return string(b), nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", errors.New("npm not found to fetch axe-core (apt-get install npm, or set NURDOCS_AXE to axe.min.js)")
	}
	tmp, err := os.MkdirTemp("", "nurdocs-axe-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "pack", "--silent", "axe-core@"+axeVersion)
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("npm pack axe-core@%s: %w: %s", axeVersion, err, strings.TrimSpace(string(out)))
	}
	tgz := filepath.Join(tmp, strings.TrimSpace(lastLine(string(out))))
	src, err := fromTarball(tgz, "package/axe.min.js")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Written under a temporary name and renamed: parallel test binaries
	// never read half a file.
	part := file + fmt.Sprintf(".%d", os.Getpid())
	if err := os.WriteFile(part, []byte(src), 0o644); err != nil {
		return "", err
	}
	return src, os.Rename(part, file)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// fromTarball reads one file from a .tgz.
func fromTarball(tgz, name string) (string, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return "", err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", tgz, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return "", fmt.Errorf("%s: no %s in it", tgz, name)
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", tgz, err)
		}
		if h.Name == name {
			b, err := io.ReadAll(tr)
			return string(b), err
		}
	}
}

// Violation is one axe-core rule that failed on a page.
type Violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
	Summary string   `json:"summary"`
}

func (v Violation) String() string {
	t := v.Targets
	more := ""
	if len(t) > 3 {
		more = fmt.Sprintf(" and %d more", len(t)-3)
		t = t[:3]
	}
	return fmt.Sprintf("%s (%s): %s at %s%s: %s", v.ID, v.Impact, v.Help, strings.Join(t, ", "), more, v.Summary)
}

// RunAxe runs axe-core (source from Axe) on the page and returns its
// serious and critical violations.
func RunAxe(ctx context.Context, src string) ([]Violation, error) {
	if _, err := Eval[bool](ctx, `(() => { if (!window.axe) { (0, eval)(`+jsString(src)+`); } return !!window.axe; })()`, 20*time.Second); err != nil {
		return nil, fmt.Errorf("loading axe-core: %w", err)
	}
	vs, err := Eval[[]Violation](ctx, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
		.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => ({id: v.id, impact: v.impact, help: v.help,
			targets: v.nodes.map(n => n.target.join(' ')),
			summary: (v.nodes[0] && v.nodes[0].failureSummary || '').replace(/\s+/g, ' ').slice(0, 300)})))`, 90*time.Second)
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	return vs, nil
}

// jsString quotes s as a JavaScript string literal (JSON is a subset).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
