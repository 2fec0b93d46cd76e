package e2e

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/internal/browsertest"
)

// layoutReport is what one page looks like at one width.
type layoutReport struct {
	Width     int      `json:"width"`     // the document's scroll width
	Viewport  int      `json:"viewport"`  // the window's inner width
	H1        []string `json:"h1"`        // text of every h1
	Offenders []string `json:"offenders"` // elements reaching past the right edge
}

// layoutJS measures the page against the window width it is called with
// (a phone browser zooms out to fit wide content, so the window's own
// width grows with it): its scroll width, its h1s and the innermost
// elements that stick out to the right (for the message).
const layoutJS = `((vw) => {
	const out = [], width = Math.max(document.documentElement.scrollWidth, window.innerWidth);
	// Elements are looked at only when the page is too wide: on 20,000 rows
	// that takes seconds.
	if (width > vw) for (const e of document.querySelectorAll('body *')) {
		const r = e.getBoundingClientRect();
		if (r.width === 0 || r.right <= vw + 1) continue;
		let clipped = false;
		for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
			const ox = getComputedStyle(p).overflowX;
			if (ox !== 'visible') { clipped = true; break; }
		}
		if (clipped) continue;
		if (Array.from(e.children).some(c => c.getBoundingClientRect().right > vw + 1)) continue;
		out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/\s+/g, '.') : '') +
			' right=' + Math.round(r.right) + ' "' + (e.textContent || '').trim().slice(0, 40) + '"');
		if (out.length === 5) break;
	}
	return {width: width, viewport: vw,
		h1: Array.from(document.querySelectorAll('h1')).map(h => h.textContent.trim()), offenders: out};
})`

// checkLayout fails t when the page scrolls sideways or has not exactly
// one h1.
func checkLayout(t *testing.T, ctx context.Context, label string, width int) {
	t.Helper()
	r, err := browsertest.Eval[layoutReport](ctx, fmt.Sprintf("%s(%d)", layoutJS, width), 30*time.Second)
	if err != nil {
		t.Fatalf("%s: measuring: %v", label, err)
	}
	if r.Width > r.Viewport {
		t.Errorf("%s: %d px wide in a %d px window (scrolls sideways); sticking out: %s", label, r.Width, r.Viewport, strings.Join(r.Offenders, "; "))
	}
	if len(r.H1) != 1 {
		t.Errorf("%s: %d h1 headings %q, want exactly one", label, len(r.H1), r.H1)
	}
}

// TestPagesOnPhonesAndAxe opens every page kind of the repository's site
// and of the NixOS-corpus site at 390 px in light and dark mode, and at
// 1280 px in light mode: no page
// scrolls sideways, each has one h1, and axe-core finds no serious or
// critical violation. Every guide, module page and package page of the
// repository is checked for overflow and headings too.
func TestPagesOnPhonesAndAxe(t *testing.T) {
	axe := browsertest.Axe(t)
	ctx := browsertest.New(t, 20*time.Minute)
	sites := []*builtSite{repoSite(t)}
	if testing.Short() {
		t.Log("the NixOS-corpus site is skipped in -short mode")
	} else {
		sites = append(sites, nixosSite(t))
	}
	for _, s := range sites {
		nixos := s.name == "NixOS"
		// Phones in both schemes, and the desktop layout (side lists open)
		// in light.
		for _, view := range []struct {
			width  int64
			scheme string
		}{{390, "light"}, {390, "dark"}, {1280, "light"}} {
			if err := browsertest.Viewport(ctx, view.width, view.scheme); err != nil {
				t.Fatal(err)
			}
			for _, p := range pageKinds(nixos, s.nixpkgs()) {
				label := fmt.Sprintf("%s site /%s at %d px %s", s.name, p, view.width, view.scheme)
				if err := open(ctx, s.root+p); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(p, "?q=") {
					if _, err := browsertest.Eval[bool](ctx, `new Promise((ok, fail) => { const t0 = Date.now(); (function wait() {
						if (document.querySelector('#search-page .search-result')) ok(true);
						else if (Date.now() - t0 > 20000) fail(new Error('no results shown')); else setTimeout(wait, 20); })(); })`, 30*time.Second); err != nil {
						t.Fatalf("%s: %v", label, err)
					}
				}
				checkLayout(t, ctx, label, int(view.width))
				if nixos && strings.HasSuffix(p, "all-options/") {
					// axe-core needs minutes for 20,919 rows: it checks the
					// same rows' markup as the filter shows them, with the
					// full list (set aside while filtering) taken out.
					if _, err := browsertest.Eval[bool](ctx, typeFilterJS+"('nginx').then(() => (document.getElementById('all-options').remove(), true))", 30*time.Second); err != nil {
						t.Fatalf("%s: filtering: %v", label, err)
					}
				}
				vs, err := browsertest.RunAxe(ctx, axe)
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				for _, v := range vs {
					t.Errorf("%s: axe-core: %s", label, v)
				}
			}
		}
		// Overflow and headings on every guide, module and package page of
		// the repository, and on the 25 largest NixOS module pages.
		if err := browsertest.Viewport(ctx, 390, "light"); err != nil {
			t.Fatal(err)
		}
		var all []string
		if nixos {
			all = largest(t, s, pagesUnder(t, s, "scope/NixOS/options"), 25)
		} else {
			for _, sub := range []string{"guides", "options", "packages"} {
				all = append(all, pagesUnder(t, s, sub)...)
			}
		}
		for _, p := range all {
			if err := open(ctx, s.root+p); err != nil {
				t.Fatal(err)
			}
			checkLayout(t, ctx, fmt.Sprintf("%s site /%s at 390 px", s.name, p), 390)
		}
		t.Logf("%s site: %d pages checked for overflow and headings at 390 px", s.name, len(all)+len(pageKinds(nixos, s.nixpkgs())))
	}
}

// largest returns the n largest of the pages, by file size.
func largest(t *testing.T, s *builtSite, pages []string, n int) []string {
	t.Helper()
	size := map[string]int64{}
	for _, p := range pages {
		f := filepath.Join(s.dir, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			f = filepath.Join(f, "index.html")
		}
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		size[p] = fi.Size()
	}
	sorted := slices.Clone(pages)
	slices.SortFunc(sorted, func(a, b string) int { return cmp.Compare(size[b], size[a]) })
	return sorted[:min(n, len(sorted))]
}
