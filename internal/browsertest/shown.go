package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// WatchFor installs, in the page the tab shows, an observer that notes
// when the page's text first contains marker (Unix microseconds) and when
// the frame after that was drawn: a live-reload script may swap new
// content into this page instead of reloading it (nurdocs serve's does);
// a reload replaces the page and its observer, and ShownAt then reads the
// new page's navigation timing instead. For the preview benchmarks.
func WatchFor(tab context.Context, marker string) error {
	q, _ := json.Marshal(marker)
	expr := `(() => { const m = ` + string(q) + `;
		const now = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
		const seen = () => { if (window.__benchShown || !document.body.textContent.includes(m)) return;
			window.__benchShown = now();
			requestAnimationFrame(() => setTimeout(() => { window.__benchPainted = now(); }, 0)); };
		new MutationObserver(seen).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
		return true; })()`
	_, err := Eval[bool](tab, expr, 5*time.Second)
	return err
}

// ShownAt waits until the tab shows marker and returns when the page
// began changing (Unix microseconds; a reload's navigation start, or the
// start of the live script's fetch of the page it swaps in), when its DOM
// held the new text (a reloaded page's DOMContentLoaded, or the swap) and
// when the browser had drawn it (a reloaded page's first contentful
// paint, or the frame after the swap).
func ShownAt(tab context.Context, marker string, limit time.Duration) (began, shown, painted int64, err error) {
	q, _ := json.Marshal(marker)
	expr := `(() => { const m = ` + string(q) + `;
		if (!document.body || !document.body.textContent.includes(m)) return [0, 0, 0];
		const origin = performance.timeOrigin;
		if (window.__benchShown) {
			if (!window.__benchPainted) return [0, 0, 0];
			const f = performance.getEntriesByType("resource").filter(e => e.name === location.href).pop();
			return [f ? Math.round((origin + f.startTime) * 1000) : 0, window.__benchShown, window.__benchPainted];
		}
		const nav = performance.getEntriesByType("navigation")[0];
		const fcp = performance.getEntriesByName("first-contentful-paint")[0];
		return nav && nav.domContentLoadedEventEnd > 0 && fcp ?
			[Math.round(origin * 1000), Math.round((origin + nav.domContentLoadedEventEnd) * 1000), Math.round((origin + fcp.startTime) * 1000)] : [0, 0, 0]; })()`
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		v, err := Eval[[]float64](tab, expr, 5*time.Second)
		if err == nil && len(v) == 3 && v[1] > 0 {
			return int64(v[0]), int64(v[1]), int64(v[2]), nil
		}
	}
	return 0, 0, 0, fmt.Errorf("the page did not show %q within %s", marker, limit)
}
