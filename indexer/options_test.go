package indexer

import (
	"bytes"
	"compress/gzip"
	"errors"
	"github.com/atproto-nur/atproto-nur/internal/testcorpus"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sampleOptions = `{
  "services.a.enable": {
    "declarations": ["nix/modules/a.nix:12"],
    "description": "Whether to enable {option}` + "`services.a`" + `.\n\nMore text.",
    "type": "boolean",
    "default": {"_type": "literalExpression", "text": "false"},
    "example": {"_type": "literalMD", "text": "*yes*"},
    "loc": ["services", "a", "enable"],
    "readOnly": false
  },
  "services.a.settings": {
    "declarations": [{"name": "<nixpkgs/a.nix>", "url": "https://example.org/a.nix"}, {"name": "nix/modules/a.nix", "line": 40}],
    "description": {"_type": "mdDoc", "text": "Old-style wrapped description."},
    "type": "attribute set",
    "default": {"port": 1},
    "loc": ["services", "a", "settings"],
    "readOnly": true,
    "internal": true,
    "visible": false,
    "relatedPackages": "- pkgs.a"
  }
}`

func TestParseOptions(t *testing.T) {
	docs, err := ParseOptions("sample.json", []byte(sampleOptions), "NixOS")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("got %d docs", len(docs))
	}
	a, s := docs[0], docs[1]
	if a.ID != "opt:NixOS/services.a.enable" || a.Kind != KindOption || a.Scope != "NixOS" {
		t.Errorf("doc identity: %+v", a)
	}
	if a.Summary != "Whether to enable services.a." {
		t.Errorf("summary %q", a.Summary)
	}
	if d := a.Option.Declarations[0]; d.Name != "nix/modules/a.nix" || d.Line != 12 {
		t.Errorf("declaration %+v", d)
	}
	if v := a.Option.Default; v.Kind != ValueExpression || v.Text != "false" {
		t.Errorf("default %+v", v)
	}
	if v := a.Option.Example; v.Kind != ValueMarkdown || v.Text != "*yes*" {
		t.Errorf("example %+v", v)
	}
	if !a.Option.Visible || a.Option.Internal {
		t.Error("visible/internal defaults wrong")
	}
	if s.Option.Description != "Old-style wrapped description." {
		t.Errorf("wrapped description %q", s.Option.Description)
	}
	if v := s.Option.Default; v.Kind != ValueJSON || string(v.JSON) != `{"port": 1}` {
		t.Errorf("JSON default %+v", v)
	}
	if d := s.Option.Declarations; d[0].URL != "https://example.org/a.nix" || d[1].Line != 40 {
		t.Errorf("declarations %+v", d)
	}
	if !s.Option.ReadOnly || !s.Option.Internal || s.Option.Visible || s.Option.RelatedPackages != "- pkgs.a" {
		t.Errorf("flags %+v", s.Option)
	}
	// The primary scope has IDs without a scope part.
	docs, _ = ParseOptions("sample.json", []byte(sampleOptions), PrimaryScope)
	if docs[0].ID != "opt:services.a.enable" {
		t.Errorf("primary ID %q", docs[0].ID)
	}
}

func gz(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestLoadOptionsGzip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "options.json") // compressed despite the name
	os.WriteFile(p, gz(t, []byte(sampleOptions)), 0o644)
	docs, err := LoadOptions(p, "x")
	if err != nil || len(docs) != 2 {
		t.Fatalf("LoadOptions gzip: %d docs, %v", len(docs), err)
	}
}

// TestMalformedOptions: every error names the file and the line and
// column where the problem is, and says what is wrong.
func TestMalformedOptions(t *testing.T) {
	for _, tc := range []struct {
		name, input, want string
	}{
		{"truncated", "{\n  \"a\": {\"loc\": [\"a\"],\n", "bad.json:3:1: invalid JSON: unexpected end of input"},
		{"syntax", "{\n  \"a\": {\"loc\": [\"a\"] \"type\": 1}\n}", "bad.json:2:"},
		{"wrong type", "{\n  \"a\": {\n    \"type\": 3\n  }\n}", "bad.json:3:1"},
		{"top-level array", "[1, 2]", "bad.json:1:1: expected a JSON object at the top level, found an array"},
		{"duplicate", "{\"a\": {}, \n \"a\": {}}", "bad.json:2:2: duplicate key \"a\""},
		{"trailing", "{\"a\": {}}\n{\"b\": {}}", "bad.json:2:1: unexpected data after the top-level object"},
		{"unknown literal", "{\"a\": {\"default\": {\"_type\": \"literalFoo\", \"text\": \"x\"}}}", "option \"a\": default: unknown _type \"literalFoo\""},
		{"bad declaration", "{\"a\": {\"declarations\": [42]}}", "option \"a\": declarations[0]: expected a path string or {name, url}"},
		{"empty", "", "bad.json:1:1: invalid JSON: unexpected end of input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseOptions("bad.json", []byte(tc.input), "x")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\n does not contain %q", err, tc.want)
			}
			var pe *PositionError
			if !errors.As(err, &pe) || pe.File != "bad.json" {
				t.Errorf("error %v is not a PositionError naming the file", err)
			}
		})
	}
	if _, err := ParseOptions("bad.json.gz", []byte{0x1f, 0x8b, 1, 2, 3}, "x"); err == nil || !strings.Contains(err.Error(), "bad.json.gz: reading gzip") {
		t.Errorf("corrupt gzip: %v", err)
	}
	if _, err := LoadOptions(filepath.Join(t.TempDir(), "missing.json"), "x"); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}

func TestSplitOptionPath(t *testing.T) {
	got := SplitOptionPath(`services."foo.bar".enable`)
	if strings.Join(got, "|") != "services|foo.bar|enable" {
		t.Errorf("got %q", got)
	}
}

func corpusFile(tb testing.TB, name string) string {
	tb.Helper()
	return testcorpus.Path(tb, name)
}

func TestCorpusNixOS(t *testing.T) {
	docs, err := LoadOptions(corpusFile(t, "nixos-options.json.gz"), "NixOS")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 20919 {
		t.Errorf("got %d options, the corpus has 20,919", len(docs))
	}
	defaults, md, examples := 0, 0, 0
	for _, d := range docs {
		o := d.Option
		if len(o.Loc) == 0 || o.Type == "" {
			t.Fatalf("%s: incomplete %+v", d.Name, o)
		}
		if o.Default != nil {
			defaults++
			if o.Default.Kind == ValueMarkdown {
				md++
			}
		}
		if o.Example != nil {
			examples++
		}
	}
	if defaults != 19404 || md != 69 || examples != 7167 {
		t.Errorf("defaults %d (literalMD %d), examples %d; corpus has 19404 (69), 7167", defaults, md, examples)
	}
}

func TestCorpusHomeManager(t *testing.T) {
	docs, err := LoadOptions(corpusFile(t, "home-manager-options.json.gz"), "home-manager")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3753 {
		t.Errorf("got %d options, the corpus has 3,753", len(docs))
	}
	for _, d := range docs {
		for _, decl := range d.Option.Declarations {
			if decl.URL == "" || decl.Name == "" {
				t.Fatalf("%s: declaration without name or url: %+v", d.Name, decl)
			}
		}
	}
}

func BenchmarkLoadNixOSOptions(b *testing.B) {
	p := corpusFile(b, "nixos-options.json.gz")
	for i := 0; i < b.N; i++ {
		if _, err := LoadOptions(p, "NixOS"); err != nil {
			b.Fatal(err)
		}
	}
}
