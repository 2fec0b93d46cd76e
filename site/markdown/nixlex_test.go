package markdown

import (
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

// classes returns the CSS class of every byte of src as a lexer sees it.
func nixClasses(src string) ([]string, string) {
	var out []string
	var b strings.Builder
	tokeniseNix(src, func(tt chroma.TokenType, v string) {
		b.WriteString(v)
		for range len(v) {
			out = append(out, tokenClass(tt))
		}
	})
	return out, b.String()
}

func chromaClasses(t testing.TB, src string) []string {
	it, err := lexers.Get("nix").Tokenise(nil, src)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for tok := it(); tok != chroma.EOF; tok = it() {
		for range len(tok.Value) {
			out = append(out, tokenClass(tok.Type))
		}
	}
	return out
}

func TestNixLexer(t *testing.T) {
	src := `{ pkgs, lib ? import <nixpkgs/lib>, ... }:
let
  port = 3000; ratio = 0.5; # comment
  /* block */ url = https://example.org/x;
in {
  path = ./data/file.json; home = ~/x; abs = /etc/pds;
  s = "a ${toString port} \" \${b} $c";
  i = ''
    ''${not} '''quote ${ { a = 1; }.a } ''\n
  '';
  ok = true && !false || null == x -> y // { } ++ [ 1 ];
}`
	classes, back := nixClasses(src)
	if back != src {
		t.Fatalf("lexer is not lossless:\n%s", back)
	}
	check := func(sub, want string) {
		t.Helper()
		i := strings.Index(src, sub)
		if i < 0 {
			t.Fatalf("%q not in source", sub)
		}
		for k := i; k < i+len(sub); k++ {
			if classes[k] != want {
				t.Errorf("%q: byte %d has class %q, want %q", sub, k-i, classes[k], want)
				return
			}
		}
	}
	check("let", "k")
	check("import", "kn")
	check("<nixpkgs/lib>", "sr")
	check("3000", "mi")
	check("0.5", "mf")
	check("# comment", "c1")
	check("/* block */", "cm")
	check("https://example.org/x", "sd")
	check("./data/file.json", "sr")
	check("~/x", "sr")
	check("/etc/pds", "sr")
	check("toString", "nb")
	check(`\"`, "se")
	check("${", "si")
	check("''$", "se")
	check("'''", "se")
	check(`''\n`, "se")
	check("true", "no")
	check("null", "no")
	// In ${ { a = 1; }.a } the inner braces are code, the last one ends
	// the interpolation.
	nested := strings.Index(src, "${ { a = 1; }.a }")
	for off, want := range map[int]string{0: "si", 3: "p", 12: "p", 13: "o", 14: "n", 16: "si"} {
		if got := classes[nested+off]; got != want {
			t.Errorf("nested interpolation byte %d (%q): class %q, want %q", off, src[nested+off], got, want)
		}
	}
}

// TestNixLexerAgreesWithChroma compares the hand-written lexer with
// chroma's Nix lexer byte by byte on every literalExpression of the NixOS
// corpus.
func TestNixLexerAgreesWithChroma(t *testing.T) {
	c := loadCorpus(t, "nixos-options.json.gz")
	same, total := 0, 0
	seen := map[string]bool{}
	for _, src := range c.nix {
		if seen[src] {
			continue
		}
		seen[src] = true
		ours, back := nixClasses(src)
		if back != src {
			t.Fatalf("lexer is not lossless on %q", src)
		}
		theirs := chromaClasses(t, src)
		if len(theirs) != len(ours) {
			// chroma adds a final newline; compare the common prefix
			theirs = theirs[:min(len(theirs), len(ours))]
		}
		for i := range theirs {
			total++
			if theirs[i] == ours[i] || strings.TrimSpace(src[i:i+1]) == "" {
				same++
			}
		}
	}
	agree := float64(same) / float64(total)
	t.Logf("hand-written Nix lexer agrees with chroma on %.2f%% of %d bytes (%d distinct values)", 100*agree, total, len(seen))
	if agree < 0.97 {
		t.Errorf("agreement %.2f%% is below 97%%", 100*agree)
	}
}

func FuzzNixLexer(f *testing.F) {
	for _, s := range []string{`{ a = "x${y}"; }`, "''\n ''${x} ''' ${ { } } ''", "./a/b ~/c <d/e> https://f/g 1.5e3", "\"\\\xff${"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if _, back := nixClasses(src); back != src {
			t.Fatalf("not lossless: %q -> %q", src, back)
		}
		if h := string(Highlight("nix", src)); inertProblem(h) != "" {
			t.Fatalf("not inert: %s", inertProblem(h))
		}
	})
}
