package markdown

import (
	"os"
	"strings"
	"testing"
)

// hostileResolver returns URLs built from the name, as a careless resolver
// might; the renderer must still keep them inert.
type hostileResolver struct{}

func (hostileResolver) OptionURL(name string) (string, bool)  { return name, true }
func (hostileResolver) PackageURL(attr string) (string, bool) { return attr, true }

// TestHostileVectors renders each vector of testdata/hostile-vectors.md
// (separated by "-8<-" lines) on its own and checks every output is inert
// and has none of the vectors' tags. "[a](javascript%3Aalert(1))" keeps its
// link: a percent-encoded colon makes a relative URL, not a scheme.
func TestHostileVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/hostile-vectors.md")
	if err != nil {
		t.Fatal(err)
	}
	vectors := strings.Split(string(b), "\n-8<-\n")
	if len(vectors) < 50 {
		t.Fatalf("only %d vectors read", len(vectors))
	}
	renderers := map[string]*Renderer{
		"test resolver":    New(testResolver{}, WithManpageURL("https://man.example/{page}.{section}")),
		"hostile resolver": New(hostileResolver{}, WithManpageURL("javascript:{page}")),
	}
	for name, r := range renderers {
		for i, v := range vectors {
			html, _ := r.Render(v)
			inline := r.RenderInline(v)
			for _, out := range []string{string(html), string(inline)} {
				if p := inertProblem(out); p != "" {
					t.Errorf("%s, vector %d %q: %s\n%s", name, i, v, p, out)
				}
				lower := strings.ToLower(out)
				// Escaped text may mention onerror= harmlessly; live markup
				// starts with a real '<'.
				for _, bad := range []string{"<script", "<img src=x", "<svg", "<iframe", "<style", "<math", "<body", "<form", "<meta", "<details"} {
					if strings.Contains(lower, bad) {
						t.Errorf("%s, vector %d %q: output contains %q:\n%s", name, i, v, bad, out)
					}
				}
			}
		}
	}
}
