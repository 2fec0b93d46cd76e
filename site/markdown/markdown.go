// Package markdown renders the Markdown of option descriptions, package long
// descriptions and guides to HTML: CommonMark with GitHub's extensions plus
// the dialect nixpkgs uses in option descriptions (roles such as
// {option}`services.foo.enable`, `::: {.note}` admonitions, `{#anchor}`
// heading ids, `[](#opt-…)` option references), with chroma highlighting of
// fenced code through CSS classes.
//
// Rendering is safe for untrusted input: raw HTML is never recognised (it is
// shown as text, the way nixpkgs' own renderer treats it), and links and
// images whose destination uses any scheme other than a short list of
// harmless ones (http, https, mailto, …) lose their destination.
//
// Markup the theme styles or scripts:
//
//	roles            <a class="option" href="…"><code>name</code></a> when resolved,
//	                 else <code class="option">; likewise class var, command, env,
//	                 file, manpage (title="man page …"), package; unknown roles
//	                 get class "role-NAME"
//	admonitions      <div class="admonition note" role="note"><p class="admonition-title">Note</p>…</div>
//	                 (note tip warning important caution example; others "block block-NAME")
//	code blocks      <div class="code"><button class="copy" type="button" aria-label="Copy code">Copy</button>
//	                 <pre class="chroma"><code class="language-nix">…token spans…</code></pre></div>
//	spans            []{#id} and [text]{#id} → <span id="…">text</span>,
//	                 [Ctrl]{.keycap} → <kbd>Ctrl</kbd>
//
// The copy button does nothing by itself: the theme's script wires it to
// the clipboard (and may hide it when scripts are off).
package markdown

