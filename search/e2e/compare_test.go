package e2e

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search"
	"github.com/atproto-nur/atproto-nur/search/internal/corpus"
	"github.com/atproto-nur/atproto-nur/search/internal/jsrun"
)

func corpusURL(d indexer.Document) string { return "options/" + d.Name + "/" }

// comparePage is the smallest page search.js runs in.
const comparePage = `<!DOCTYPE html><html data-base="/"><head><meta charset="utf-8"><title>compare</title>
<script src="/static/search.js" defer></script></head><body>
<form class="search" action="/search/"><input type="search" name="q" id="search-input"></form><div id="search-results" hidden></div>
</body></html>`

type browserHit struct {
	Name  string `json:"name"`
	Score int    `json:"score"`
	URL   string `json:"url"`
}

// TestBrowserMatchesBleve ranks the fixed comparison queries over the real
// NixOS and home-manager option sets in Chromium (search.js on the static shards) and with
// the bleve index, and requires the same top ten, in the same order, with
// the same scores.
func TestBrowserMatchesBleve(t *testing.T) {
	docs, err := corpus.NixOSOptions()
	if errors.Is(err, corpus.ErrMissing) {
		t.Skip("skipped: " + err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	hm, err := corpus.HomeManagerOptions()
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, hm...) // two option sets: scope filters matter
	queries := append(corpus.CompareQueries, []jsrun.Query{
		{Q: "programs.git.enable"}, {Q: "git", Scope: "home-manager"}, {Q: "git", Scope: "NixOS"}, {Q: "firefox", Kind: "option", Scope: "home-manager"},
	}...)
	ctx := newBrowser(t)
	dir := t.TempDir()
	if _, err := search.WriteStaticIndex(filepath.Join(dir, "search"), docs, corpusURL); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "index.html"), []byte(comparePage), 0o644)
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(dir)))
	mux.HandleFunc("/static/search.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, jsrun.SearchJS()) })
	root := serve(t, mux) + "/"

	ix, err := search.OpenOrBuild(filepath.Join(t.TempDir(), "bleve"), docs, corpusURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()

	do(t, ctx, "opening the page", chromedp.Navigate(root))
	waitFor(t, ctx, "search.js", `!!window.nurdocsSearch`)
	queriesJSON, _ := json.Marshal(queries)
	got := eval[[][]browserHit](t, ctx, "ranking in the browser", `(async () => {
		const out = [];
		for (const q of `+string(queriesJSON)+`) {
			const res = await nurdocsSearch.engine.search(q.q, { kind: q.kind || '', scope: q.scope || '', limit: 10 });
			out.push(res.results.map(r => ({ name: r.name, score: r.score, url: r.url })));
		}
		return out;
	})()`)
	for i, q := range queries {
		want, err := ix.Search(q.Q, search.Options{Kind: indexer.Kind(q.Kind), Scope: q.Scope, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if q.Scope != "" {
			if len(want) == 0 {
				t.Errorf("%q in %s: no results", q.Q, q.Scope)
			}
			for _, r := range want {
				if r.Scope != q.Scope {
					t.Errorf("%q in %s: result %s of scope %s", q.Q, q.Scope, r.Name, r.Scope)
				}
			}
		}
		if len(got[i]) != len(want) {
			t.Errorf("%q: browser %d results, bleve %d", q.Q, len(got[i]), len(want))
			continue
		}
		for j := range want {
			if got[i][j].Name != want[j].Name || got[i][j].Score != want[j].Score || got[i][j].URL != want[j].URL {
				t.Errorf("%q #%d: browser %s (%d), bleve %s (%d)", q.Q, j+1, got[i][j].Name, got[i][j].Score, want[j].Name, want[j].Score)
				break
			}
		}
	}
}
