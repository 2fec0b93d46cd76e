package site

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testSources are the hand-written inputs in testdata: every kind of
// default and example, every role and admonition, hostile HTML and names.
func testSources() *indexer.Sources {
	return &indexer.Sources{Repo: "testdata", Mode: indexer.SourceNone, ContentDir: "testdata/content",
		Options:  []indexer.FileInput{{Path: "testdata/options.json", Scope: indexer.PrimaryScope}},
		Packages: []indexer.FileInput{{Path: "testdata/packages.json", Scope: indexer.PrimaryScope}}}
}

func testConfig() Config {
	return Config{RepoURL: "https://github.com/atproto-nur/atproto-nur", Revision: "abc123"}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGoldenPages compares rendered pages (unminified, so diffs read
// well) with testdata/golden. Run with -update after an intended change
// and review the diff.
func TestGoldenPages(t *testing.T) {
	cfg := testConfig()
	cfg.NoMinify = true
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, testSources(), cfg, out)
	for golden, page := range map[string]string{
		"options-services.test.html": "options/services.test/index.html",
		"package-testpkg.html":       "packages/testpkg.html",
		"guide-backups.html":         "guides/operate/backups/index.html",
	} {
		got := readFile(t, filepath.Join(out, page))
		gp := filepath.Join("testdata", "golden", golden)
		if *update {
			if err := os.WriteFile(gp, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want := readFile(t, gp)
		if got != want {
			t.Errorf("%s differs from %s (run go test ./site -run TestGoldenPages -update and review the diff)", page, gp)
		}
	}
}

// TestHostileInputIsInert checks the rendered option and package pages
// contain no markup from the input: no script elements, event handlers
// or javascript: URLs anywhere in the built site.
func TestHostileInputIsInert(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, testSources(), testConfig(), out)
	checked := 0
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		checked++
		for _, tg := range scanTags(readFile(t, p)) {
			switch tg.Name {
			case "script":
				if !strings.HasPrefix(tg.Attrs["src"], "/static/") {
					t.Errorf("%s: script element not from the theme: %v", p, tg.Attrs)
				}
			case "img":
				if !strings.HasPrefix(tg.Attrs["src"], "/static/") {
					t.Errorf("%s: <img> from input data: %v", p, tg.Attrs)
				}
			case "iframe", "object", "embed", "b":
				t.Errorf("%s: <%s> from input data", p, tg.Name)
			}
			for k, v := range tg.Attrs {
				if strings.HasPrefix(k, "on") {
					t.Errorf("%s: event handler %s=%q on <%s>", p, k, v, tg.Name)
				}
				lv := strings.ToLower(strings.TrimSpace(v))
				if (k == "href" || k == "src" || k == "action") && (strings.HasPrefix(lv, "javascript:") || strings.HasPrefix(lv, "data:") || strings.HasPrefix(lv, "vbscript:")) {
					t.Errorf("%s: unsafe URL %s=%q", p, k, v)
				}
			}
		}
		return nil
	})
	if checked < 10 {
		t.Fatalf("only %d pages checked", checked)
	}
	page := stripTags(readFile(t, filepath.Join(out, "options/services.test/index.html")))
	for _, want := range []string{"<script>alert('desc')</script>", "<script>alert('type')</script>"} {
		if !strings.Contains(page, want) {
			t.Errorf("escaped hostile text %q missing from the option page", want)
		}
	}
}

// TestValuesRendered checks every kind of default and example is shown in
// its form: Nix highlighted, Markdown rendered, JSON as Nix.
func TestValuesRendered(t *testing.T) {
	cfg := testConfig()
	cfg.NoMinify = true
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, testSources(), cfg, out)
	page := readFile(t, filepath.Join(out, "options/services.test/index.html"))
	text := stripTags(page)
	for _, want := range []string{
		`port = 3000;`,                     // JSON object → attribute set
		`"1st" = "x";`,                     // non-identifier key quoted
		`with = null;`,                     // wait: keyword keys are quoted
		`[ 1 (-2) 3.5 "four" false null ]`, // negative numbers parenthesised
		`the testpkg package, built with`,  // literalMD rendered as prose
		`''${HOME}`,                        // indented string escapes interpolation
		`hosts = [ "c.example" ];`,         // literalExpression kept
	} {
		if want == `with = null;` {
			want = `"with" = null;`
		}
		if !strings.Contains(text, want) {
			t.Errorf("option page text lacks %q", want)
		}
	}
	if !strings.Contains(page, `<em>built</em>`) {
		t.Error("literalMD default not rendered as Markdown")
	}
	if !strings.Contains(page, `class="chroma"`) {
		t.Error("no highlighted code on the option page")
	}
	for _, want := range []string{`admonition note`, `admonition tip`, `admonition warning`, `admonition important`, `admonition caution`} {
		if !strings.Contains(page, want) {
			t.Errorf("admonition %q missing", want)
		}
	}
	if !strings.Contains(page, `href="https://github.com/atproto-nur/atproto-nur/blob/abc123/nix/modules/test.nix#L12"`) {
		t.Error("declared-in link with repository URL, revision and line missing")
	}
	if !strings.Contains(page, `read-only`) || !strings.Contains(page, `internal`) {
		t.Error("read-only / internal flags missing")
	}
	if strings.Contains(page, "services.test.invisible") {
		t.Error("an option with visible = false is documented")
	}
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

