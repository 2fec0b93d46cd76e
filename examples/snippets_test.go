package examples_test

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// snippet is one fenced ```nix block of a guide.
type snippet struct {
	file string // path relative to the repository root
	line int    // line of the opening fence
	body string // the block's lines, each ending in "\n"
}

var fenceRE = regexp.MustCompile("^( {0,3})(`{3,}|~{3,})[ \t]*([^ \t`{]*)")

// nixSnippets returns the ```nix blocks of one Markdown file.
func nixSnippets(name, text string) []snippet {
	var out []snippet
	var cur *snippet
	var fence, indent string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if cur == nil && fence == "" {
			if m := fenceRE.FindStringSubmatch(line); m != nil {
				fence, indent = m[2], m[1]
				if strings.EqualFold(m[3], "nix") {
					cur = &snippet{file: name, line: n}
				}
			}
			continue
		}
		trimmed := strings.TrimLeft(line, " ")
		if len(line)-len(trimmed) <= 3 && strings.HasPrefix(trimmed, fence) &&
			strings.TrimSpace(strings.TrimLeft(trimmed, fence[:1])) == "" {
			if cur != nil {
				out = append(out, *cur)
			}
			cur, fence = nil, ""
			continue
		}
		if cur != nil {
			cur.body += strings.TrimPrefix(line, indent) + "\n"
		}
	}
	return out
}

// quotes reports whether body is a run of whole lines of file.
func quotes(file, body string) bool {
	return body != "" && strings.Contains("\n"+file, "\n"+body)
}

// closest describes where body parts from the example it resembles most:
// the file whose lines match the longest prefix of the block.
func closest(examples map[string]string, body string) string {
	want := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	best, bestFile, bestAt := -1, "", 0
	names := make([]string, 0, len(examples))
	for n := range examples {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		have := strings.Split(examples[name], "\n")
		for i := range have {
			k := 0
			for k < len(want) && i+k < len(have) && have[i+k] == want[k] {
				k++
			}
			if k > best {
				best, bestFile, bestAt = k, name, i
			}
		}
	}
	if best <= 0 {
		return "no example file contains its first line"
	}
	have := strings.Split(examples[bestFile], "\n")
	exampleLine := "(end of file)"
	if bestAt+best < len(have) {
		exampleLine = fmt.Sprintf("%q", have[bestAt+best])
	}
	return fmt.Sprintf("closest is %s from line %d: block line %d is %q, the example has %s",
		bestFile, bestAt+1, best+1, want[best], exampleLine)
}

// checkSnippets returns one message per block that is not quoted verbatim
// from an example, and per example file (of those listed in mustQuote) that
// no block quotes.
func checkSnippets(snippets []snippet, examples map[string]string, mustQuote []string) []string {
	var problems []string
	quoted := map[string]bool{}
	for _, s := range snippets {
		found := false
		for name, text := range examples {
			if quotes(text, s.body) {
				quoted[name], found = true, true
			}
		}
		if !found {
			problems = append(problems, fmt.Sprintf(
				"%s:%d: this ```nix block is not a verbatim run of lines of any file in examples/ "+
					"(guides quote the evaluated examples; change the example and copy it): %s",
				s.file, s.line, closest(examples, s.body)))
		}
	}
	for _, name := range mustQuote {
		if !quoted[name] {
			problems = append(problems, fmt.Sprintf(
				"%s is quoted by no guide in content/: quote it in a ```nix block or remove it", name))
		}
	}
	sort.Strings(problems)
	return problems
}

// readTree returns the files under root/dir whose names end in ext, keyed by
// their path relative to root. Symbolic links are not followed.
func readTree(t *testing.T, root, dir, ext string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(p, ext) {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			files[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	return files
}

func TestGuidesQuoteExamplesVerbatim(t *testing.T) {
	guides := readTree(t, "..", "content", ".md")
	examples := readTree(t, "..", "examples", ".nix")
	if len(guides) == 0 || len(examples) == 0 {
		t.Fatalf("found %d guides in content/ and %d examples in examples/; expected both", len(guides), len(examples))
	}
	var snippets []snippet
	for name, text := range guides {
		snippets = append(snippets, nixSnippets(name, text)...)
	}
	if len(snippets) == 0 {
		t.Fatal("no ```nix block in content/: the parser or the guides are broken")
	}
	var mustQuote []string
	for name := range examples {
		mustQuote = append(mustQuote, name)
	}
	sort.Strings(mustQuote)
	for _, p := range checkSnippets(snippets, examples, mustQuote) {
		t.Error(p)
	}
	t.Logf("checked %d ```nix blocks in %d guides against %d example files", len(snippets), len(guides), len(examples))
}

// The check itself must be able to fail: an edited line, a block that
// starts mid-line, and an unquoted example are all reported.
func TestSnippetCheckCatchesDrift(t *testing.T) {
	examples := map[string]string{
		"examples/a.nix": "{\n  services.atproto.pds.enable = true;\n  x = 1;\n}\n",
		"examples/b.nix": "{ }\n",
	}
	guide := "# Guide\n\n```nix\n  services.atproto.pds.enable = true;\n  x = 1;\n```\n\n" +
		"~~~ nix\n  services.atproto.pds.enable = true;\n  x = 2;\n~~~\n\n```sh\nnot nix\n```\n\n```nix\natproto.pds.enable = true;\n```\n"
	snippets := nixSnippets("content/g.md", guide)
	if len(snippets) != 3 {
		t.Fatalf("found %d nix blocks, want 3: %+v", len(snippets), snippets)
	}
	problems := checkSnippets(snippets, examples, []string{"examples/a.nix", "examples/b.nix"})
	want := []string{
		"content/g.md:17:", // starts mid-line
		"content/g.md:8:",  // edited value
		"examples/b.nix is quoted by no guide",
	}
	if len(problems) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(problems), len(want), strings.Join(problems, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(problems[i], w) {
			t.Errorf("problem %d = %q, want it to start with %q", i, problems[i], w)
		}
	}
	if !strings.Contains(problems[1], `block line 2 is "  x = 2;", the example has "  x = 1;"`) {
		t.Errorf("the report should show the example's line: %s", problems[1])
	}
}
