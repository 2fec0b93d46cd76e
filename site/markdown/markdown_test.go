package markdown

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestSafeURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		safe bool
	}{
		{"https://example.org/", true},
		{"HTTP://EXAMPLE.ORG", true},
		{"mailto:ops@example.org", true},
		{"../relative/path", true},
		{"#opt-services.foo", true},
		{"/absolute", true},
		{"?q=javascript:alert(1)", true},
		{"foo/bar:baz", true},
		{"javascript:alert(1)", false},
		{"JaVaScRiPt:alert(1)", false},
		{" javascript:alert(1)", false},
		{"java\tscript:alert(1)", false},
		{"java\nscript:alert(1)", false},
		{"java\x00script:alert(1)", false},
		{"&#106;avascript:alert(1)", false},
		{"&#x6A;avascript:alert(1)", false},
		{"java&#9;script:alert(1)", false},
		{"java&Tab;script:alert(1)", false},
		{`javascript\:alert(1)`, false},
		{"vbscript:msgbox(1)", false},
		{"data:text/html;base64,PHNjcmlwdD4=", false},
		{"data:image/png;base64,iVBORw0KGgo=", false},
		{"file:///etc/passwd", false},
		{"livescript:x", false},
		{"averyveryveryverylongscheme:x", false},
	} {
		if got := safeURL([]byte(c.url)); got != c.safe {
			t.Errorf("safeURL(%q) = %v, want %v", c.url, got, c.safe)
		}
	}
}

func TestDiagnosticLines(t *testing.T) {
	src := "First line.\n\nSecond {option}`services.atproto.missing` here.\n\n" +
		"::: {.note}\nnever closed\n\nsee [](#opt-services.atproto.gone)\n"
	_, diags := New(testResolver{}).Render(src)
	want := []Diagnostic{
		{3, `unknown option "services.atproto.missing"`},
		{5, "unclosed admonition ::: {.note} (add a closing line :::)"},
		{8, `unknown option "services.atproto.gone"`},
	}
	if fmt.Sprint(diags) != fmt.Sprint(want) {
		t.Errorf("diagnostics = %v\nwant %v", diags, want)
	}
}

func TestNilResolver(t *testing.T) {
	html, diags := New(nil).Render("{option}`a.b` {package}`pds` [](#opt-a.b)")
	if len(diags) != 0 {
		t.Errorf("nil resolver gave diagnostics %v", diags)
	}
	want := `<p><code class="option">a.b</code> <code class="package">pds</code> <code class="option">a.b</code></p>` + "\n"
	if string(html) != want {
		t.Errorf("got %q\nwant %q", html, want)
	}
}

func TestGluedOpener(t *testing.T) {
	src := "The foo package to use. ::: {.note}\nMust contain bin/foo.\n:::\n\n{option}`services.atproto.nope`"
	html, diags := New(testResolver{}).Render(src)
	if !strings.Contains(string(html), `<p>The foo package to use.</p>`+"\n"+`<div class="admonition note"`) {
		t.Errorf("glued opener not split:\n%s", html)
	}
	if len(diags) != 1 || diags[0].Line != 5 {
		t.Errorf("diagnostic lines must refer to the original source: %v", diags)
	}
	// In a code block the same text is code.
	code := "```\nThe foo package to use. ::: {.note}\n```\n"
	if html, _ := New(nil).Render(code); !strings.Contains(string(html), "use. ::: {.note}") {
		t.Errorf("glued opener in code was rewritten:\n%s", html)
	}
}