func stripTags(s string) string {
	s = tagRE.ReplaceAllString(s, "")
	return strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// TestLinksResolveUnderSubPath builds under a sub-path and follows every
// internal link and asset reference of every page: each must start with
// the sub-path and name a file (or folder with index.html) of the output,
// and each #fragment must exist on the target page.
func TestLinksResolveUnderSubPath(t *testing.T) {
	for _, base := range []string{"/", "/atproto-nur/", "https://docs.example.org/nur/"} {
		t.Run(base, func(t *testing.T) {
			cfg := testConfig()
			cfg.BaseURL = base
			out := filepath.Join(t.TempDir(), "public")
			buildSite(t, testSources(), withSearch(cfg), out)
			prefix, _, _ := parseBase(base)
			checkLinks(t, out, prefix)
			canon := readFile(t, filepath.Join(out, "packages/testpkg.html"))
			wantCanon := strings.TrimSuffix(base, "/") + "/packages/testpkg.html"
			if !strings.Contains(canon, `rel="canonical" href="`+wantCanon+`"`) {
				t.Errorf("canonical URL %s missing", wantCanon)
			}
		})
	}
}

func checkLinks(t *testing.T, out, prefix string) {
	t.Helper()
	ids := map[string]map[string]bool{}
	pageIDs := func(file string) map[string]bool {
		if m, ok := ids[file]; ok {
			return m
		}
		m := map[string]bool{}
		for _, tg := range scanTags(readFile(t, file)) {
			if id := tg.Attrs["id"]; id != "" {
				m[id] = true
			}
		}
		ids[file] = m
		return m
	}
	links := 0
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		for _, tg := range scanTags(readFile(t, p)) {
			ref := tg.Attrs["href"]
			if ref == "" {
				ref = tg.Attrs["src"]
			}
			if ref == "" {
				ref = tg.Attrs["action"]
			}
			if ref == "" {
				continue
			}
			u, err := url.Parse(ref)
			if err != nil {
				t.Errorf("%s: bad URL %q", p, ref)
				continue
			}
			if u.Host == "docs.example.org" {
				u.Scheme, u.Host = "", ""
			}
			if u.Scheme != "" || u.Host != "" {
				continue // external
			}
			target := p
			if u.Path != "" {
				if !strings.HasPrefix(u.Path, prefix) {
					t.Errorf("%s: link %q does not start with the base path %q", p, ref, prefix)
					continue
				}
				rel, _ := url.PathUnescape(strings.TrimPrefix(u.Path, prefix))
				target = filepath.Join(out, filepath.FromSlash(rel))
				if rel == "" || strings.HasSuffix(rel, "/") {
					target = filepath.Join(target, "index.html")
				}
			}
			links++
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: link %q points to missing %s", p, ref, target)
				continue
			}
			if u.Fragment != "" && strings.HasSuffix(target, ".html") && !pageIDs(target)[u.Fragment] {
				t.Errorf("%s: link %q: no id %q on the target page", p, ref, u.Fragment)
			}
		}
		return nil
	})
	if links < 50 {
		t.Fatalf("only %d internal links followed", links)
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// TestNothingEscapesTheOutput builds packages named "../../escape",
// "/etc/passwd" and ".." and checks every file landed inside the output
// folder and nothing appeared beside it.
func TestNothingEscapesTheOutput(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "inner", "public")
	buildSite(t, testSources(), testConfig(), out)
	entries, _ := os.ReadDir(filepath.Join(parent, "inner"))
	if len(entries) != 1 || entries[0].Name() != "public" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("files beside the output: %v", names)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Fatalf("files written above the output folder: %d entries", len(entries))
	}
	for _, p := range []string{"packages/_.._.._escape.html", "packages/_etc_passwd.html", "packages/_...html"} {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("sanitised page %s missing: %v", p, err)
		}
	}
}

