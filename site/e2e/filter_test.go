package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/internal/browsertest"
)

// filterStep is what one keystroke in a filter box cost and showed.
type filterStep struct {
	Q     string  `json:"q"`
	Ms    float64 `json:"ms"`    // filtering, DOM and layout, as the page measured it
	Shown int     `json:"shown"` // rows visible
	Wrong int     `json:"wrong"` // visible rows without the query in them
}

// typeFilterJS types q into the filter box one character at a time, each
// after the previous one was applied, and reports every step.
const typeFilterJS = `(async (q) => {
	const input = document.querySelector('input.filter');
	const steps = [];
	for (let i = 1; i <= q.length; i++) {
		const v = q.slice(0, i);
		input.value = v;
		input.dispatchEvent(new Event('input'));
		const t0 = Date.now();
		while (input.getAttribute('data-filter-q') !== v) {
			if (Date.now() - t0 > 10000) throw new Error('filter did not apply ' + v);
			await new Promise(r => setTimeout(r, 5));
		}
		const rows = Array.from(document.querySelectorAll('main ul.plain li, main table.list tbody tr')).filter(r => r.offsetParent !== null && !r.closest('.filtered-away'));
		steps.push({q: v, ms: parseFloat(input.getAttribute('data-filter-ms')), shown: rows.length,
			wrong: rows.filter(r => !r.textContent.toLowerCase().includes(v.toLowerCase())).length});
	}
	return steps;
})`

// TestAllOptionsFilter measures the NixOS all-options page (20,919
// options): its load, and its filter at every keystroke of a 12-character
// query, which must stay within 50 ms each (filtering, DOM and layout).
func TestAllOptionsFilter(t *testing.T) {
	if testing.Short() {
		t.Skip("the NixOS-corpus site is skipped in -short mode")
	}
	ctx := browsertest.New(t, 5*time.Minute)
	s := nixosSite(t)
	if err := browsertest.Viewport(ctx, 1280, "light"); err != nil {
		t.Fatal(err)
	}
	if err := open(ctx, s.root+"scope/NixOS/all-options/"); err != nil {
		t.Fatal(err)
	}
	load, err := browsertest.Eval[float64](ctx, `(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; })()`, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := browsertest.Eval[int](ctx, `document.querySelectorAll('#all-options li').length`, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("all-options page: %d rows, loaded in %.0f ms", rows, load)
	if rows < 20000 {
		t.Fatalf("all-options page has %d rows, want the whole NixOS set", rows)
	}

	// The rows are read once the page is idle; a reader starts typing later.
	ready, err := browsertest.Eval[string](ctx, `new Promise(ok => { const i = document.querySelector('input.filter'); (function w() { const v = i.getAttribute('data-filter-ready-ms'); if (v) ok(v); else setTimeout(w, 20); })(); })`, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rows read for filtering in %s ms, after the page loaded", ready)

	// The query is typed up to three times: the test machine is shared,
	// and one slow keystroke in every attempt is what fails.
	const q = "nginx.virtua"
	var slowest float64
	for attempt := 1; attempt <= 3; attempt++ {
		steps, err := browsertest.Eval[[]filterStep](ctx, typeFilterJS+"("+jsQuote(q)+")", 60*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var ms []float64
		var report []string
		for _, st := range steps {
			ms = append(ms, st.Ms)
			report = append(report, fmt.Sprintf("%q %.1f ms %d shown", st.Q, st.Ms, st.Shown))
			if st.Wrong > 0 {
				t.Errorf("filter %q shows %d rows without it", st.Q, st.Wrong)
			}
			if st.Shown == 0 {
				t.Errorf("filter %q shows nothing", st.Q)
			}
		}
		sort.Float64s(ms)
		slowest = ms[len(ms)-1]
		t.Logf("attempt %d, per keystroke: %s", attempt, strings.Join(report, "; "))
		t.Logf("attempt %d, per keystroke: median %.1f ms, slowest %.1f ms", attempt, ms[len(ms)/2], slowest)
		if slowest <= 50 {
			break
		}
	}
	if slowest > 50 {
		t.Errorf("slowest keystroke took %.1f ms in each of three attempts, want at most 50", slowest)
	}

	// "Show all" lists every match; clearing the box brings the list back.
	got, err := browsertest.Eval[[]int](ctx, `(async () => {
		const input = document.querySelector('input.filter');
		input.value = 'enable'; input.dispatchEvent(new Event('input'));
		while (input.getAttribute('data-filter-q') !== 'enable') await new Promise(r => setTimeout(r, 5));
		const before = document.querySelectorAll('main ul.plain:not([hidden]):not(.filtered-away) li').length;
		document.querySelector('.filter-more').click();
		const all = document.querySelectorAll('main ul.plain:not([hidden]):not(.filtered-away) li').length;
		input.value = ''; input.dispatchEvent(new Event('input'));
		while (input.getAttribute('data-filter-q') !== '') await new Promise(r => setTimeout(r, 5));
		return [before, all, document.querySelectorAll('main ul.plain:not([hidden]):not(.filtered-away) li').length];
	})()`, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != 200 || got[1] <= 200 || got[2] != rows {
		t.Errorf("filter enable: %d rows first, %d after Show all, %d after clearing; want 200, more, %d", got[0], got[1], got[2], rows)
	}
}

func jsQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
