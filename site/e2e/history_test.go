package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/changes"
	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/internal/browsertest"
	"github.com/atproto-nur/atproto-nur/site"
)

// historyRevisions are two real commits of this repository standing in for
// releases (it has no release tag yet): 8d68622 (allegedly and slingshot
// in their ACME modes) as 0.1 and 9beca51 (the PDS's signing keys in the
// upgrade backup) as 0.2. Between them the ACME IPv6 settings became
// nullable and rsky-feedgen gained six settings.
var historyRevisions = []struct{ rev, name string }{{"8d68622", "0.1"}, {"9beca51", "0.2"}}

// historySite is the repository's site from its snapshot with the history
// of historyRevisions, as `nurdocs build --releases 8d68622=0.1,9beca51=0.2`
// builds it. It skips when the history is not in this clone.
func historySite(t *testing.T) *builtSite {
	t.Helper()
	ctx := context.Background()
	var revs []changes.Revision
	for _, h := range historyRevisions {
		if _, err := indexer.ResolveRevision(ctx, repoRoot, h.rev); err != nil {
			t.Skipf("skipped: %v (a shallow clone?)", err)
		}
		r, err := indexer.LoadRevision(ctx, repoRoot, h.rev)
		if err != nil {
			t.Skipf("skipped: %v", err)
		}
		revs = append(revs, changes.Revision{Name: h.name, Source: r.Source, Docs: r.Export.Docs})
	}
	return buildWithHistory(t, "history", &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceSnapshot},
		site.Config{RepoURL: "https://github.com/atproto-nur/atproto-nur"},
		func(docs []indexer.Document, source string) []*changes.Release {
			return changes.History(revs, docs, source)
		})
}

// TestHistoryPagesInBrowser opens the release pages and pages with change
// marks at 390 and 1280 px, light and dark: no sideways scrolling, one h1,
// no serious or critical axe-core violation; the mark links to its row on
// the release page. With NURDOCS_SCREENSHOTS set it writes their
// screenshots (scripts/screenshots).
func TestHistoryPagesInBrowser(t *testing.T) {
	axe := browsertest.Axe(t)
	ctx := browsertest.New(t, 10*time.Minute)
	s := historySite(t)
	const optionPage = "options/services.atproto.allegedly/"
	const option = "services.atproto.allegedly.settings.ALLEGEDLY_ACME_IPV6"
	pages := []string{"changes/", "changes/0.2/", "changes/unreleased/", optionPage, "packages/slingshot.html"}
	shots := os.Getenv(screenshotEnv)
	for _, width := range []int64{390, 1280} {
		for _, scheme := range []string{"light", "dark"} {
			if err := browsertest.Viewport(ctx, width, scheme); err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				label := fmt.Sprintf("/%s at %d px %s", p, width, scheme)
				if err := open(ctx, s.root+p); err != nil {
					t.Fatal(err)
				}
				checkLayout(t, ctx, label, int(width))
				vs, err := browsertest.RunAxe(ctx, axe)
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				for _, v := range vs {
					t.Errorf("%s: axe-core: %s", label, v)
				}
				if shots == "" {
					continue
				}
				// The option with its marks, else the page from the top.
				y := 0.0
				if p == optionPage {
					if y, err = browsertest.Eval[float64](ctx, `(document.head.insertAdjacentHTML('beforeend', '<style>section.option { content-visibility: visible !important; }</style>'),
						document.getElementById('`+option+`').getBoundingClientRect().top + window.scrollY - 80)`, 10*time.Second); err != nil {
						t.Fatal(err)
					}
				}
				if err := capture(ctx, filepath.Join(shots, fmt.Sprintf("history-%s-%d-%s.png", shotName(p), width, scheme)), width, y, 1600); err != nil {
					t.Fatalf("screenshot of /%s: %v", p, err)
				}
			}
		}
	}
	// The mark on the option leads to the change on the release page.
	if err := open(ctx, s.root+optionPage); err != nil {
		t.Fatal(err)
	}
	href := must[string](t, ctx, "the option's first mark", `document.querySelector('#`+jsCSS(option)+` ul.marks a').href`)
	if want := s.root + "changes/0.2/#opt-" + option; href != want {
		t.Errorf("the mark links to %s, want %s", href, want)
	}
	if err := open(ctx, href); err != nil {
		t.Fatal(err)
	}
	must[bool](t, ctx, "the change's row on the release page", `document.getElementById('opt-`+option+`') !== null`)
}

// jsCSS escapes the dots of an id for a CSS selector.
func jsCSS(id string) string {
	out := make([]byte, 0, len(id)+8)
	for i := 0; i < len(id); i++ {
		if id[i] == '.' {
			out = append(out, '\\', '\\')
		}
		out = append(out, id[i])
	}
	return string(out)
}
