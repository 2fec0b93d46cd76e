package e2e

import (
	"strings"
	"testing"
	"time"

	cdpinput "github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/atproto-nur/atproto-nur/search"
)

// TestLongQueryInBrowser pastes 100 KB into the search box: search.js
// refuses it at once with the limit CheckQuery names, without freezing the
// page or repeating the text, and answers the next query as usual.
func TestLongQueryInBrowser(t *testing.T) {
	root := buildSite(t)
	ctx := newBrowser(t)
	do(t, ctx, "opening the home page", chromedp.Navigate(root), chromedp.WaitReady(input))
	waitFor(t, ctx, "search.js loaded", `!!window.nurdocsSearch`)

	want := search.CheckQuery(strings.Repeat("x", 100_000)).Error()
	status := `(document.querySelector('#search-results .search-error') || {}).textContent`
	eval[bool](t, ctx, "focusing the box", `(() => { document.getElementById('search-input').focus(); return true; })()`)
	start := time.Now()
	if _, err := chromedp.Call(ctx, cdpinput.InsertText, cdpinput.InsertTextParams{Text: strings.Repeat("x", 100_000)}); err != nil {
		t.Fatalf("pasting 100 KB: %v", err)
	}
	waitFor(t, ctx, "the refusal", status+` === `+jsString(want))
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("pasting 100 KB took %s to show the refusal", took)
	}
	if n := eval[int](t, ctx, "measuring the results", `document.getElementById('search-results').textContent.length`); n > 500 {
		t.Errorf("the results box holds %d characters after the paste", n)
	}

	// In the page: an input event of 100 KB to the refusal in the DOM.
	ms := eval[float64](t, ctx, "timing the refusal", `(async () => {
		const i = document.getElementById('search-input'), box = document.getElementById('search-results');
		i.value = ''; i.dispatchEvent(new Event('input'));
		i.value = 'y'.repeat(100000);
		const t0 = performance.now();
		i.dispatchEvent(new Event('input'));
		while (!box.querySelector('.search-error')) await new Promise(r => setTimeout(r, 0));
		return performance.now() - t0;
	})()`)
	t.Logf("100 KB input event to the refusal: %.2f ms", ms)
	if ms > 100 {
		t.Errorf("the refusal of 100 KB took %.2f ms, want at most 100", ms)
	}

	// A word over the limit inside a short query is refused the same way.
	typeQuery(t, ctx, "pds "+strings.Repeat("w", search.MaxWordChars+1))
	waitFor(t, ctx, "the word refusal", status+` === `+jsString(search.CheckQuery(strings.Repeat("w", search.MaxWordChars+1)).Error()))

	// The next query is answered.
	typeQuery(t, ctx, "relay port")
	if rs := readResults(t, ctx, "#search-results", "relay port"); len(rs) == 0 || rs[0].Name != "services.atproto.relay.port" {
		t.Errorf("relay port after the refusals: %+v", rs)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
