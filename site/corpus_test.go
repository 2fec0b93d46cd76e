package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// TestCorpusBuilds builds the real NixOS and home-manager option sets and
// checks every option has its anchor on the page its URL names, and that
// no page is unreasonably large.
func TestCorpusBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus builds skipped in -short mode")
	}
	for _, c := range []struct{ file, scope string }{
		{"nixos-options.json.gz", "NixOS"},
		{"home-manager-options.json.gz", "home-manager"},
	} {
		t.Run(c.scope, func(t *testing.T) {
			p := corpus(t, c.file)
			out := filepath.Join(t.TempDir(), "public")
			src := &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceNone, ContentDir: t.TempDir(),
				Options: []indexer.FileInput{{Path: p, Scope: c.scope}}}
			res := buildSite(t, src, Config{}, out)
			docs, err := indexer.LoadOptions(p, c.scope)
			if err != nil {
				t.Fatal(err)
			}
			pages := map[string]string{}
			missing := 0
			for _, d := range docs {
				u := res.Layout.URL(d)
				path, frag, _ := strings.Cut(u, "#")
				html, ok := pages[path]
				if !ok {
					b, err := os.ReadFile(filepath.Join(out, path, "index.html"))
					if err != nil {
						t.Fatalf("%s: page %s missing: %v", d.Name, path, err)
					}
					html = string(b)
					pages[path] = html
				}
				if !strings.Contains(html, `id="`+frag+`"`) {
					missing++
					if missing < 5 {
						t.Errorf("%s: no id %q on %s", d.Name, frag, path)
					}
				}
			}
			if missing > 0 {
				t.Errorf("%d of %d options missing from their pages", missing, len(docs))
			}
			biggest, biggestPage := 0, ""
			for p, html := range pages {
				if len(html) > biggest {
					biggest, biggestPage = len(html), p
				}
			}
			t.Logf("%d options on %d pages; largest page %s (%d KB); %d diagnostics",
				len(docs), len(pages), biggestPage, biggest/1024, len(res.Diagnostics))
			if biggest > 2<<20 {
				t.Errorf("page %s is %d KB", biggestPage, biggest/1024)
			}
			for i, d := range res.Diagnostics {
				if i == 5 {
					break
				}
				t.Logf("diagnostic: %s", d)
			}
		})
	}
}
