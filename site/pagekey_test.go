package site

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/themes"
)

// TestIncrementalSkipsUnchangedPages edits one input at a time and checks
// that BuildInto renders only pages whose data changed (all of them after
// a template edit, none after no edit) and that the folder it leaves is
// exactly what a fresh build of the same inputs gives.
func TestIncrementalSkipsUnchangedPages(t *testing.T) {
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	theme := filepath.Join(dir, "theme")
	options := filepath.Join(dir, "options.json")
	if err := os.CopyFS(content, os.DirFS("testdata/content")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(theme, themes.Default()); err != nil {
		t.Fatal(err)
	}
	write(t, options, readFile(t, "testdata/options.json"))
	guide := filepath.Join(content, "extra.md")
	write(t, guide, "---\ntitle: Extra\ndescription: An extra guide.\n---\nFirst body.\n")
	src := func() *indexer.Sources {
		return &indexer.Sources{Repo: "testdata", Mode: indexer.SourceNone, ContentDir: content,
			Options:  []indexer.FileInput{{Path: options, Scope: indexer.PrimaryScope}},
			Packages: []indexer.FileInput{{Path: "testdata/packages.json", Scope: indexer.PrimaryScope}}}
	}
	cfg := testConfig()
	cfg.ThemeDir = theme
	served := filepath.Join(dir, "served")
	b := NewBuilder(cfg, sourcesLoader(src()))

	step := func(name string, edit func(), rendered func(r, pages int) bool) {
		t.Helper()
		edit()
		res, err := b.BuildInto(context.Background(), served)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !rendered(res.Stats.Rendered, res.Stats.Pages) {
			t.Errorf("%s: %d of %d pages rendered", name, res.Stats.Rendered, res.Stats.Pages)
		}
		fresh := filepath.Join(t.TempDir(), "fresh")
		buildSite(t, src(), cfg, fresh)
		compareTrees(t, fresh, served)
	}
	all := func(r, pages int) bool { return r == pages }
	step("first build", func() {}, all)
	step("no change", func() {}, func(r, _ int) bool { return r == 0 })
	step("guide body", func() {
		write(t, guide, "---\ntitle: Extra\ndescription: An extra guide.\n---\nSecond body, longer.\n")
	}, func(r, _ int) bool { return r == 1 })
	step("guide title", func() {
		write(t, guide, "---\ntitle: Extra renamed\ndescription: An extra guide.\n---\nSecond body, longer.\n")
	}, func(r, pages int) bool { return r > 1 && r < pages })
	step("option description", func() {
		write(t, options, strings.Replace(readFile(t, options), `"description": "`, `"description": "Edited. `, 1))
	}, func(r, pages int) bool { return r >= 1 && r < pages })
	step("template", func() {
		p := filepath.Join(theme, "templates", "base.html")
		write(t, p, strings.Replace(readFile(t, p), "</footer>", "<!-- edited --></footer>", 1))
	}, all)
}

func write(t *testing.T, p, data string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMirror builds into one folder, mirrors it into another that holds an
// older build and a file of its own, and checks the copy equals the build,
// the stray page is gone, the other file stays, and the next build into
// the mirror renders only the page that changed.
func TestMirror(t *testing.T) {
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	if err := os.CopyFS(content, os.DirFS("testdata/content")); err != nil {
		t.Fatal(err)
	}
	guide := filepath.Join(content, "extra.md")
	write(t, guide, "---\ntitle: Extra\n---\nFirst body.\n")
	src := testSources()
	src.ContentDir = content
	b := NewBuilder(testConfig(), sourcesLoader(src))
	a, other := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	ctx := context.Background()

	// b holds a build that still had the guide; a is built without it.
	if _, err := b.BuildInto(ctx, other); err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(other, "search", "own.json")
	os.MkdirAll(filepath.Dir(own), 0o755)
	write(t, own, "{}")
	os.Remove(guide)
	if _, err := b.BuildInto(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := b.Mirror(a, other); err != nil {
		t.Fatal(err)
	}
	compareTrees(t, a, other)
	if _, err := os.Stat(filepath.Join(other, "guides", "extra", "index.html")); err == nil {
		t.Error("the page of the deleted guide is still in the mirror")
	}
	if _, err := os.Stat(own); err != nil {
		t.Errorf("a file the build did not write was removed: %v", err)
	}

	write(t, guide, "---\ntitle: Extra\ndescription: Extra.\n---\nBack again.\n")
	if _, err := b.BuildInto(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := b.Mirror(a, other); err != nil {
		t.Fatal(err)
	}
	write(t, guide, "---\ntitle: Extra\ndescription: Extra.\n---\nBack again, edited.\n")
	res, err := b.BuildInto(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Rendered != 1 {
		t.Errorf("after mirroring, an edit of one guide body rendered %d pages", res.Stats.Rendered)
	}
	fresh := filepath.Join(dir, "fresh")
	buildSite(t, src, testConfig(), fresh)
	compareTrees(t, fresh, other)

	if err := b.Mirror(filepath.Join(dir, "never-built"), other); err == nil {
		t.Error("mirroring a folder with no build succeeded")
	}
}
