package serve

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/internal/browsertest"
	"github.com/chromedp/chromedp"
)

// TestBrowserReloadAndOverlay drives a real headless Chromium tab: a
// guide edit swaps the new content into the page in place (no reload, the
// scroll position and the page's scripts kept, nurdocs.js run over the new
// content), a style sheet edit and a change around <main> reload it, a
// template error puts the overlay (message, file:line) over the last good
// page, a page opened while broken shows the overlay at once, error text
// is shown as text, and the fix clears it.
func TestBrowserReloadAndOverlay(t *testing.T) {
	tab := browsertest.New(t, 120*time.Second)
	repo := fixture(t)
	guide := filepath.Join(repo, "content", "getting-started.md")
	tmpl := filepath.Join(repo, "themes", "default", "templates", "guide.html")
	base := filepath.Join(repo, "themes", "default", "templates", "base.html")
	css := filepath.Join(repo, "themes", "default", "static", "style.css")
	goodTmpl, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, Config{Site: siteConfig(repo), Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceNone}})
	page := srv.url + "guides/getting-started/"

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(c, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(expr string) bool {
		t.Helper()
		c, cancel := context.WithTimeout(tab, 5*time.Second)
		defer cancel()
		v, err := chromedp.Run(c, chromedp.Evaluate[bool](expr))
		if err != nil && os.Getenv("SERVE_DEBUG") != "" {
			t.Logf("%s: %v", expr, err)
		}
		return err == nil && v
	}
	// waitFor retries across page reloads, which break a running poll.
	waitFor := func(what, expr string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if eval(expr) {
				return
			}
		}
		t.Fatalf("%s: %s not true within 30s", what, expr)
	}
	// The marker lives until the page reloads.
	mark := func() {
		t.Helper()
		if !eval(`(window.__notReloaded = true)`) {
			t.Fatal("could not mark the page")
		}
	}
	// Wait for the event stream to be open before changing files.
	connected := `document.documentElement.getAttribute("data-live") === "open"`

	do("open the guide", chromedp.Navigate(page))
	mark()
	waitFor("live stream", connected)

	// A guide edit: the new text (with a table, which nurdocs.js wraps in
	// a scrolling box) is swapped into this page, which is not reloaded.
	long := strings.Repeat("\n\nA paragraph that makes the page long enough to scroll.", 300)
	table := "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
	writeFile(t, guide, strings.Replace(guideV1, "First version", "Long version", 1)+table+long)
	waitFor("swap after the edit", `document.body.innerText.includes("Long version of the guide.")`)
	if !eval(`window.__notReloaded === true && document.documentElement.hasAttribute("data-live-swapped")`) {
		t.Fatal("the guide edit reloaded the page; want its content swapped in place")
	}
	waitFor("nurdocs.js ran over the new content", `document.querySelector("main .table-wrap > table") !== null`)
	if !eval(`document.title.startsWith("Getting started") && document.querySelectorAll("main#main").length === 1`) {
		t.Error("after the swap the page has no single main or lost its title")
	}

	// The scroll position stays.
	if !eval(`(window.scrollTo(0, 2000), window.scrollY > 1900)`) {
		t.Fatal("could not scroll the long guide")
	}
	writeFile(t, guide, strings.Replace(guideV1, "First version", "Second version", 1)+table+long)
	waitFor("swap after the second edit", `document.body.innerText.includes("Second version of the guide.")`)
	if !eval(`window.__notReloaded === true && window.scrollY > 1900`) {
		t.Error("the second edit reloaded the page or lost the scroll position")
	}

	// A style sheet edit reloads: the page's sheets must be fetched anew.
	writeFile(t, css, readFile(t, css)+"\n.edited-by-the-test { color: red }\n")
	waitFor("reload after the style sheet edit", `!window.__notReloaded && document.readyState === "complete"`)
	waitFor("scroll position kept", `window.scrollY > 1900`)
	mark()
	waitFor("live stream", connected)

	// A change outside <main> (the page frame) reloads too.
	writeFile(t, base, strings.Replace(readFile(t, base), `<body class="page-{{.Section}}">`, `<body class="page-{{.Section}}" data-edited>`, 1))
	waitFor("reload after the frame changed", `!window.__notReloaded && document.body.hasAttribute("data-edited") && document.readyState === "complete"`)
	mark()
	waitFor("live stream", connected)

	bad := strings.Replace(string(goodTmpl), `{{define "content"}}`, "{{define \"content\"}}\n<p>\n{{.NoSuchField}}", 1)
	writeFile(t, tmpl, bad)
	waitFor("overlay", `(() => { const o = document.getElementById("nurdocs-overlay");
		return !!o && o.innerText.includes("NoSuchField") && o.innerText.includes("themes/default/templates/guide.html:3") })()`)
	stillThere := eval(`document.body.innerText.includes("Second version of the guide.")`)
	noReload := eval(`window.__notReloaded === true`)
	if !stillThere || !noReload {
		t.Errorf("during the error: old page shown %v, tab not reloaded %v; want both", stillThere, noReload)
	}

	// A tab opened while the error is current shows it on load.
	do("open while broken", chromedp.Navigate(srv.url))
	waitFor("overlay on load", `(() => { const o = document.getElementById("nurdocs-overlay");
		return !!o && o.innerText.includes("NoSuchField") })()`)

	writeFile(t, tmpl, string(goodTmpl))
	waitFor("overlay cleared", `!document.getElementById("nurdocs-overlay") && document.readyState === "complete"`)
	waitFor("live stream", connected)

	// Error text that looks like markup is shown as text.
	mark()
	writeFile(t, guide, "---\ntitle: x\nweight: <img src=x onerror=\"window.__pwned=1\">\n---\n")
	waitFor("overlay for front matter", `(() => { const o = document.getElementById("nurdocs-overlay");
		return !!o && o.innerText.includes("getting-started.md:3") && o.innerText.includes("<img") })()`)
	if eval(`document.querySelectorAll("#nurdocs-overlay img").length > 0 || !!window.__pwned`) {
		t.Errorf("error text became markup in the overlay")
	}
}