func TestSafeJoin(t *testing.T) {
	root := "/out"
	for _, bad := range []string{"../x", "a/../../x", "/etc/passwd", "", "a/../..", "./../x"} {
		if p, err := safeJoin(root, bad); err == nil {
			t.Errorf("safeJoin(%q) = %q, want an error", bad, p)
		}
	}
	for in, want := range map[string]string{"a/b.html": "/out/a/b.html", "options/x/index.html": "/out/options/x/index.html"} {
		if got, err := safeJoin(root, in); err != nil || got != want {
			t.Errorf("safeJoin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"services.atproto.pds": "services.atproto.pds",
		"..":                   "_..",
		".hidden":              "_.hidden",
		"a/b":                  "a_b",
		"":                     "_",
		"<name>":               "_name_",
		"ümlaut":               "_mlaut",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("x", 500)
	if s := Slug(long); len(s) > maxSegment || Slug(long+"y") == s {
		t.Errorf("long names are not cut to distinct segments: %d bytes", len(s))
	}
}

// TestFailedBuildKeepsOldSite makes a build fail after most pages are
// written (the search index step) and checks the previous site is intact
// and no temporary folder is left behind.
func TestFailedBuildKeepsOldSite(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "public")
	buildSite(t, testSources(), testConfig(), out)
	before := snapshotTree(t, out)

	cfg := testConfig()
	cfg.Out = out
	cfg.Index = func(string, []indexer.Document, func(indexer.Document) string) error {
		return errors.New("disk full (simulated)")
	}
	_, err := NewBuilder(cfg, sourcesLoader(testSources())).Build(context.Background())
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("build error = %v, want the simulated failure", err)
	}
	// A broken template fails in the render phase.
	theme := copyTheme(t)
	os.WriteFile(filepath.Join(theme, "templates", "package.html"), []byte(`{{define "content"}}{{.Package.NoSuchField}}{{end}}`), 0o644)
	cfg.Index, cfg.ThemeDir = nil, theme
	_, err = NewBuilder(cfg, sourcesLoader(testSources())).Build(context.Background())
	if err == nil || !strings.Contains(err.Error(), "NoSuchField") {
		t.Fatalf("build error = %v, want the template error", err)
	}
	// Malformed input fails while loading.
	bad := filepath.Join(parent, "bad.json")
	os.WriteFile(bad, []byte(`{"x": {"loc": ["x"], "type": 3}}`), 0o644)
	src := testSources()
	src.Options = append(src.Options, indexer.FileInput{Path: bad, Scope: "bad"})
	cfg.ThemeDir = ""
	_, err = NewBuilder(cfg, sourcesLoader(src)).Build(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bad.json:1:") {
		t.Fatalf("build error = %v, want one naming bad.json and its line", err)
	}
	if after := snapshotTree(t, out); after != before {
		t.Error("the previous site changed after failed builds")
	}
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if e.Name() != "public" && e.Name() != "bad.json" && e.Name() != filepath.Base(theme) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestRefusesForeignFolder: --out pointing at a folder nurdocs did not
// build (the repository itself, by a typo) must not be replaced.
func TestRefusesForeignFolder(t *testing.T) {
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "precious.txt"), []byte("keep"), 0o644)
	cfg := testConfig()
	cfg.Out = out
	_, err := NewBuilder(cfg, sourcesLoader(testSources())).Build(context.Background())
	if err == nil || !strings.Contains(err.Error(), "did not build") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if readFile(t, filepath.Join(out, "precious.txt")) != "keep" {
		t.Fatal("foreign folder modified")
	}
}

func copyTheme(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "theme")
	src := filepath.Join(repoRoot, "themes", "default")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// snapshotTree lists every file with its size and content hash.
func snapshotTree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if !d.IsDir() {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, "%s %d %x\n", p, len(data), shortHash(string(data)))
		}
		return nil
	})
	return b.String()
}

// TestEveryPageHasTitleAndCanonical checks the head of every HTML page.
func TestEveryPageHasTitleAndCanonical(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, testSources(), testConfig(), out)
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		s := readFile(t, p)
		if !regexp.MustCompile(`<title>[^<]+</title>`).MatchString(s) {
			t.Errorf("%s has no title", p)
		}
		if !strings.Contains(s, `rel="canonical"`) {
			t.Errorf("%s has no canonical URL", p)
		}
		return nil
	})
	for _, f := range []string{"404.html", "sitemap.xml", "robots.txt", "search/index.html", "static/style.css", "static/highlight.css", "static/nurdocs.js"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s missing", f)
		}
	}
	sm := readFile(t, filepath.Join(out, "sitemap.xml"))
	if !strings.Contains(sm, "<loc>/options/services.test/</loc>") || strings.Contains(sm, "404.html") {
		t.Errorf("sitemap content unexpected: %.300s", sm)
	}
}

// TestMinified checks HTML, CSS and JS come out minified.
func TestMinified(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, testSources(), testConfig(), out)
	for _, f := range []string{"index.html", "static/style.css", "static/nurdocs.js", "static/favicon.svg"} {
		s := regexp.MustCompile(`(?s)<pre.*?</pre>`).ReplaceAllString(readFile(t, filepath.Join(out, f)), "")
		if strings.Contains(s, "\n  ") || strings.Contains(s, "/*") || strings.Contains(s, "// ") {
			t.Errorf("%s does not look minified: %.200s", f, s)
		}
	}
}

