package site

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWithoutTitleHeading(t *testing.T) {
	type result struct {
		rest, heading string
		line          int
	}
	for in, want := range map[string]result{
		"# Title\n\nBody.\n":          {"\n\nBody.\n", "Title", 1},
		"\n\n# Title {#t}\nBody":      {"\n\n\nBody", "Title {#t}", 3},
		"Intro.\n\n# Later\n":         {"Intro.\n\n# Later\n", "", 0},
		"## Section\n":                {"## Section\n", "", 0},
		"#hashtag\n":                  {"#hashtag\n", "", 0},
		"":                            {"", "", 0},
		"# Only":                      {"", "Only", 1},
		"```\n# not a heading\n```\n": {"```\n# not a heading\n```\n", "", 0},
	} {
		rest, heading, line := withoutTitleHeading(in)
		if got := (result{rest, heading, line}); got != want {
			t.Errorf("withoutTitleHeading(%q) = %+v, want %+v", in, got, want)
		}
	}
	if got := plainHeading("The `pds` guide {#pds}"); got != "The pds guide" {
		t.Errorf("plainHeading keeps marks or the id: %q", got)
	}
}

// TestRelativeBaseNote: a build without a host in its base URL says that
// its canonical links and sitemap are relative; one with a host does not.
func TestRelativeBaseNote(t *testing.T) {
	for base, want := range map[string]bool{"/docs/": true, "https://example.org/docs/": false} {
		cfg := testConfig()
		cfg.BaseURL = base
		res := buildSite(t, testSources(), cfg, filepath.Join(t.TempDir(), "public"))
		if got := slices.Contains(res.Notes, relativeNote); got != want {
			t.Errorf("base %s: note about relative links %v, want %v (notes %q)", base, got, want, res.Notes)
		}
	}
}

// TestGuideLists: the home page lists guides by title in running text,
// and the guides index gives each guide's description.
func TestGuideLists(t *testing.T) {
	cfg := testConfig()
	cfg.NoMinify = true
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, testSources(), cfg, out)
	home := readFile(t, filepath.Join(out, "index.html"))
	if i := strings.Index(home, `id="guides"`); i < 0 || strings.Contains(home[i:], "<code>Getting started</code>") {
		t.Error("the home page shows guide titles as code")
	}
	index := readFile(t, filepath.Join(out, "guides/index.html"))
	if !strings.Contains(index, `<span class="summary">`) {
		t.Error("the guides index shows no descriptions")
	}
}

// TestTitleHeadingMismatch: after the front matter's title changed, the
// old # heading is not shown, and the build says which line to fix.
func TestTitleHeadingMismatch(t *testing.T) {
	content := t.TempDir()
	guide := filepath.Join(content, "g.md")
	if err := os.WriteFile(guide, []byte("---\ntitle: New title\n---\n\n# Old title\n\nBody.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.NoMinify = true
	out := filepath.Join(t.TempDir(), "public")
	src := testSources()
	src.ContentDir = content
	res := buildSite(t, src, cfg, out)
	page := readFile(t, filepath.Join(out, "guides/g/index.html"))
	if strings.Contains(page, "Old title") || strings.Count(page, "<h1") != 1 {
		t.Error("the page shows the old heading, or not exactly one h1")
	}
	found := false
	for _, d := range res.Diagnostics {
		if d.File == guide && d.Line == 5 && strings.Contains(d.Message, `"Old title" differs`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no diagnostic at g.md:5 about the heading; got %v", res.Diagnostics)
	}
}