// TestBrowserMarkdownDiagnostics saves a guide with an unclosed ::: block
// and an unknown {option} reference: the page the writer looks at lists
// both with file:line after the save, readable in light mode;
// Dismiss hides the list across reloads that do not change it, and the
// fix clears it.
func TestBrowserMarkdownDiagnostics(t *testing.T) {
	repo := fixture(t)
	guide := filepath.Join(repo, "content", "getting-started.md")
	srv := start(t, Config{Site: siteConfig(repo), Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceNone}})
	tab := browsertest.New(t, 2*time.Minute)
	if err := browsertest.Viewport(tab, 1280, "light"); err != nil {
		t.Fatal(err)
	}
	eval := func(expr string) bool {
		v, err := browsertest.Eval[bool](tab, expr, 5*time.Second)
		return err == nil && v
	}
	// waitFor retries across page reloads, which break a running poll.
	waitFor := func(what, expr string, limit time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		for time.Since(start) < limit {
			if eval(expr) {
				return time.Since(start)
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("%s: %s not true within %s", what, expr, limit)
		return 0
	}
	connected := `document.documentElement.getAttribute("data-live") === "open"`
	if err := chromedp.Do(tab, chromedp.Navigate(srv.url+"guides/getting-started/")); err != nil {
		t.Fatal(err)
	}
	waitFor("live stream", connected, 30*time.Second)

	broken := guideV1 + "\nSee {option}`services.atproto.nope.enable`.\n\n::: {.note}\nNever closed.\n"
	shown := `(() => { const o = document.getElementById("nurdocs-overlay"); if (!o) return false;
		const t = o.innerText; return t.includes("Markdown problem") && t.includes("content/getting-started.md:9") &&
		t.includes("services.atproto.nope.enable") && t.includes("content/getting-started.md:11") && t.includes("unclosed admonition"); })()`
	// The first save after a page opens can wait on the watcher's start;
	// the timing is taken on a save like every later one.
	writeFile(t, guide, guideV1+"\nWarm-up edit.\n")
	waitFor("reload after the warm-up edit", `document.body.innerText.includes("Warm-up edit.")`, 30*time.Second)
	waitFor("live stream", connected, 30*time.Second)
	writeFile(t, guide, broken)
	took := waitFor("the Markdown problems in the page", shown, 30*time.Second)
	// Logged, not asserted: a timed test fails on a busy machine whatever
	// the server does; benchserve measures save to visible on a quiet one.
	t.Logf("Markdown problems shown %s after the save", took.Round(time.Millisecond))
	// Readable in light mode: the page's code background must not reach
	// the overlay's text.
	if !eval(`(() => { const pre = document.querySelector("#nurdocs-overlay pre"), s = getComputedStyle(pre);
		return s.backgroundColor === "rgba(0, 0, 0, 0)" && s.color === "rgb(240, 240, 240)" &&
			getComputedStyle(document.getElementById("nurdocs-overlay")).backgroundColor === "rgba(18, 18, 18, 0.97)"; })()`) {
		t.Error("the overlay's message takes colours from the page in light mode")
	}
	if axe, err := browsertest.AxeSource(); err != nil {
		t.Logf("axe-core check of the overlay skipped: %v", err)
	} else {
		vs, err := browsertest.RunAxe(tab, axe)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("overlay: axe-core: %s", v)
		}
	}

	// Dismissed, it stays away while the problems stay the same.
	if !eval(`(document.querySelector("#nurdocs-overlay button").click(), !document.getElementById("nurdocs-overlay"))`) {
		t.Fatal("Dismiss did not close the overlay")
	}
	waitFor("live stream", connected, 30*time.Second)
	writeFile(t, guide, strings.Replace(broken, "Never closed.", "Never closed, still.", 1))
	waitFor("reload after an edit", `document.body.innerText.includes("Never closed, still.")`, 30*time.Second)
	time.Sleep(200 * time.Millisecond)
	if eval(`!!document.getElementById("nurdocs-overlay")`) {
		t.Error("a dismissed list came back although its problems did not change")
	}
	// The fix clears it.
	waitFor("live stream", connected, 30*time.Second)
	writeFile(t, guide, guideV1+"\nFixed.\n")
	waitFor("reload after the fix", `document.body.innerText.includes("Fixed.") && !document.getElementById("nurdocs-overlay")`, 30*time.Second)
}

