package markdown

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/atproto-nur/atproto-nur/internal/testcorpus"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The corpus tests read the real NixOS and home-manager option sets from
// ../shared/corpus beside the repository (see ../shared/README.md).

type corpusOption struct {
	Description string          `json:"description"`
	Default     json.RawMessage `json:"default"`
	Example     json.RawMessage `json:"example"`
}

type corpus struct {
	names        map[string]bool
	descriptions []string // option descriptions, in name order
	markdown     []string // literalMD defaults and examples
	nix          []string // literalExpression defaults and examples
}

var (
	corpusMu    sync.Mutex
	corpusCache = map[string]*corpus{}
)

// corpusDir returns the shared corpus folder (see internal/testcorpus);
// a missing folder is reported by loadCorpus as a skip.
func corpusDir() (string, error) {
	dir, err := testcorpus.Dir()
	if errors.Is(err, testcorpus.ErrMissing) {
		return filepath.Join("..", "..", "..", "shared", "corpus"), nil
	}
	return dir, err
}

// loadCorpus reads one option set, or skips the test when it is absent.
func loadCorpus(tb testing.TB, file string) *corpus {
	tb.Helper()
	corpusMu.Lock()
	defer corpusMu.Unlock()
	if c, ok := corpusCache[file]; ok {
		return c
	}
	dir, err := corpusDir()
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, file)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skipf("skipped: %s is absent (the corpus lives in ../shared/corpus beside the repository)", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	var raw map[string]corpusOption
	if err := json.NewDecoder(zr).Decode(&raw); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	c := &corpus{names: make(map[string]bool, len(raw))}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
		c.names[name] = true
	}
	sort.Strings(names)
	for _, name := range names {
		o := raw[name]
		c.descriptions = append(c.descriptions, o.Description)
		for _, v := range []json.RawMessage{o.Default, o.Example} {
			var lit struct {
				Type string `json:"_type"`
				Text string `json:"text"`
			}
			if len(v) > 0 && v[0] == '{' && json.Unmarshal(v, &lit) == nil {
				switch lit.Type {
				case "literalMD":
					c.markdown = append(c.markdown, lit.Text)
				case "literalExpression":
					c.nix = append(c.nix, lit.Text)
				}
			}
		}
	}
	corpusCache[file] = c
	return c
}

// corpusResolver knows every option of the set.
type corpusResolver struct{ names map[string]bool }

func (r corpusResolver) OptionURL(name string) (string, bool) {
	return "options/#" + name, r.names[name]
}

func (r corpusResolver) PackageURL(attr string) (string, bool) { return "packages/" + attr + "/", true }

// leftover matches dialect the renderer should have consumed: a role name
// directly before a code span, an admonition opener at a line start.
var leftover = regexp.MustCompile(`\{[a-z]+\}<code|(^|\n|<p>|\. ):::+ ?\{\.`)

// diagnosticKind groups messages by their text before the first quote.
func diagnosticKind(msg string) string {
	if i := strings.IndexAny(msg, "\"{"); i > 0 {
		return strings.TrimSpace(msg[:i])
	}
	return msg
}

func TestCorpora(t *testing.T) {
	for _, file := range []string{"nixos-options.json.gz", "home-manager-options.json.gz"} {
		t.Run(strings.TrimSuffix(file, "-options.json.gz"), func(t *testing.T) {
			c := loadCorpus(t, file)
			r := New(corpusResolver{c.names})
			kinds := map[string]int{}
			examples := map[string]string{}
			total := 0
			docs := append(append([]string{}, c.descriptions...), c.markdown...)
			for i, src := range docs {
				html, diags := r.Render(src)
				if p := inertProblem(string(html)); p != "" {
					t.Errorf("document %d: output not inert: %s", i, p)
				}
				if leftover.MatchString(string(html)) {
					t.Errorf("document %d: dialect left unrendered:\n%s", i, html)
				}
				if pt := PlainText(src); strings.ContainsAny(pt, "\n\t") {
					t.Errorf("document %d: PlainText has a line break: %q", i, pt)
				}
				if inl := r.RenderInline(src); strings.Contains(string(inl), "<p>") {
					t.Errorf("document %d: RenderInline has a <p>: %s", i, inl)
				}
				for _, d := range diags {
					if d.Line < 1 || d.Line > strings.Count(src, "\n")+1 {
						t.Errorf("document %d: diagnostic line %d outside the source: %s", i, d.Line, d.Message)
					}
					k := diagnosticKind(d.Message)
					kinds[k]++
					if _, ok := examples[k]; !ok {
						examples[k] = fmt.Sprintf("line %d: %s", d.Line, d.Message)
					}
					total++
				}
			}
			t.Logf("%s: rendered %d descriptions and %d literalMD values; %d diagnostics", file, len(c.descriptions), len(c.markdown), total)
			keys := make([]string, 0, len(kinds))
			for k := range kinds {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				t.Logf("  %5d  %s (e.g. %s)", kinds[k], k, examples[k])
			}
			// Every role and admonition kind the real sets use is supported,
			// so these must not occur; "unknown option" and unclosed blocks
			// are real defects of the sources.
			for _, k := range []string{"rendering failed", "unknown role", "unknown admonition kind"} {
				if kinds[k] > 0 {
					t.Errorf("%d diagnostics %q, e.g. %s", kinds[k], k, examples[k])
				}
			}
		})
	}
}

// BenchmarkRenderNixOSCorpus renders every NixOS option description once
// per iteration on one goroutine.
func BenchmarkRenderNixOSCorpus(b *testing.B) {
	c := loadCorpus(b, "nixos-options.json.gz")
	r := New(corpusResolver{c.names})
	size := 0
	for _, d := range c.descriptions {
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, d := range c.descriptions {
			r.Render(d)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(c.descriptions)), "ns/description")
}

// BenchmarkPlainTextNixOSCorpus converts every NixOS description to plain
// text, as summaries and search need.
func BenchmarkPlainTextNixOSCorpus(b *testing.B) {
	c := loadCorpus(b, "nixos-options.json.gz")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, d := range c.descriptions {
			PlainText(d)
		}
	}
}

// BenchmarkHighlightNixOSLiterals highlights every literalExpression
// default and example of the NixOS set as Nix, the way option pages show
// them.
func BenchmarkHighlightNixOSLiterals(b *testing.B) {
	c := loadCorpus(b, "nixos-options.json.gz")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, code := range c.nix {
			Highlight("nix", code)
		}
	}
	b.ReportMetric(float64(len(c.nix)), "values")
}

// BenchmarkRenderNixOSCorpusParallel renders the descriptions from
// GOMAXPROCS goroutines sharing one Renderer, as a site build does.
func BenchmarkRenderNixOSCorpusParallel(b *testing.B) {
	c := loadCorpus(b, "nixos-options.json.gz")
	r := New(corpusResolver{c.names})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(c.descriptions) {
						return
					}
					r.Render(c.descriptions[i])
				}
			}()
		}
		wg.Wait()
	}
}
