package e2e

import (
	"context"
	"fmt"
	"math"
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

// TestAllOptionsFilter checks the NixOS all-options page (20,919
// options): every row is there, each keystroke of a 12-character query
// shows only rows that hold it, "Show all" lists every match and clearing
// the box brings the list back. The time each keystroke takes is logged
// here and held to its 50 ms budget by BenchmarkAllOptionsFilter: a timed
// test fails on a busy machine whatever the page does.
func TestAllOptionsFilter(t *testing.T) {
	ctx, rows := openAllOptions(t)
	typeAllOptionsQuery(t, ctx)

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

// BenchmarkAllOptionsFilter types the query of TestAllOptionsFilter into
// the NixOS all-options page up to three times and reports the slowest
// keystroke of the best attempt (filtering, DOM and layout, as the page
// measured it); it fails when that is over 50 ms. Run it on a quiet
// machine:
//
//	go test ./site/e2e -run XXX -bench AllOptionsFilter -benchtime 1x
func BenchmarkAllOptionsFilter(b *testing.B) {
	ctx, _ := openAllOptions(b)
	best := math.Inf(1)
	for range b.N {
		for attempt := 1; attempt <= 3; attempt++ {
			best = min(best, typeAllOptionsQuery(b, ctx))
		}
	}
	b.ReportMetric(best, "slowest-keystroke-ms")
	if best > 50 {
		b.Errorf("slowest keystroke took %.1f ms in the best of three attempts, want at most 50", best)
	}
}

// openAllOptions opens the NixOS all-options page in a new browser, logs
// its load time and waits until its filter has read the rows.
func openAllOptions(tb testing.TB) (context.Context, int) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("the NixOS-corpus site is skipped in -short mode")
	}
	ctx := browsertest.New(tb, 5*time.Minute)
	s := nixosSite(tb)
	if err := browsertest.Viewport(ctx, 1280, "light"); err != nil {
		tb.Fatal(err)
	}
	if err := open(ctx, s.root+"scope/NixOS/all-options/"); err != nil {
		tb.Fatal(err)
	}
	load, err := browsertest.Eval[float64](ctx, `(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; })()`, 10*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	rows, err := browsertest.Eval[int](ctx, `document.querySelectorAll('#all-options li').length`, 10*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("all-options page: %d rows, loaded in %.0f ms", rows, load)
	if rows < 20000 {
		tb.Fatalf("all-options page has %d rows, want the whole NixOS set", rows)
	}
	// The rows are read once the page is idle; a reader starts typing later.
	ready, err := browsertest.Eval[string](ctx, `new Promise(ok => { const i = document.querySelector('input.filter'); (function w() { const v = i.getAttribute('data-filter-ready-ms'); if (v) ok(v); else setTimeout(w, 20); })(); })`, 20*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("rows read for filtering in %s ms, after the page loaded", ready)
	return ctx, rows
}

// typeAllOptionsQuery types "nginx.virtua" one character at a time,
// requires every step to show rows and only rows that hold the query,
// logs each step's time and returns the slowest.
func typeAllOptionsQuery(tb testing.TB, ctx context.Context) float64 {
	tb.Helper()
	const q = "nginx.virtua"
	steps, err := browsertest.Eval[[]filterStep](ctx, typeFilterJS+"("+jsQuote(q)+")", 60*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	var ms []float64
	var report []string
	for _, st := range steps {
		ms = append(ms, st.Ms)
		report = append(report, fmt.Sprintf("%q %.1f ms %d shown", st.Q, st.Ms, st.Shown))
		if st.Wrong > 0 {
			tb.Errorf("filter %q shows %d rows without it", st.Q, st.Wrong)
		}
		if st.Shown == 0 {
			tb.Errorf("filter %q shows nothing", st.Q)
		}
	}
	sort.Float64s(ms)
	tb.Logf("per keystroke: %s", strings.Join(report, "; "))
	tb.Logf("per keystroke: median %.1f ms, slowest %.1f ms", ms[len(ms)/2], ms[len(ms)-1])
	return ms[len(ms)-1]
}

func jsQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