import (
	"bufio"
	"bytes"
	"fmt"
	"html/template"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Resolver maps role targets to URLs; ok=false means unknown (the renderer
// records a Diagnostic). A Renderer calls it from whatever goroutines call
// Render, so it must be safe for concurrent use (a read-only map is).
type Resolver interface {
	OptionURL(name string) (url string, ok bool)
	PackageURL(attr string) (url string, ok bool)
}

// Diagnostic is a problem found while rendering, such as a reference to an
// option the Resolver does not know or an admonition that is never closed.
// Line is 1-based and relative to the source given; 0 when unknown.
type Diagnostic struct {
	Line    int
	Message string
}

// Option configures a Renderer.
type Option func(*config)

type config struct {
	manpageURL     string // pattern with {page} and {section}; "" renders man pages as code
	autoHeadingIDs bool
	headingShift   int
}

// WithManpageURL makes {manpage}`systemd.exec(5)` a link. The pattern's
// "{page}" and "{section}" are replaced by the path-escaped page name and
// section, e.g. "https://man.archlinux.org/man/{page}.{section}". Without
// this option man page references render as code with a title.
func WithManpageURL(pattern string) Option {
	return func(c *config) { c.manpageURL = pattern }
}

// WithAutoHeadingIDs gives every heading without an explicit {#id} an id
// derived from its text (unique within one Render call). Useful for guides;
// off by default because option pages hold many descriptions whose
// generated ids could collide.
func WithAutoHeadingIDs() Option {
	return func(c *config) { c.autoHeadingIDs = true }
}

// WithHeadingShift demotes every heading by n levels (capped at h6), so a
// "# Title" inside an option description does not compete with the page's
// own headings.
func WithHeadingShift(n int) Option {
	return func(c *config) { c.headingShift = n }
}

// Renderer renders Markdown in the NixOS dialect. It is safe for concurrent
// use; all per-document state lives in the parser context of one call.
type Renderer struct {
	md  goldmark.Markdown
	cfg config
}

// New returns a Renderer that resolves {option}, {package} and [](#opt-…)
// references through r. r may be nil: references then render unlinked and
// produce no diagnostics.
func New(r Resolver, opts ...Option) *Renderer {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	return &Renderer{md: newGoldmark(r, cfg), cfg: cfg}
}

func newGoldmark(r Resolver, cfg config) goldmark.Markdown {
	// The default parser lists minus the HTML block and raw HTML parsers:
	// markup such as <name> or <literal> in descriptions is plain text, as
	// in nixpkgs' renderer, and no HTML can reach the output.
	var blocks, inlines []util.PrioritizedValue
	blocks = filterOut(parser.DefaultBlockParsers(), parser.NewHTMLBlockParser())
	inlines = filterOut(parser.DefaultInlineParsers(), parser.NewRawHTMLParser())

	popts := []parser.Option{
		parser.WithBlockParsers(blocks...),
		parser.WithInlineParsers(inlines...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
		parser.WithAttribute(), // "# Title {#anchor}"
		parser.WithBlockParsers(util.Prioritized(admonitionParser{}, 50)),
		parser.WithInlineParsers(util.Prioritized(braceParser{}, 90), util.Prioritized(spanParser{}, 150)),
		parser.WithASTTransformers(util.Prioritized(&transformer{resolver: r, cfg: cfg}, 100)),
	}
	if cfg.autoHeadingIDs {
		popts = append(popts, parser.WithAutoHeadingID())
	}
	p := parser.NewParser(popts...)
	rd := renderer.NewRenderer(renderer.WithNodeRenderers(
		util.Prioritized(html.NewRenderer(), 1000),
		util.Prioritized(&nodeRenderer{cfg: cfg}, 100),
	))
	return goldmark.New(
		goldmark.WithParser(p),
		goldmark.WithRenderer(rd),
		goldmark.WithExtensions(extension.GFM, extension.DefinitionList),
	)
}

// filterOut drops the parser of the same dynamic type as like.
func filterOut(list []util.PrioritizedValue, like any) []util.PrioritizedValue {
	out := list[:0]
	for _, v := range list {
		if reflect.TypeOf(v.Value) == reflect.TypeOf(like) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// stateKey holds the *state of one parse in the parser context.
var stateKey = parser.NewContextKey()

// state collects what one Render call finds; transformers and block parsers
// write to it through the parser context.
type state struct {
	diags []pendingDiag
	refs  []Ref
}

// Ref is a name one Render call asked its Resolver about: what the
// output depends on besides the source, so a caller that keeps rendered
// output can tell when a changed set of options makes it stale.
type Ref struct {
	Package bool   // PackageURL was asked; else OptionURL
	Name    string // the option name or package attribute asked for
}

func (s *state) ref(pkg bool, name string) {
	for _, r := range s.refs {
		if r.Package == pkg && r.Name == name {
			return
		}
	}
	s.refs = append(s.refs, Ref{pkg, name})
}

type pendingDiag struct {
	offset int // byte offset into the source; -1 when unknown
	msg    string
}

func (s *state) add(offset int, msg string) {
	s.diags = append(s.diags, pendingDiag{offset, msg})
}

func stateOf(pc parser.Context) *state {
	if s, ok := pc.Get(stateKey).(*state); ok {
		return s
	}
	s := &state{}
	pc.Set(stateKey, s)
	return s
}

// output is a reusable output buffer. goldmark's renderer allocates a 4 KiB
// bufio.Writer per call unless given one, so each buffer carries its own.
type output struct {
	buf bytes.Buffer
	w   *bufio.Writer
}

var outputPool = sync.Pool{New: func() any {
	o := new(output)
	o.w = bufio.NewWriterSize(&o.buf, 4096)
	return o
}}

func getOutput() *output {
	o := outputPool.Get().(*output)
	o.buf.Reset()
	o.w.Reset(&o.buf)
	return o
}

// string flushes and returns the output so far.
func (o *output) string() string {
	_ = o.w.Flush()
	return o.buf.String()
}

func putOutput(o *output) {
	if o.buf.Cap() > 1<<20 {
		return // let unusually large buffers go
	}
	outputPool.Put(o)
}

// parse parses source (after splitGluedOpeners, which keeps offsets). The
// returned tree refers to the returned bytes, which are what the renderer
// must be given; diagnostics may use either.
func (r *Renderer) parse(source []byte) (ast.Node, []byte, *state) {
	source = splitGluedOpeners(source)
	pc := parser.NewContext()
	st := &state{}
	pc.Set(stateKey, st)
	doc := r.md.Parser().Parse(text.NewReader(source), parser.WithContext(pc))
	return doc, source, st
}

// Render renders src as a full Markdown document in the NixOS dialect.
// Diagnostics are sorted by line.
func (r *Renderer) Render(src string) (html template.HTML, diags []Diagnostic) {
	html, diags, _ = r.RenderRefs(src)
	return html, diags
}

// RenderRefs is Render that also returns the names it looked up through
// the Resolver, in the order first asked.
func (r *Renderer) RenderRefs(src string) (html template.HTML, diags []Diagnostic, refs []Ref) {
	// A bug in the parser must not take a whole site build down with it:
	// the document is shown as escaped text and the failure reported.
	defer func() {
		if p := recover(); p != nil {
			html = template.HTML("<pre>" + template.HTMLEscapeString(src) + "</pre>\n")
			diags = []Diagnostic{{Line: 0, Message: fmt.Sprintf("rendering failed: internal error: %v", p)}}
		}
	}()
	doc, source, st := r.parse([]byte(src))
	out := getOutput()
	defer putOutput(out)
	if err := r.md.Renderer().Render(out.w, source, doc); err != nil {
		// Rendering writes to memory and cannot fail; keep whatever was
		// produced and say so.
		st.add(-1, "rendering failed: "+err.Error())
	}
	return template.HTML(out.string()), st.diagnostics(src), st.refs
}

// RenderInline renders src for a one-line context (a summary in a list):
// the inline content of its paragraphs and headings, joined by spaces,
// without <p> or other block markup. Code blocks, tables and rules are left
// out.
func (r *Renderer) RenderInline(src string) template.HTML {
	doc, source, _ := r.parse([]byte(src))
	out := getOutput()
	defer putOutput(out)
	rd := r.md.Renderer()
	first := true
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindParagraph, ast.KindHeading, ast.KindTextBlock:
			if !first {
				out.w.WriteByte(' ')
			}
			first = false
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				_ = rd.Render(out.w, source, c)
			}
			return ast.WalkSkipChildren, nil
		case ast.KindFencedCodeBlock, ast.KindCodeBlock, ast.KindThematicBreak:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return template.HTML(strings.TrimSpace(out.string()))
}

var (
	plainOnce     sync.Once
	plainRenderer *Renderer
)

// PlainText turns Markdown into one line of plain text for summaries and
// search: markup is removed, role contents and code are kept as text, and
// runs of whitespace become one space.
func PlainText(src string) string {
	plainOnce.Do(func() { plainRenderer = New(nil) })
	doc, source, _ := plainRenderer.parse([]byte(src))
	var p plainWriter
	p.b.Grow(len(src))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				p.space()
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			p.text(unescape(n.Segment.Value(source)))
			if n.SoftLineBreak() || n.HardLineBreak() {
				p.space()
			}
		case *ast.String:
			p.text(n.Value)
		case *ast.CodeSpan:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					p.text(t.Segment.Value(source))
				}
			}
			return ast.WalkSkipChildren, nil
		case *role:
			p.text([]byte(n.content))
		case *ast.AutoLink:
			p.text(n.Label(source))
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				p.text(seg.Value(source))
			}
			p.space()
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return p.String()
}

// plainWriter accumulates text collapsing whitespace runs into one space.
type plainWriter struct {
	b       strings.Builder
	pending bool // a space is owed before the next non-space byte
}

func (p *plainWriter) space() { p.pending = true }

func (p *plainWriter) text(v []byte) {
	for _, c := range v {
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			p.pending = true
		default:
			if p.pending && p.b.Len() > 0 {
				p.b.WriteByte(' ')
			}
			p.pending = false
			p.b.WriteByte(c)
		}
	}
}

func (p *plainWriter) String() string { return p.b.String() }

// unescape resolves backslash escapes and character references in a text
// segment, which goldmark keeps raw in the AST.
func unescape(v []byte) []byte {
	if bytes.IndexByte(v, '\\') >= 0 {
		v = util.UnescapePunctuations(v)
	}
	if bytes.IndexByte(v, '&') >= 0 {
		v = util.ResolveNumericReferences(v)
		v = util.ResolveEntityNames(v)
	}
	return v
}

// diagnostics converts byte offsets to 1-based lines and sorts by line.
// It counts lines in the original source: splitGluedOpeners adds line
// breaks the author did not write.
func (s *state) diagnostics(source string) []Diagnostic {
	if len(s.diags) == 0 {
		return nil
	}
	out := make([]Diagnostic, len(s.diags))
	for i, d := range s.diags {
		line := 0
		if d.offset >= 0 && d.offset <= len(source) {
			line = 1 + strings.Count(source[:d.offset], "\n")
		}
		out[i] = Diagnostic{Line: line, Message: d.msg}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}
