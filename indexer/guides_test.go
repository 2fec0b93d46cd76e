package indexer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseGuide(t *testing.T) {
	src := "---\ntitle: Running a PDS\nweight: 3\ndescription: From zero to a working PDS.\ntags: [x]\n---\n# Heading\n\nBody {option}`services.atproto.pds.enable`.\n"
	d, err := ParseGuide("content/ops/pds.md", "ops/pds.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "guide:ops/pds" || d.Title != "Running a PDS" || d.Guide.Weight != 3 || d.Guide.Section != "ops" {
		t.Errorf("%+v %+v", d, d.Guide)
	}
	if d.Guide.BodyLine != 7 || !strings.HasPrefix(d.Guide.Body, "# Heading") {
		t.Errorf("body line %d, body %q", d.Guide.BodyLine, d.Guide.Body)
	}
	if d.Summary != "From zero to a working PDS." {
		t.Errorf("summary %q", d.Summary)
	}
	// No front matter: the title comes from the first heading.
	d, err = ParseGuide("x.md", "Intro Page.md", []byte("# Hello {#hi}\n\nFirst words here. Second sentence.\n"))
	if err != nil || d.Title != "Hello" || d.Name != "intro-page" || d.Summary != "First words here." {
		t.Errorf("%v %+v", err, d)
	}
	if d, _ := ParseGuide("x.md", "x.md", []byte("---\ntitle: Draft\ndraft: true\n---\n")); d != nil {
		t.Error("draft not skipped")
	}
}

// TestGuideErrors: front matter mistakes name the file and the line.
func TestGuideErrors(t *testing.T) {
	for src, want := range map[string]string{
		"---\ntitle: x\nweight: heavy\n---\nbody": "g.md:3:9: front matter \"weight\" must be a whole number, not \"heavy\"",
		"---\ntitle: [a, b]\n---\n":               "g.md:2:8: front matter \"title\" must be text",
		"---\ntitle: x\n  bad: indent\n---\n":     "g.md:3:1: front matter:",
		"---\ntitle: x\nno closing":               "g.md:1:1: front matter starts with --- but has no closing ---",
		"no title at all\n":                       "g.md:1:1: guide has no title",
		"---\n- a list\n---\n":                    "g.md:2:1: front matter must be a mapping",
		"---\ntitle: x\ndraft: maybe\n---\n":      "g.md:3:8: front matter \"draft\" must be true or false",
	} {
		_, err := ParseGuide("g.md", "g.md", []byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}

func TestLoadGuidesOrder(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644)
	}
	write("b.md", "---\ntitle: B\nweight: 2\n---\n")
	write("a.md", "---\ntitle: A\nweight: 1\n---\n")
	write("ops/z.md", "---\ntitle: Z\nweight: 1\n---\n")
	write("ops/index.md", "---\ntitle: Ops\nweight: 9\n---\n")
	write(".hidden/x.md", "---\ntitle: H\n---\n")
	write("notes.txt", "ignored")
	docs, err := LoadGuides(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range docs {
		names = append(names, d.Name)
	}
	if strings.Join(names, " ") != "a b ops ops/z" {
		t.Errorf("order %v", names)
	}
	if docs, err := LoadGuides(filepath.Join(dir, "missing")); err != nil || len(docs) != 0 {
		t.Errorf("missing folder: %v %v", docs, err)
	}
	write("bad.md", "---\ntitle: x\nweight: w\n---\n")
	if _, err := LoadGuides(dir); err == nil || !strings.Contains(err.Error(), "bad.md:3:") {
		t.Errorf("bad guide: %v", err)
	}
}

func TestSummary(t *testing.T) {
	for in, want := range map[string]string{
		"Whether to enable the {option}`services.a` thing.":            "Whether to enable the services.a thing.",
		"See [the manual](https://x.org) e.g. for details. Then more.": "See the manual e.g. for details.",
		"::: {.note}\nA note\n:::":                                     "A note",
		"First paragraph\ncontinues.\n\nSecond paragraph.":             "First paragraph continues.",
		"":                          "",
		strings.Repeat("word ", 60): strings.TrimSpace(strings.Repeat("word ", 32)) + "…",
	} {
		if got := Summary(in); got != want {
			t.Errorf("Summary(%q) = %q, want %q", in, got, want)
		}
	}
}