// TestGuides checks navigation, previous/next, edit links and that
// broken references in guides are reported with file and line.
func TestGuides(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	res := buildSite(t, testSources(), testConfig(), out)
	page := readFile(t, filepath.Join(out, "guides/operate/backups/index.html"))
	for _, want := range []string{
		`rel="next" href="/guides/operate/upgrades/"`,
		`rel="prev" href="/guides/operate/"`, // the section index
		`https://github.com/atproto-nur/atproto-nur/edit/main/content/operate/backups.md`,
		`aria-current="page"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("backups guide lacks %q", want)
		}
	}
	found := false
	for _, d := range res.Diagnostics {
		if strings.HasSuffix(d.File, "operate/backups.md") && d.Line == 7 && strings.Contains(d.Message, "services.test.nope") {
			found = true
		}
	}
	if !found {
		t.Errorf("no diagnostic at content/operate/backups.md:7 for the broken reference; got %v", res.Diagnostics)
	}
}

// TestIncrementalBuildInto checks BuildInto rewrites only what changed:
// an edited guide changes its page (and pages listing its title) but not
// the option pages.
func TestIncrementalBuildInto(t *testing.T) {
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	os.MkdirAll(content, 0o755)
	guide := filepath.Join(content, "a.md")
	os.WriteFile(guide, []byte("---\ntitle: A\n---\nfirst version\n"), 0o644)
	src := testSources()
	src.ContentDir = content
	out := filepath.Join(dir, "serve")
	b := NewBuilder(testConfig(), sourcesLoader(src))
	res, err := b.BuildInto(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Written != res.Stats.Files {
		t.Fatalf("first build wrote %d of %d files", res.Stats.Written, res.Stats.Files)
	}
	optPage := filepath.Join(out, "options/services.test/index.html")
	fi1, _ := os.Stat(optPage)
	os.WriteFile(guide, []byte("---\ntitle: A\n---\nsecond version, longer\n"), 0o644)
	res, err = b.BuildInto(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	// The guide's page, the home page and the guides index (which show
	// its summary).
	if res.Stats.Written != 3 {
		t.Errorf("after editing one guide's body, %d files were rewritten, want 3", res.Stats.Written)
	}
	if !strings.Contains(readFile(t, filepath.Join(out, "guides/a/index.html")), "second version") {
		t.Error("guide page not updated")
	}
	if fi2, _ := os.Stat(optPage); !fi2.ModTime().Equal(fi1.ModTime()) {
		t.Error("unchanged option page was rewritten")
	}
	os.Remove(guide)
	if _, err := b.BuildInto(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "guides/a/index.html")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("page of a deleted guide still there")
	}
}

func TestParseBase(t *testing.T) {
	for in, want := range map[string][2]string{
		"":                   {"/", ""},
		"/":                  {"/", ""},
		"sub":                {"/sub/", ""},
		"/a/b":               {"/a/b/", ""},
		"https://x.org/docs": {"/docs/", "https://x.org"},
		"https://x.org":      {"/", "https://x.org"},
		"/with space/":       {"/with%20space/", ""},
	} {
		b, o, err := parseBase(in)
		if err != nil || b != want[0] || o != want[1] {
			t.Errorf("parseBase(%q) = %q, %q, %v; want %q", in, b, o, err, want)
		}
	}
	for _, bad := range []string{"ftp://x/", "/x?y=1", "javascript:alert(1)"} {
		if _, _, err := parseBase(bad); err == nil {
			t.Errorf("parseBase(%q) accepted", bad)
		}
	}
}

var _ = path.Join

// TestMalformedInputWritesNothing: a build that fails on bad input
// leaves no output folder and no temporary folder behind.
func TestMalformedInputWritesNothing(t *testing.T) {
	parent := t.TempDir()
	bad := filepath.Join(t.TempDir(), "packages.json.gz")
	os.WriteFile(bad, []byte("{\n  \"a\": {\"meta\": {\"license\": true}}\n}"), 0o644)
	cfg := testConfig()
	cfg.Out = filepath.Join(parent, "public")
	src := testSources()
	src.Packages = []indexer.FileInput{{Path: bad, Scope: "x"}}
	_, err := NewBuilder(cfg, sourcesLoader(src)).Build(context.Background())
	if err == nil || !strings.Contains(err.Error(), "packages.json.gz:2:8: package \"a\": meta.license") {
		t.Fatalf("error %v does not name the file, position and problem", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("failed build left %d entries in the output's parent", len(entries))
	}
}
