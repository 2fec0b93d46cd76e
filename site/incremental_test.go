package site

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// previewLoader loads inputs the way the preview server does: the
// repository's own options (here from an options file, as the live
// evaluation gives them) are re-read only when their file changed, and
// the guides and other scopes come from indexer.Sources, which hands
// unchanged inputs over as the same documents.
type previewLoader struct {
	src     *indexer.Sources
	primary string // options file of the repository's own scope
	mod     string // its content when last read
	docs    []indexer.Document
}

func (p *previewLoader) load(ctx context.Context) (*Inputs, error) {
	data, err := os.ReadFile(p.primary)
	if err != nil {
		return nil, err
	}
	if string(data) != p.mod {
		if p.docs, err = indexer.LoadOptions(p.primary, indexer.PrimaryScope); err != nil {
			return nil, err
		}
		p.mod = string(data)
	}
	l, err := p.src.Load(ctx)
	if err != nil {
		return nil, err
	}
	docs := append(append([]indexer.Document{}, p.docs...), l.Docs...)
	return &Inputs{Docs: docs, Source: "test", ContentDir: p.src.ContentPath()}, nil
}

// treeFiles reads every file below root, by slash-separated relative path.
func treeFiles(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return files
}

// changedFiles lists the files that differ between two readings of a
// folder: added, removed or with other bytes, sorted.
func changedFiles(before, after map[string][]byte) []string {
	var out []string
	for rel, b := range before {
		if a, ok := after[rel]; !ok || !bytes.Equal(a, b) {
			out = append(out, rel)
		}
	}
	for rel := range after {
		if _, ok := before[rel]; !ok {
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return out
}

// sameTrees requires the two folders to hold the same files with the same
// bytes, in both directions.
func sameTrees(t *testing.T, step, want, got string) {
	t.Helper()
	w, g := treeFiles(t, want), treeFiles(t, got)
	if len(w) < 10 {
		t.Fatalf("%s: the fresh build has only %d files", step, len(w))
	}
	for rel, wb := range w {
		gb, ok := g[rel]
		switch {
		case !ok:
			t.Errorf("%s: %s is missing from the preview", step, rel)
		case !bytes.Equal(wb, gb):
			at, wn, gn := firstDifference(wb, gb, 80, 40)
			t.Errorf("%s: %s differs at byte %d: fresh %q, preview %q", step, rel, at, wn, gn)
		}
	}
	for rel := range g {
		if _, ok := w[rel]; !ok {
			t.Errorf("%s: the preview has %s, which a fresh build does not", step, rel)
		}
	}
}

// TestPreviewEqualsFreshBuild makes a series of edits as a writer does
// while the preview runs — guides edited, added, renamed and deleted, the
// repository's options added and removed, with references between guides,
// scopes and options that appear and disappear — and after each one
// requires the preview's folder (built incrementally, alternating between
// two folders mirrored into each other as the server does) to hold exactly
// the files a fresh build of the same inputs writes, and the same
// diagnostics. It also checks that the work followed the edit: a guide
// edit renders the guide pages and the home page, not the option pages.
func TestPreviewEqualsFreshBuild(t *testing.T) {
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	if err := os.CopyFS(content, os.DirFS("testdata/content")); err != nil {
		t.Fatal(err)
	}
	primary := filepath.Join(dir, "own-options.json")
	other := filepath.Join(dir, "other-options.json")
	optionsJSON := func(names ...string) string {
		var b strings.Builder
		b.WriteString("{")
		for i, n := range names {
			if i > 0 {
				b.WriteString(",")
			}
			desc := "The option " + n + ". See {option}`services.atproto.demo.port` and {option}`services.other.enable`."
			b.WriteString(`"` + n + `": {"declarations": [], "description": "` + desc + `", "type": "boolean",` +
				`"loc": ["` + strings.Join(strings.Split(n, "."), `","`) + `"], "readOnly": false}`)
		}
		b.WriteString("}")
		return b.String()
	}
	write(t, primary, optionsJSON("services.atproto.demo.enable"))
	write(t, other, optionsJSON("services.other.enable", "services.other.user"))
	write(t, filepath.Join(content, "writing.md"), "---\ntitle: Writing\nweight: 5\n---\nUse {option}`services.atproto.demo.port`.\n\n## First heading\n\nText.\n")

	src := &indexer.Sources{Repo: dir, Mode: indexer.SourceNone, ContentDir: content,
		Options:  []indexer.FileInput{{Path: other, Scope: "Other"}},
		Packages: []indexer.FileInput{{Path: "testdata/packages.json", Scope: "pkgs"}}}
	loader := &previewLoader{src: src, primary: primary}
	cfg := testConfig()
	b := NewBuilder(cfg, loader.load)
	slots := [2]string{filepath.Join(dir, "slot-a"), filepath.Join(dir, "slot-b")}
	next := 0
	ctx := context.Background()

	check := func(step string) *Result {
		t.Helper()
		// The folder holds a copy of the build served now (Mirror):
		// what the new build changes there is what open tabs need to
		// know about (Result.Changed).
		before := treeFiles(t, slots[next])
		res, err := b.BuildInto(ctx, slots[next])
		if err != nil {
			t.Fatalf("%s: preview build: %v", step, err)
		}
		if diff := changedFiles(before, treeFiles(t, slots[next])); !slices.Equal(diff, res.Changed) {
			t.Errorf("%s: the build says it changed %v, the folder shows %v", step, res.Changed, diff)
		}
		built := slots[next]
		next = 1 - next
		if err := b.Mirror(built, slots[next]); err != nil {
			t.Fatalf("%s: mirror: %v", step, err)
		}
		fresh := filepath.Join(dir, "fresh-"+strings.ReplaceAll(step, " ", "-"))
		fcfg := cfg
		fcfg.Out = fresh
		fl := &previewLoader{src: &indexer.Sources{Repo: dir, Mode: indexer.SourceNone, ContentDir: content,
			Options: src.Options, Packages: src.Packages}, primary: primary}
		want, err := NewBuilder(fcfg, fl.load).Build(ctx)
		if err != nil {
			t.Fatalf("%s: fresh build: %v", step, err)
		}
		sameTrees(t, step, fresh, built)
		sameTrees(t, step+" (mirrored)", fresh, slots[next])
		if !slices.Equal(want.Diagnostics, res.Diagnostics) {
			t.Errorf("%s: diagnostics differ:\nfresh   %v\npreview %v", step, want.Diagnostics, res.Diagnostics)
		}
		if want.Stats.Pages != res.Stats.Pages {
			t.Errorf("%s: the preview counts %d pages, a fresh build %d", step, res.Stats.Pages, want.Stats.Pages)
		}
		os.RemoveAll(fresh)
		return res
	}

	check("first build")
	guide := filepath.Join(content, "writing.md")
	write(t, guide, "---\ntitle: Writing\nweight: 5\n---\nUse {option}`services.atproto.demo.port`.\n\n## First heading\n\nText, edited.\n")
	res := check("guide edited")
	// The edited guide, its neighbours' navigation does not change: only
	// the guide itself, and the home and guides pages keyed as before.
	if res.Stats.Rendered != 1 {
		t.Errorf("a guide body edit rendered %d pages, want 1", res.Stats.Rendered)
	}
	write(t, guide, "---\ntitle: Writing well\nweight: 5\n---\nUse {option}`services.atproto.demo.port`.\n\n## A new heading\n")
	check("guide retitled")
	write(t, filepath.Join(content, "added.md"), "---\ntitle: Added\n---\nA new guide about {option}`services.other.user`.\n")
	check("guide added")
	if err := os.Rename(filepath.Join(content, "added.md"), filepath.Join(content, "renamed.md")); err != nil {
		t.Fatal(err)
	}
	check("guide renamed")
	if err := os.Remove(filepath.Join(content, "renamed.md")); err != nil {
		t.Fatal(err)
	}
	check("guide deleted")
	// The repository's options change: one added (which the guide and the
	// other scope's descriptions refer to, unresolved until now), then
	// removed again.
	write(t, primary, optionsJSON("services.atproto.demo.enable", "services.atproto.demo.port"))
	res = check("option added")
	write(t, primary, optionsJSON("services.atproto.demo.enable"))
	check("option removed")
	write(t, primary, optionsJSON("services.atproto.demo.enable", "services.atproto.demo.user"))
	check("another option added")
	// A broken edit fails and leaves the folder's record saying so; the
	// fix builds right again.
	write(t, guide, "---\ntitle: [unclosed\n---\nBody.\n")
	if _, err := b.BuildInto(ctx, slots[next]); err == nil {
		t.Fatal("a guide with broken front matter built")
	}
	write(t, guide, "---\ntitle: Writing\n---\nFixed.\n")
	check("guide fixed")
	_ = res
}

// TestPreviewStyleSheetEdit: a save of a theme style sheet rewrites that
// file and renders no page; a template edit renders every page; a build
// that fails part way is put right by the next. Each leaves the folder
// equal to a fresh build.
func TestPreviewStyleSheetEdit(t *testing.T) {
	dir := t.TempDir()
	theme := filepath.Join(dir, "theme")
	if err := os.CopyFS(theme, os.DirFS(filepath.Join(repoRoot, "themes", "default"))); err != nil {
		t.Fatal(err)
	}
	src := testSources()
	cfg := testConfig()
	cfg.ThemeDir = theme
	b := NewBuilder(cfg, sourcesLoader(src))
	out := filepath.Join(dir, "preview")
	ctx := context.Background()
	if _, err := b.BuildInto(ctx, out); err != nil {
		t.Fatal(err)
	}
	css := filepath.Join(theme, "static", "style.css")
	old, err := os.ReadFile(css)
	if err != nil {
		t.Fatal(err)
	}
	write(t, css, string(old)+"\n.preview-test{color:red}\n")
	res, err := b.BuildInto(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Rendered != 0 || res.Stats.Written != 1 {
		t.Errorf("a style sheet edit rendered %d pages and wrote %d files, want 0 and 1", res.Stats.Rendered, res.Stats.Written)
	}
	fresh := filepath.Join(dir, "fresh")
	buildSite(t, src, cfg, fresh)
	sameTrees(t, "style sheet edited", fresh, out)

	tmpl := filepath.Join(theme, "templates", "base.html")
	base, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	write(t, tmpl, strings.Replace(string(base), "</body>", "<!-- edited --></body>", 1))
	if res, err = b.BuildInto(ctx, out); err != nil {
		t.Fatal(err)
	}
	if res.Stats.Rendered != res.Stats.Pages {
		t.Errorf("a template edit rendered %d of %d pages, want all", res.Stats.Rendered, res.Stats.Pages)
	}
	fresh2 := filepath.Join(dir, "fresh2")
	buildSite(t, src, cfg, fresh2)
	sameTrees(t, "template edited", fresh2, out)

	// A template that fails part way through a build (other pages are
	// written by then) leaves the folder's record saying which files it
	// touched; the build after the fix puts every one of them right.
	guideTmpl := filepath.Join(theme, "templates", "guide.html")
	good, err := os.ReadFile(guideTmpl)
	if err != nil {
		t.Fatal(err)
	}
	write(t, tmpl, string(base))
	write(t, guideTmpl, strings.Replace(string(good), `{{define "content"}}`, `{{define "content"}}{{.NoSuchField}}`, 1))
	if _, err := b.BuildInto(ctx, out); err == nil {
		t.Fatal("a template that cannot execute built")
	}
	write(t, guideTmpl, string(good))
	if _, err := b.BuildInto(ctx, out); err != nil {
		t.Fatal(err)
	}
	fresh3 := filepath.Join(dir, "fresh3")
	buildSite(t, src, cfg, fresh3)
	sameTrees(t, "after a failed build", fresh3, out)
}
