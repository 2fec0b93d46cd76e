package site

import (
	"bytes"
	"flag"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/internal/gen/pagewriter"
	"github.com/atproto-nur/atproto-nur/themes"
)

// TestGeneratedPagesMatchTemplates builds each site twice, once with every
// page through the default theme's templates and the minifier and once
// with package pages and package lists written by the generated code
// (pagewriter_gen.go), and requires the
// same site: every other file byte for byte, every HTML page the same once
// minified. Pages of ordinary packages must come out already minified
// (the same bytes); hostile ones (markup, quotes, NUL, odd white space,
// unsafe and unusual URLs) only need to minify to the same document.
func TestGeneratedPagesMatchTemplates(t *testing.T) {
	if generatedWriters == nil {
		t.Skip("built with -tags nopagewriter: no generated writers")
	}
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
			templatePages = true
			buildSite(t, c.src(t), c.cfg, viaTemplate)
			templatePages = false
			generated := filepath.Join(t.TempDir(), "generated")
			written := map[string]int{}
			var mu sync.Mutex
			testHookGenerated = func(kind string) { mu.Lock(); written[kind]++; mu.Unlock() }
			defer func() { testHookGenerated = nil }()
			res := buildSite(t, c.src(t), c.cfg, generated)
			if res.Stats.Packages == 0 {
				t.Fatal("no packages built")
			}
			if written["package"] != res.Stats.Packages || written["packages"] == 0 {
				t.Errorf("written by generated code: %v; want every one of %d packages and their lists", written, res.Stats.Packages)
			}
			minifier := newMinifier()
			pages, exact, files := 0, 0, 0
			err := filepath.WalkDir(viaTemplate, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(viaTemplate, p)
				want := readBytes(t, p)
				got, err := os.ReadFile(filepath.Join(generated, rel))
				if err != nil {
					t.Errorf("%s: %v", rel, err)
					return nil
				}
				files++
				if !strings.HasSuffix(rel, ".html") {
					if !bytes.Equal(want, got) {
						t.Errorf("%s differs", rel)
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
					t.Fatalf("%s: minifying the generated page: %v", rel, err)
				}
				if !bytes.Equal(want, again) {
					at, w, g := firstDifference(want, again, 100, 60)
					t.Errorf("%s differs at byte %d:\ntemplate  %q\ngenerated %q", rel, at, w, g)
				} else if c.exact {
					t.Errorf("%s is not minified: the page shrinks from %d to %d bytes under the minifier", rel, len(got), len(again))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if pages < res.Stats.Pages {
				t.Errorf("compared %d pages of %d", pages, res.Stats.Pages)
			}
			t.Logf("%d files, %d pages (%v written by generated code), %d byte-identical", files, pages, written, exact)
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

// TestGeneratedPagesOnlyForDefaultTheme checks pages are written by the
// generated code only while the theme's templates are the default ones: an unchanged
// copy on disk (as the preview server reads it) still is, an edited
// package template is used as written.
func TestGeneratedPagesOnlyForDefaultTheme(t *testing.T) {
	if generatedWriters == nil {
		t.Skip("built with -tags nopagewriter: no generated writers")
	}
	theme := t.TempDir()
	if err := os.CopyFS(theme, themes.Default()); err != nil {
		t.Fatal(err)
	}
	var viaGenerated atomic.Int64
	testHookGenerated = func(string) { viaGenerated.Add(1) }
	defer func() { testHookGenerated = nil }()
	buildSite(t, testSources(), Config{ThemeDir: theme}, filepath.Join(t.TempDir(), "copy"))
	if viaGenerated.Load() == 0 {
		t.Error("an unchanged copy of the default theme did not write package pages with the generated code")
	}

	tpl := filepath.Join(theme, "templates", "package.html")
	src := readBytes(t, tpl)
	src = bytes.Replace(src, []byte(`<article class="package">`), []byte(`<article class="package custom-theme">`), 1)
	if err := os.WriteFile(tpl, src, 0o644); err != nil {
		t.Fatal(err)
	}
	viaGenerated.Store(0)
	out := filepath.Join(t.TempDir(), "edited")
	buildSite(t, testSources(), Config{ThemeDir: theme}, out)
	page := readFile(t, filepath.Join(out, "packages", "testpkg.html"))
	if !strings.Contains(page, "custom-theme") {
		t.Errorf("edited package template not used: %.300s", page)
	}
	if viaGenerated.Load() != 0 {
		t.Errorf("%d pages written by generated code with an edited theme", viaGenerated.Load())
	}
}

// FuzzDirectEscaping checks htmlWriter's escaping, which the generated
// page writers use, against html/template's for any value in the places
// they put values (text, the title's RCDATA, a quoted attribute, a URL
// attribute, the URL of a refresh): the minified results must be the same
// document, and must stay inert.
func FuzzDirectEscaping(f *testing.F) {
	for _, s := range []string{"plain", `<script>alert(1)</script>`, `"quoted" & 'apos'`, "a  b\n\t c", "nul\x00",
		"javascript:alert(1)", "https://example.org/a b?q=\"x\"&y='z'(1)%41%zz%", "é 雪 🙂", "&amp; &copy &#169;", "\xff\xfe"} {
		f.Add(s)
	}
	tpl := template.Must(template.New("t").Parse(`<title>{{.}}</title><meta http-equiv="refresh" content="0; url={{.}}">` +
		`<p title="{{.}}">{{.}}</p><a href="{{.}}">x</a>`))
	minifier := newMinifier()
	f.Fuzz(func(t *testing.T, s string) {
		var viaTemplate bytes.Buffer
		if err := tpl.Execute(&viaTemplate, s); err != nil {
			t.Skip() // html/template refuses the value (invalid UTF-8 in some contexts)
		}
		var direct bytes.Buffer
		w := &htmlWriter{b: &direct}
		w.raw(`<title>`)
		w.text(s)
		w.raw(`</title><meta http-equiv="refresh" content="0; url=`)
		w.filteredURL(s)
		w.raw(`"><p title="`)
		w.attr(s)
		w.raw(`">`)
		w.text(s)
		w.raw(`</p><a href="`)
		w.url(s)
		w.raw(`">x</a>`)
		want, err1 := minifier.String("text/html", viaTemplate.String())
		got, err2 := minifier.String("text/html", direct.String())
		if err1 != nil || err2 != nil {
			t.Fatalf("minify: %v, %v", err1, err2)
		}
		if want != got {
			t.Fatalf("value %q:\ntemplate %q\ndirect   %q", s, want, got)
		}
	})
}

var updatePageWriter = flag.Bool("update-pagewriter", false, "write "+pageWriterFile+" from the default theme's templates (go generate ./site)")

const pageWriterFile = "pagewriter_gen.go"

// TestGeneratedPageWriterIsCurrent generates the page writers from the
// default theme's templates again and requires pagewriter_gen.go to be
// exactly that, so a template edited without `go generate ./site` cannot
// land. With -update-pagewriter it writes the file instead.
func TestGeneratedPageWriterIsCurrent(t *testing.T) {
	src, err := generatePageWriter()
	if err != nil {
		t.Fatal(err)
	}
	if *updatePageWriter {
		if err := os.WriteFile(pageWriterFile, src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if have := readBytes(t, pageWriterFile); !bytes.Equal(have, src) {
		at, w, g := firstDifference(src, have, 80, 80)
		t.Errorf("%s is stale: the templates give something else from byte %d:\ngenerated now %q\nin the file    %q\nrun `go generate ./site`", pageWriterFile, at, w, g)
	}
}

// generatedPages are the page kinds given a generated writer, and the
// writer's name; pagewriter_gen.go declares them as generatedWriters.
var generatedPages = []struct{ kind, method string }{
	{kind: "package", method: "writePackagePage"},
	{kind: "packages", method: "writePackageListPage"},
}

// generatePageWriter is the generator's input: the default theme, the
// page data's type and where the minified forms of HTML values are kept.
func generatePageWriter() ([]byte, error) {
	spec := pagewriter.Spec{
		Package: "site",
		Writer:  "htmlWriter",
		Command: "go generate ./site (TestGeneratedPageWriterIsCurrent)",
		Table:   "generatedWriters",
		Without: "nopagewriter",
		Minify: func(s string) (string, error) {
			return newMinifier().String("text/html", s)
		},
		Minified: map[string]string{
			"frame.Assets": "minified[0]",
			"frame.Header": "minified[1]",
			"frame.Footer": "minified[2]",
			"snippet.Code": "minified",
		},
	}
	for _, g := range generatedPages {
		// A fresh parse per page: html/template escapes a set in place
		// on its first execution.
		th, err := loadTheme(themes.Default())
		if err != nil {
			return nil, err
		}
		spec.Pages = append(spec.Pages, pagewriter.Page{
			Kind: g.kind, Method: g.method, Template: th.pages[g.kind], Entry: "base", Data: reflect.TypeFor[*page](),
		})
	}
	return pagewriter.Generate(spec)
}
