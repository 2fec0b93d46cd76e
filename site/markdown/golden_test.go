package markdown

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.html and *.diag from the current output")

// testResolver knows a few options and packages of this repository.
type testResolver struct{}

var testOptions = map[string]bool{
	"services.atproto.pds.enable":                true,
	"services.atproto.pds.settings.PDS_PORT":     true,
	"services.atproto.pds.instances.<name>.port": true,
}

func (testResolver) OptionURL(name string) (string, bool) {
	if !testOptions[name] {
		return "", false
	}
	return "options/services.atproto.pds/#" + name, true
}

func (testResolver) PackageURL(attr string) (string, bool) {
	if attr != "pds" {
		return "", false
	}
	return "packages/" + attr + "/", true
}

// goldenOptions gives some golden files their own renderer options.
var goldenOptions = map[string][]Option{
	"manpage-link": {WithManpageURL("https://man.archlinux.org/man/{page}.{section}")},
	"autoid":       {WithAutoHeadingIDs()},
}

// TestGolden renders testdata/golden/NAME.md and compares the HTML with
// NAME.html and the diagnostics with NAME.diag. Run with -update to accept
// new output after reviewing it.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs in testdata/golden: %v", err)
	}
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".md")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			r := New(testResolver{}, goldenOptions[name]...)
			html, diags := r.Render(string(src))
			var d strings.Builder
			for _, x := range diags {
				fmt.Fprintf(&d, "%d: %s\n", x.Line, x.Message)
			}
			checkInert(t, string(html))
			compareGolden(t, strings.TrimSuffix(in, ".md")+".html", string(html))
			compareGolden(t, strings.TrimSuffix(in, ".md")+".diag", d.String())
		})
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output (run with -update to accept after review)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func readGoldenInput(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name+".md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
