package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/atproto-nur/atproto-nur/internal/browsertest"
)

// screenshotEnv names the folder TestScreenshots writes into; without it
// the test is skipped (scripts/screenshots sets it).
const screenshotEnv = "NURDOCS_SCREENSHOTS"

// maxShotHeight bounds a screenshot: the NixOS all-options page is
// 400,000 px tall, and a tall image is shrunk past reading.
const maxShotHeight = 2400

// TestScreenshots writes a PNG of every page kind of the repository's
// site and of the NixOS-corpus site at 390 and 1280 px, light and dark,
// for a reviewer to look at: NAME-WIDTH-SCHEME.png, the page from its top
// to at most 2,400 px down.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv(screenshotEnv)
	if dir == "" {
		t.Skip("skipped: set " + screenshotEnv + " to a folder (scripts/screenshots does) to write screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t, 15*time.Minute)
	written := 0
	for _, s := range []*builtSite{repoSite(t), nixosSite(t)} {
		for _, width := range []int64{390, 1280} {
			for _, scheme := range []string{"light", "dark"} {
				if err := browsertest.Viewport(ctx, width, scheme); err != nil {
					t.Fatal(err)
				}
				for _, p := range pageKinds(s.name == "NixOS", s.nixpkgs()) {
					if err := open(ctx, s.root+p); err != nil {
						t.Fatal(err)
					}
					// Rows off screen are rendered only when scrolled to
					// (content-visibility: auto): for a picture of the whole
					// page they are rendered now. Search results settle.
					if _, err := browsertest.Eval[bool](ctx, `(document.head.insertAdjacentHTML('beforeend',
						'<style>ul.plain li { content-visibility: visible !important; }</style>'), true)`, 10*time.Second); err != nil {
						t.Fatal(err)
					}
					name := fmt.Sprintf("%s-%s-%d-%s.png", strings.ToLower(s.name), shotName(p), width, scheme)
					if err := capture(ctx, filepath.Join(dir, name), width, 0, maxShotHeight); err != nil {
						t.Fatalf("screenshot of /%s: %v", p, err)
					}
					written++
				}
			}
		}
	}
	t.Logf("%d screenshots in %s", written, dir)
}

// capture writes a PNG of the page from y down, at most maxHeight px,
// once what was just changed on it has settled.
func capture(ctx context.Context, file string, width int64, y, maxHeight float64) error {
	time.Sleep(300 * time.Millisecond)
	h, err := browsertest.Eval[float64](ctx, `document.documentElement.scrollHeight`, 10*time.Second)
	if err != nil {
		return err
	}
	png, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: ptr(true), FromSurface: ptr(true),
		Clip: &page.Viewport{X: 0, Y: y, Width: float64(width), Height: min(h-y, maxHeight), Scale: 1}})
	if err != nil {
		return err
	}
	return os.WriteFile(file, png.Data, 0o644)
}

// shotName turns a site path into a file name part.
func shotName(p string) string {
	if p == "" {
		return "home"
	}
	r := strings.NewReplacer("/", "_", "?", "_", "=", "-", ".html", "")
	return strings.Trim(r.Replace(p), "_")
}

func ptr[T any](v T) *T { return &v }
