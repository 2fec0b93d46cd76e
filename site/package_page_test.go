package site

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/themes"
)

// TestDirectPackagePagesMatchTemplate builds each site twice, once with
// package pages through the default theme's templates and the minifier
// and once written directly, and requires the same site: every other file
// byte for byte, every package page the same once minified. Pages of
// ordinary packages must come out already minified (the same bytes);
// hostile ones (markup, quotes, NUL, odd white space, unsafe and unusual
// URLs) only need to minify to the same document.
func TestDirectPackagePagesMatchTemplate(t *testing.T) {
	hostile := func(t *testing.T) *indexer.Sources {
		return &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceNone, ContentDir: t.TempDir(),
			Packages: []indexer.FileInput{
				{Path: "testdata/packages-hostile.json", Scope: "nixpkgs"},
				{Path: "testdata/packages.json", Scope: "other & <scope>"},
			}}
	}
	cases := []struct {
		name  string
		src   func(t *testing.T) *indexer.Sources
		cfg   Config
		exact bool // every package page already minified
	}{
		{"hostile", hostile, Config{}, false},
		{"hostile-full-url", hostile, Config{BaseURL: "https://example.org/d o c s/", Title: "Docs & <more> \"q\"",
			RepoURL: "https://github.com/o/r", ScopeSource: map[string]string{"nixpkgs": "https://github.com/NixOS/nixpkgs/blob/abc"}}, false},
		{"generated", func(t *testing.T) *indexer.Sources {
			return &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceNone, ContentDir: t.TempDir(),
				Packages: []indexer.FileInput{{Path: generatedPackages(t, 3000), Scope: "nixpkgs"}}}
		}, Config{}, true},
		{"repository", func(t *testing.T) *indexer.Sources {
			if _, err := os.Stat(filepath.Join(repoRoot, indexer.SnapshotFile)); err != nil {
				t.Skip("no snapshot in site/data: run nurdocs eval")
			}
			return &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceSnapshot}
		}, Config{RepoURL: "https://github.com/atproto-nur/atproto-nur", BaseURL: "/atproto-nur/"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			viaTemplate := filepath.Join(t.TempDir(), "template")
			templatePackagePages = true
			buildSite(t, c.src(t), c.cfg, viaTemplate)
			templatePackagePages = false
			direct := filepath.Join(t.TempDir(), "direct")
			res := buildSite(t, c.src(t), c.cfg, direct)
			if res.Stats.Packages == 0 {
				t.Fatal("no packages built")
			}
			minifier := newMinifier()
			pages, exact, files := 0, 0, 0
			err := filepath.WalkDir(viaTemplate, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(viaTemplate, p)
				want := readBytes(t, p)
				got, err := os.ReadFile(filepath.Join(direct, rel))
				if err != nil {
					t.Errorf("%s: %v", rel, err)
					return nil
				}
				files++
				isPackage := strings.Contains(filepath.ToSlash(rel), "packages/") && strings.HasSuffix(rel, ".html") &&
					!strings.HasSuffix(rel, "index.html")
				if !isPackage {
					if !bytes.Equal(want, got) {
						t.Errorf("%s (not a package page) differs", rel)
					}
					return nil
				}
				pages++
				if bytes.Equal(want, got) {
					exact++
					return nil
				}
				again, err := minifier.Bytes("text/html", got)
				if err != nil {
					t.Fatalf("%s: minifying the direct page: %v", rel, err)
				}
				if !bytes.Equal(want, again) {
					i := 0
					for i < len(want) && i < len(again) && want[i] == again[i] {
						i++
					}
					t.Errorf("%s differs at byte %d:\ntemplate %q\ndirect   %q", rel, i,
						want[max(0, i-100):min(len(want), i+60)], again[max(0, i-100):min(len(again), i+60)])
				} else if c.exact {
					t.Errorf("%s is not minified: direct page shrinks from %d to %d bytes under the minifier", rel, len(got), len(again))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if pages < res.Stats.Packages {
				t.Errorf("compared %d package pages of %d packages", pages, res.Stats.Packages)
			}
			t.Logf("%d files, %d package pages, %d already byte-identical", files, pages, exact)
		})
	}
}

func readBytes(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDirectPackagePagesOnlyForDefaultTheme checks a custom theme's
// package template is used as written.
func TestDirectPackagePagesOnlyForDefaultTheme(t *testing.T) {
	theme := t.TempDir()
	if err := os.CopyFS(theme, themes.Default()); err != nil {
		t.Fatal(err)
	}
	tpl := filepath.Join(theme, "templates", "package.html")
	src := readBytes(t, tpl)
	src = bytes.Replace(src, []byte(`<article class="package">`), []byte(`<article class="package custom-theme">`), 1)
	if err := os.WriteFile(tpl, src, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, testSources(), Config{ThemeDir: theme}, out)
	page := readFile(t, filepath.Join(out, "packages", "testpkg.html"))
	if !strings.Contains(page, "custom-theme") {
		t.Errorf("custom package template not used: %.300s", page)
	}
}
