package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/atproto-nur/atproto-nur/internal/browsertest"
)

// must evaluates a JavaScript expression or fails the test.
func must[T any](t *testing.T, ctx context.Context, what, expr string) T {
	t.Helper()
	v, err := browsertest.Eval[T](ctx, expr, 20*time.Second)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// until waits for a JavaScript expression to be true, across reloads.
func until(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok, err := browsertest.Eval[bool](ctx, expr, 2*time.Second); err == nil && ok {
			return
		}
	}
	loc, _ := browsertest.Eval[string](ctx, `location.href`, 2*time.Second)
	t.Fatalf("%s: %s not true within 20 s (at %s)", what, expr, loc)
}

// keys sends key presses to the focused element.
func keys(t *testing.T, ctx context.Context, what string, k ...string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for _, key := range k {
		if err := chromedp.Do(c, chromedp.KeyEvent(key)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

// TestKeyboardPaths walks the site with the keyboard: a search filter
// chosen with Enter keeps focus, Enter on "See all" opens the search page
// with the query, which shows more results on request; the option list
// of a module page follows a deep link; the guide list marks the current
// guide; on a phone module pages and guides start with their content.
func TestKeyboardPaths(t *testing.T) {
	s := repoSite(t)
	ctx := browsertest.New(t, 5*time.Minute)
	if err := browsertest.Viewport(ctx, 1280, "light"); err != nil {
		t.Fatal(err)
	}

	// A filter button chosen with Enter keeps the focus.
	if err := open(ctx, s.root); err != nil {
		t.Fatal(err)
	}
	must[bool](t, ctx, "focusing the search box", `(document.getElementById('search-input').focus(), true)`)
	keys(t, ctx, "typing", "pds")
	until(t, ctx, "drop-down results", `document.getElementById('search-results').getAttribute('data-query') === 'pds'`)
	// The open drop-down passes axe-core too (listbox, options, names).
	if axe, err := browsertest.AxeSource(); err != nil {
		t.Logf("axe-core check of the drop-down skipped: %v", err)
	} else {
		vs, err := browsertest.RunAxe(ctx, axe)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("open search drop-down: axe-core: %s", v)
		}
	}
	keys(t, ctx, "tabbing to the filters", kb.Tab, kb.Tab)
	if k := must[string](t, ctx, "reading focus", `document.activeElement.getAttribute('data-kind')`); k != "option" {
		t.Fatalf("two Tabs from the search box reach %q, want the Options filter", k)
	}
	keys(t, ctx, "choosing Options", kb.Enter)
	until(t, ctx, "the Options filter pressed", `document.querySelector('#search-results .search-filter[data-kind="option"]').getAttribute('aria-pressed') === 'true'`)
	if k := must[string](t, ctx, "reading focus", `document.activeElement.classList.contains('search-filter') ? document.activeElement.getAttribute('data-kind') : document.activeElement.tagName`); k != "option" {
		t.Errorf("after Enter on the Options filter the focus is on %q, want that filter", k)
	}

	// "See all N results" is the drop-down's last option: Enter on it opens
	// the search page with the query.
	must[bool](t, ctx, "all kinds again", `(document.querySelector('#search-results .search-filter[data-kind=""]').click(), true)`)
	until(t, ctx, "all kinds", `document.querySelector('#search-results .search-filter[data-kind=""]').getAttribute('aria-pressed') === 'true'`)
	must[bool](t, ctx, "focusing the search box", `(document.getElementById('search-input').focus(), true)`)
	n := must[int](t, ctx, "counting options", `document.querySelectorAll('#search-results [role=option]').length`)
	label := must[string](t, ctx, "reading the last option", `Array.from(document.querySelectorAll('#search-results [role=option]')).pop().textContent`)
	if !strings.HasPrefix(label, "See all ") {
		t.Fatalf("the drop-down's last option is %q, want See all N results", label)
	}
	for i := 1; i < n; i++ {
		keys(t, ctx, "moving down", kb.ArrowDown)
	}
	if id := must[string](t, ctx, "reading the active option", `document.getElementById(document.getElementById('search-input').getAttribute('aria-activedescendant')).textContent`); !strings.HasPrefix(id, "See all") {
		t.Fatalf("after %d ArrowDown the active option is %q", n-1, id)
	}
	keys(t, ctx, "Enter on See all", kb.Enter)
	until(t, ctx, "the search page", `location.pathname.endsWith('/search/') && document.readyState === 'complete'`)
	if q := must[string](t, ctx, "reading the query", `new URLSearchParams(location.search).get('q')`); q != "pds" {
		t.Errorf("See all opened the search page for %q, want pds", q)
	}

	// The search page shows 50 results and 50 more per request.
	if err := open(ctx, s.root+"search/?q=services"); err != nil {
		t.Fatal(err)
	}
	until(t, ctx, "50 results", `document.querySelectorAll('#search-page .search-result').length === 50`)
	must[bool](t, ctx, "focusing More", `(document.querySelector('.search-more-button').focus(), true)`)
	keys(t, ctx, "Enter on More", kb.Enter)
	until(t, ctx, "100 results", `document.querySelectorAll('#search-page .search-result').length === 100`)
	if !must[bool](t, ctx, "reading focus", `document.activeElement.classList.contains('search-more-button')`) {
		t.Error("after Enter on More the focus left the button")
	}
	if named := must[string](t, ctx, "reading the list's name", `document.querySelector('#search-page [role=listbox]').getAttribute('aria-label')`); named == "" {
		t.Error("the results list has no name")
	}

	// The option list follows a deep link to its last option.
	page := s.root + "options/services.atproto.pds/"
	if err := open(ctx, page); err != nil {
		t.Fatal(err)
	}
	last := must[string](t, ctx, "reading the last option", `Array.from(document.querySelectorAll('aside.toc a')).pop().getAttribute('href')`)
	if err := open(ctx, page+"?deep"+last); err != nil {
		t.Fatal(err)
	}
	if !must[bool](t, ctx, "reading the option list", `(() => {
		const a = document.querySelector('aside.toc a[aria-current]'), aside = document.querySelector('aside.toc');
		if (!a || a.getAttribute('href') !== location.hash) return false;
		const r = a.getBoundingClientRect(), box = aside.getBoundingClientRect();
		return r.top >= box.top && r.bottom <= box.bottom && r.bottom <= window.innerHeight; })()`) {
		t.Errorf("the option list does not mark and show %s", last)
	}

	// The guide list marks the current guide.
	if err := open(ctx, s.root+"guides/administration/pds/"); err != nil {
		t.Fatal(err)
	}
	if cur := must[string](t, ctx, "reading the guide list", `(document.querySelector('aside.toc a[aria-current=page]') || {}).textContent || ''`); cur != "Run your own PDS" {
		t.Errorf("the guide list marks %q as current", cur)
	}

	// On a phone a module page starts with its options; the list is one
	// line that opens.
	if err := browsertest.Viewport(ctx, 390, "light"); err != nil {
		t.Fatal(err)
	}
	if err := open(ctx, page); err != nil {
		t.Fatal(err)
	}
	top := must[float64](t, ctx, "finding the first option", `document.querySelector('section.option').getBoundingClientRect().top + scrollY`)
	if top > 600 {
		t.Errorf("on a phone the first option starts %.0f px down, want it on the first screen", top)
	}
	if !must[bool](t, ctx, "opening the list", `(() => { const d = document.querySelector('details.toc-options'); if (d.open) return false;
		d.querySelector('summary').click(); return d.open && document.querySelector('aside.toc li a').getBoundingClientRect().height > 0; })()`) {
		t.Error("on a phone the option list is not a closed list that opens")
	}
	// A guide starts with its title, the guide list folded above it.
	if err := open(ctx, s.root+"guides/administration/pds/"); err != nil {
		t.Fatal(err)
	}
	if top := must[float64](t, ctx, "finding the title", `document.querySelector('h1').getBoundingClientRect().top + scrollY`); top > 400 {
		t.Errorf("on a phone a guide's title starts %.0f px down, want it at the top", top)
	}
}