func TestRenderInline(t *testing.T) {
	r := New(testResolver{})
	for _, c := range []struct{ src, want string }{
		{"A *PDS* with {option}`services.atproto.pds.enable`.",
			`A <em>PDS</em> with <a class="option" href="options/services.atproto.pds/#services.atproto.pds.enable"><code>services.atproto.pds.enable</code></a>.`},
		{"First paragraph.\n\nSecond one.", "First paragraph. Second one."},
		{"# Heading\n\n```nix\ncode\n```\n\ntext", "Heading text"},
		{"<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"},
		{"", ""},
	} {
		if got := string(r.RenderInline(c.src)); got != c.want {
			t.Errorf("RenderInline(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"Whether to run the *PDS*.\nSee {option}`services.atproto.pds.settings`.",
			"Whether to run the PDS. See services.atproto.pds.settings."},
		{"::: {.warning}\nKeep `secret` out of the store &amp; logs.\n:::\n", "Keep secret out of the store & logs."},
		{"Use <name> and \\*stars\\*; [link](https://x.example) and <https://y.example>.", "Use <name> and *stars*; link and https://y.example."},
		{"# Title\n\n- one\n- two\n", "Title one two"},
		{"[](#opt-services.atproto.pds.enable)", "services.atproto.pds.enable"},
	} {
		if got := PlainText(c.src); got != c.want {
			t.Errorf("PlainText(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestHighlight(t *testing.T) {
	h := string(Highlight("nix", `{ enable = true; }`))
	if !strings.HasPrefix(h, `<pre class="chroma"><code class="language-nix">`) || !strings.Contains(h, `<span class="no">true</span>`) {
		t.Errorf("Highlight(nix) = %s", h)
	}
	if p := string(Highlight("", "<b>x</b>")); p != "<pre class=\"chroma\"><code>&lt;b&gt;x&lt;/b&gt;</code></pre>\n" {
		t.Errorf("plain Highlight = %q", p)
	}
	for _, lang := range []string{"nix", "shell", "bash", "console", "json", "toml", "yaml", "go", "typescript", "javascript", "rust", "ini", "systemd"} {
		if lexerFor(lang) == nil {
			t.Errorf("no lexer for %q", lang)
		}
	}
	w := string(HighlightWithCopy("json", `{"a": 1}`))
	if !strings.HasPrefix(w, `<div class="code"><button class="copy" type="button"`) {
		t.Errorf("HighlightWithCopy = %s", w)
	}
}

func TestStyleCSS(t *testing.T) {
	css := StyleCSS()
	dark := strings.Index(css, "@media (prefers-color-scheme: dark)")
	if dark < 0 {
		t.Fatal("no dark theme")
	}
	light, darkPart := css[:dark], css[dark:]
	for _, cls := range []string{".chroma {", ".chroma .k {", ".chroma .s {", ".chroma .c {", ".chroma .no {"} {
		if !strings.Contains(light, cls) || !strings.Contains(darkPart, cls) {
			t.Errorf("class rule %q missing from a theme", cls)
		}
	}
	if strings.Count(css, "{") != strings.Count(css, "}") {
		t.Error("unbalanced braces")
	}
}

// TestConcurrentRender renders the golden inputs from many goroutines and
// compares with a serial render (run with -race to check for data races).
func TestConcurrentRender(t *testing.T) {
	r := New(testResolver{}, WithManpageURL("https://man.example/{page}.{section}"))
	srcs := []string{}
	for _, name := range []string{"roles", "admonitions", "code", "hostile", "option-links", "gfm", "headings", "unclosed"} {
		srcs = append(srcs, readGoldenInput(t, name))
	}
	want := make([]string, len(srcs))
	for i, s := range srcs {
		h, d := r.Render(s)
		want[i] = string(h) + fmt.Sprint(d) + string(r.RenderInline(s)) + PlainText(s)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 5; k++ {
				for i, s := range srcs {
					h, d := r.Render(s)
					if got := string(h) + fmt.Sprint(d) + string(r.RenderInline(s)) + PlainText(s); got != want[i] {
						t.Errorf("concurrent render of input %d differs", i)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

type panickyResolver struct{}

func (panickyResolver) OptionURL(string) (string, bool)  { panic("resolver bug") }
func (panickyResolver) PackageURL(string) (string, bool) { panic("resolver bug") }

// TestRenderRecovers shows a failure inside rendering (here a resolver that
// panics) becomes a diagnostic and escaped text, not a crashed build.
func TestRenderRecovers(t *testing.T) {
	html, diags := New(panickyResolver{}).Render("<b>x</b> {option}`a`")
	if string(html) != "<pre>&lt;b&gt;x&lt;/b&gt; {option}`a`</pre>\n" {
		t.Errorf("html = %q", html)
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Message, "rendering failed: internal error: resolver bug") {
		t.Errorf("diags = %v", diags)
	}
}

type mapResolver map[string]bool

func (m mapResolver) OptionURL(n string) (string, bool) { return "#" + n, m[n] }
func (m mapResolver) PackageURL(string) (string, bool)  { return "", false }

func TestOptionAnchorNames(t *testing.T) {
	r := New(mapResolver{"a._b_.c": true, "x.<name>.y": true, "p.*.q": true})
	for _, c := range []struct{ src, want string }{
		{"[](#opt-a._b_.c)", `<a class="option" href="#a._b_.c"><code>a._b_.c</code></a>`},
		{"[](#opt-x._name_.y)", `<a class="option" href="#x.%3Cname%3E.y"><code>x.&lt;name&gt;.y</code></a>`},
		{"[](#opt-p._.q)", `<a class="option" href="#p.*.q"><code>p.*.q</code></a>`},
	} {
		html, diags := r.Render(c.src)
		if want := "<p>" + c.want + "</p>\n"; string(html) != want || len(diags) != 0 {
			t.Errorf("Render(%q) = %q %v, want %q", c.src, html, diags, want)
		}
	}
}

// TestRenderRefs: every name asked of the resolver is reported once, in
// the order asked, whether it resolved or not, so a cache of rendered
// output knows what makes an entry stale.
func TestRenderRefs(t *testing.T) {
	src := "{option}`services.foo.enable`, {package}`hello`, [](#opt-services.bar.port)," +
		" [text](#opt-services.foo.enable) and {option}`services.foo.enable` again; {var}`x` is no lookup."
	_, _, refs := New(testResolver{}).RenderRefs(src)
	want := []Ref{{false, "services.foo.enable"}, {true, "hello"}, {false, "services.bar.port"}}
	if !slices.Equal(refs, want) {
		t.Errorf("refs = %v, want %v", refs, want)
	}
	if _, _, refs := New(nil).RenderRefs(src); len(refs) != 0 {
		t.Errorf("without a resolver refs = %v, want none", refs)
	}
}