// TestBrowserSearchFollowsEdit: a heading added to a guide under the
// preview is found by the site's own search page in Chromium once the
// preview brought its search index up to date, and the result leads to
// the guide.
func TestBrowserSearchFollowsEdit(t *testing.T) {
	repo := fixture(t)
	guide := filepath.Join(repo, "content", "getting-started.md")
	srv := start(t, Config{Site: siteConfig(repo), Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceNone}, NoSearchAPI: true})
	tab := browsertest.New(t, 2*time.Minute)
	results := func() []string {
		t.Helper()
		c, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(c, chromedp.Navigate(srv.url+"search/?q=quokka")); err != nil {
			t.Fatal(err)
		}
		// The page answers from the index; wait for its count line.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			hrefs, err := browsertest.Eval[[]string](tab, `(() => { const s = document.querySelector(".search-status");
				if (!s || !/result/.test(s.textContent)) return null;
				return [...document.querySelectorAll("li.search-result a")].map(a => a.getAttribute("href")); })()`, 5*time.Second)
			if err == nil && hrefs != nil {
				return hrefs
			}
		}
		body, _ := browsertest.Eval[string](tab, `document.getElementById("search-page") ? document.getElementById("search-page").outerHTML : document.body.innerText`, 5*time.Second)
		t.Fatalf("the search page never showed its result count: %.600s", body)
		return nil
	}
	// The index is written once the first build is served.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if code, _, _ := get(t, srv.url+"search/manifest.json"); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the preview never wrote its search index")
		}
	}
	if got := results(); len(got) != 0 {
		t.Fatalf("quokka found before the edit: %v", got)
	}
	writeFile(t, guide, guideV1+"\n## Quokka habitats\n\nIslands off Western Australia.\n")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got := results()
		if len(got) > 0 {
			if !strings.Contains(got[0], "guides/getting-started/") {
				t.Errorf("the first result for quokka leads to %s, want the guide", got[0])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the new heading was never found by the search page")
		}
	}
}
