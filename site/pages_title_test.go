package site

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWithoutTitleHeading(t *testing.T) {
	for in, want := range map[string]string{
		"# Title\n\nBody.\n":          "\n\nBody.\n",
		"\n\n# Title {#t}\nBody":      "\n\n\nBody",
		"Intro.\n\n# Later\n":         "Intro.\n\n# Later\n",
		"## Section\n":                "## Section\n",
		"#hashtag\n":                  "#hashtag\n",
		"":                            "",
		"# Only":                      "",
		"```\n# not a heading\n```\n": "```\n# not a heading\n```\n",
	} {
		if got := withoutTitleHeading(in); got != want {
			t.Errorf("withoutTitleHeading(%q) = %q, want %q", in, got, want)
		}
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
