// Package e2e holds the site's real-browser tests: the repository's site
// and a site with the whole NixOS option set are built as `nurdocs build`
// builds them, served on loopback and checked in headless Chromium at
// phone and desktop widths, light and dark, with axe-core. They skip with
// one line when Chromium, axe-core or the shared corpus is missing.
package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/atproto-nur/atproto-nur/changes"
	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/internal/browsertest"
	"github.com/atproto-nur/atproto-nur/internal/testcorpus"
	"github.com/atproto-nur/atproto-nur/search"
	"github.com/atproto-nur/atproto-nur/site"
)

// repoRoot is the repository, seen from this package's folder.
const repoRoot = "../.."

// builtSite is a site built into a temporary folder and served.
type builtSite struct {
	name string
	dir  string
	root string // URL of the site's root, ending in "/"
}

// nixpkgs reports whether the site has the nixpkgs package scope.
func (s *builtSite) nixpkgs() bool {
	return fileExists(filepath.Join(s.dir, "scope", "nixpkgs", "index.html"))
}

// build builds the site from src the way `nurdocs build` does (minified,
// with the browser search index) and serves it.
func build(t testing.TB, name string, src *indexer.Sources, cfg site.Config) *builtSite {
	t.Helper()
	return buildWithHistory(t, name, src, cfg, nil)
}

// buildWithHistory is build with the release history that history makes
// from the loaded documents (nil: none), as `nurdocs build --releases` adds it.
func buildWithHistory(t testing.TB, name string, src *indexer.Sources, cfg site.Config,
	history func(docs []indexer.Document, source string) []*changes.Release) *builtSite {
	t.Helper()
	cfg.Out = filepath.Join(t.TempDir(), "public")
	cfg.Index = func(dir string, docs []indexer.Document, url func(indexer.Document) string) error {
		_, err := search.WriteStaticIndexWith(dir, docs, url, search.StaticOptions{})
		return err
	}
	b := site.NewBuilder(cfg, func(ctx context.Context) (*site.Inputs, error) {
		l, err := src.Load(ctx)
		if err != nil {
			return nil, err
		}
		in := &site.Inputs{Docs: l.Docs, Modules: l.Modules, Templates: l.Templates, Source: l.Source,
			ContentDir: src.ContentPath()}
		if history != nil {
			in.History = history(l.Docs, l.Source)
		}
		return in, nil
	})
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatalf("building the %s site: %v", name, err)
	}
	return &builtSite{name: name, dir: cfg.Out, root: browsertest.Serve(t, cfg.Out)}
}

// repoSite is this repository's site from its committed snapshot.
func repoSite(t testing.TB) *builtSite {
	return build(t, "repository", &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceSnapshot},
		site.Config{RepoURL: "https://github.com/atproto-nur/atproto-nur"})
}

// nixosSite is the repository's site with the whole NixOS option set
// added as its own scope, as the README's example builds it, and the real
// nixpkgs package set as the scope "nixpkgs" when the corpus has it.
func nixosSite(t testing.TB) *builtSite {
	p := testcorpus.Path(t, "nixos-options.json.gz")
	src := &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceSnapshot,
		Options: []indexer.FileInput{{Path: p, Scope: "NixOS"}}}
	if pk := filepath.Join(filepath.Dir(p), "nixpkgs-packages.json.gz"); fileExists(pk) {
		src.Packages = []indexer.FileInput{{Path: pk, Scope: "nixpkgs"}}
	}
	return build(t, "NixOS", src, site.Config{RepoURL: "https://github.com/atproto-nur/atproto-nur"})
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// pagesUnder lists the pages below the site's folder sub as site paths
// ("guides/x/" for guides/x/index.html, "packages/pds.html").
func pagesUnder(t testing.TB, s *builtSite, sub string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(s.dir, filepath.FromSlash(sub))
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Ext(p) != ".html" {
			return nil
		}
		rel, _ := filepath.Rel(s.dir, p)
		rel = filepath.ToSlash(rel)
		if d.Name() == "index.html" {
			rel = strings.TrimSuffix(rel, "index.html")
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatalf("listing %s: %v", root, err)
	}
	sort.Strings(out)
	return out
}

// pageKinds are one page of each kind, the ones axe-core checks.
func pageKinds(nixos, withNixpkgs bool) []string {
	if nixos {
		kinds := []string{"", "options/", "scope/NixOS/", "scope/NixOS/options/services.nginx/",
			"scope/NixOS/all-options/", "search/?q=services"}
		if withNixpkgs {
			// A package page, a list page of a thousand packages, a
			// versioned family and options and packages in one list, by
			// name and by what they do.
			kinds = append(kinds, "scope/nixpkgs/packages/postgresql.html", "scope/nixpkgs/package-index/f/",
				"search/?q=postgresql", "search/?q=nginx", "search/?q=password+manager")
		}
		return kinds
	}
	return []string{"", "guides/", "guides/getting-started/", "guides/administration/pds/", "options/",
		"options/services.atproto.pds/", "all-options/", "packages/", "packages/pds.html", "search/", "search/?q=pds",
		"404.html"}
}

// open navigates to url and waits until the new page has loaded and its
// scripts ran. Evaluation errors while the old page goes away (its
// context destroyed) are retried.
func open(ctx context.Context, url string) error {
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(c, chromedp.Navigate(url)); err != nil {
		return fmt.Errorf("opening %s: %w", url, err)
	}
	var last error
	for c.Err() == nil {
		ok, err := browsertest.Eval[bool](c, `document.readyState === 'complete' && location.href === `+jsQuote(url), 2*time.Second)
		if err == nil && ok {
			return nil
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("opening %s: not loaded within 60 s (%v)", url, last)
}
