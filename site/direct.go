package site

import (
	"bytes"
	"fmt"
	"strings"
)

// Package pages and package lists are most of a big site (100,000 pages
// and 100,000 list rows for nixpkgs) and all alike, so with the default
// theme they are written directly, minified, instead of through
// html/template and the minifier: executing the template costs ~50 µs a
// page in reflection and minifying it ~25 µs, together more than half of
// such a build.
//
// The default theme's templates (base.html, package.html, packages.html
// and the partials) stay the reference: TestDirectPagesMatchTemplates
// minifies both forms of many pages, hostile ones included, and requires
// the same bytes. A theme whose templates differ from the default's in any
// byte (--theme, or an edit while the preview server runs) goes through
// its templates.

// testHookDirect is called for every page written directly.
var testHookDirect func(kind string)

// directKinds are the page kinds written directly, with their bodies.
var directKinds = map[string]func(r *run, w *htmlWriter, p *page) error{
	"package":  (*run).packageBody,
	"packages": (*run).packageListBody,
}

// writeDirect writes a page of a kind in directKinds when this build may:
// only when the theme's templates are the default theme's, unchanged, and
// the output is minified (unminified builds are for reading the templates'
// own output). ok is false when the page must go through its template.
func (r *run) writeDirect(seg, kind, file string, p *page, f *frame, key [32]byte) (ok bool, err error) {
	body := directKinds[kind]
	if body == nil || !r.th.stock || r.out.min == nil || r.wholePages || templatePages {
		return false, nil
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	w := &htmlWriter{buf}
	r.pageStart(w, p, f)
	if err := body(r, w, p); err != nil {
		bufPool.Put(buf)
		return true, fmt.Errorf("rendering %s: %w", p.Path, err)
	}
	r.pageEnd(w, f)
	if testHookDirect != nil {
		testHookDirect(kind)
	}
	return true, r.out.writeBuffer(seg, file, buf, key)
}

// pageStart writes what base.html puts before a page's content.
func (r *run) pageStart(w *htmlWriter, p *page, f *frame) {
	w.raw(`<!doctype html><html lang="en" data-base="`)
	w.attr(p.Site.Base)
	w.raw(`"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>`)
	w.text(p.HeadTitle)
	w.raw(`</title>`)
	if p.Description != "" {
		w.raw(`<meta name="description" content="`)
		w.attr(p.Description)
		w.raw(`">`)
	}
	w.raw(`<link rel="canonical" href="`)
	w.url(p.Canonical)
	w.raw(`">`)
	w.raw(f.minified[0])
	w.raw(`</head><body class="page-`)
	w.attr(p.Section)
	w.raw(`">`)
	w.raw(f.minified[1])
	w.raw(`<main id="main">`)
	if len(p.Crumbs) > 0 {
		w.raw(`<nav class="crumbs" aria-label="Breadcrumbs">`)
		for _, c := range p.Crumbs {
			w.raw(`<a href="`)
			w.url(c.Href)
			w.raw(`">`)
			w.text(c.Text)
			w.raw(`</a>`)
		}
		w.raw(`</nav>`)
	}
}

// pageEnd writes what base.html puts after a page's content.
func (r *run) pageEnd(w *htmlWriter, f *frame) {
	w.raw(`</main>`)
	w.raw(f.minified[2])
	w.raw(`</body></html>`)
}

// packageListBody is packages.html: a table of packages, or the links to
// the prefix pages of a list too long for one page.
func (r *run) packageListBody(w *htmlWriter, p *page) error {
	d := p.Packages
	w.raw(`<h1>`)
	w.text(p.Title)
	w.raw(`</h1>`)
	if len(d.Chunks) > 0 {
		w.raw(`<p>`)
		w.raw(itoa(d.Total))
		w.raw(` packages, listed by name:</p><ul class="columns">`)
		for _, c := range d.Chunks {
			w.raw(`<li><a href="`)
			w.url(c.Href)
			w.raw(`">`)
			w.text(c.Text)
			w.raw(`</a></li>`)
		}
		w.raw(`</ul>`)
		return nil
	}
	w.raw(`<p><input type="search" class="filter" data-filter="#package-list" placeholder="Filter `)
	w.raw(itoa(d.Total))
	w.raw(` packages" aria-label="Filter packages"></p><table class="list" id="package-list"><thead><tr><th>Package</th><th>Version</th><th>Description</th></tr></thead><tbody>`)
	for _, it := range d.Packages {
		w.raw(`<tr><td><a href="`)
		w.url(it.Href)
		w.raw(`"><code>`)
		w.text(it.Text)
		w.raw(`</code></a></td><td>`)
		w.text(it.Extra)
		w.raw(`</td><td>`)
		w.text(it.Summary)
		w.raw(`</td></tr>`)
	}
	w.raw(`</tbody></table>`)
	return nil
}

// packageBody is package.html: one package.
func (r *run) packageBody(w *htmlWriter, p *page) error {
	v := p.Package
	w.raw(`<article class="package"><h1><code>`)
	w.text(v.Attr)
	w.raw(`</code>`)
	if v.Version != "" {
		w.raw(` <span class="version">`)
		w.text(v.Version)
		w.raw(`</span>`)
	}
	w.raw(`</h1>`)
	w.marks(v.Marks)
	if v.Description != "" {
		w.raw(`<p class="lead">`)
		w.text(v.Description)
		w.raw(`</p>`)
	}
	if len(v.Vulnerabilities) > 0 {
		w.raw(`<div class="admonition warning vulnerabilities" role="alert"><p class="admonition-title">Known vulnerabilities</p><ul>`)
		for _, s := range v.Vulnerabilities {
			w.raw(`<li>`)
			w.text(s)
			w.raw(`</li>`)
		}
		w.raw(`</ul></div>`)
	}
	if v.Broken {
		w.raw(`<div class="admonition caution" role="alert"><p class="admonition-title">Broken</p><p>This package is marked broken and does not build.</p></div>`)
	}
	w.raw(`<h2 id="install">Install</h2><div class="snippets">`)
	for _, s := range v.Install {
		w.raw(`<section class="snippet"><h3>`)
		w.text(s.Label)
		w.raw(`</h3>`)
		code := s.minified
		if code == "" {
			m, err := r.out.min.String("text/html", string(s.Code))
			if err != nil {
				return fmt.Errorf("minifying the %s snippet: %w", s.Label, err)
			}
			code = m
		}
		w.raw(code)
		w.raw(`</section>`)
	}
	w.raw(`</div>`)
	if v.LongDescription != "" {
		// Rendered Markdown: the one part whose markup is not known here,
		// so it goes through the minifier on its own.
		m, err := r.out.min.String("text/html", string(v.LongDescription))
		if err != nil {
			return fmt.Errorf("minifying the long description: %w", err)
		}
		w.raw(`<h2 id="about">About</h2><div class="description">`)
		w.raw(m)
		w.raw(`</div>`)
	}
	w.raw(`<dl class="facts">`)
	if v.Pname != "" {
		w.raw(`<dt>Name</dt><dd><code>`)
		w.text(v.Pname)
		w.raw(`</code></dd>`)
	}
	if v.Version != "" {
		w.raw(`<dt>Version</dt><dd>`)
		w.text(v.Version)
		w.raw(`</dd>`)
	}
	w.links("License", v.Licenses)
	w.links("Homepage", v.Homepages)
	if v.Changelog != "" {
		w.raw(`<dt>Changelog</dt><dd><a href="`)
		w.url(v.Changelog)
		w.raw(`">`)
		w.text(v.Changelog)
		w.raw(`</a></dd>`)
	}
	if v.MainProgram != "" {
		w.raw(`<dt>Main program</dt><dd><code>`)
		w.text(v.MainProgram)
		w.raw(`</code></dd>`)
	}
	w.links("Maintainers", v.Maintainers)
	if v.Position.Text != "" {
		w.raw(`<dt>Defined in</dt><dd>`)
		if v.Position.Href != "" {
			w.raw(`<a href="`)
			w.url(v.Position.Href)
			w.raw(`"><code>`)
			w.text(v.Position.Text)
			w.raw(`</code></a>`)
		} else {
			w.raw(`<code>`)
			w.text(v.Position.Text)
			w.raw(`</code>`)
		}
		w.raw(`</dd>`)
	}
	if len(v.Platforms) > 0 {
		w.raw(`<dt>Platforms</dt><dd><details class="platforms"><summary>`)
		w.raw(itoa(len(v.Platforms)))
		w.raw(` platforms</summary>`)
		for _, s := range v.Platforms {
			w.raw(`<code>`)
			w.text(s)
			w.raw(`</code>`)
		}
		w.raw(`</details></dd>`)
	}
	w.raw(`</dl>`)
	if len(v.Unknown) > 0 {
		w.raw(`<p class="unknown">Not given in the package list: `)
		for i, u := range v.Unknown {
			if i > 0 {
				w.raw(`, `)
			}
			w.text(u)
		}
		w.raw(`.</p>`)
	}
	if m := v.ModulePage; m != nil {
		w.raw(`<h2 id="module">NixOS module</h2><p>Configured through <a href="`)
		w.url(m.Href)
		w.raw(`"><code>`)
		w.text(m.Text)
		w.raw(`</code></a>:</p>`)
	}
	if len(v.ModuleOptions) > 0 {
		w.raw(`<ul class="items">`)
		for _, it := range v.ModuleOptions {
			w.raw(`<li>`)
			if it.Href != "" {
				w.raw(`<a href="`)
				w.url(it.Href)
				w.raw(`"><code>`)
				w.text(it.Text)
				w.raw(`</code></a>`)
			} else {
				w.raw(`<code>`)
				w.text(it.Text)
				w.raw(`</code>`)
			}
			if it.Extra != "" {
				w.raw(` <span class="extra">`)
				w.text(it.Extra)
				w.raw(`</span>`)
			}
			if it.Summary != "" {
				w.raw(`<span class="summary">`)
				w.text(it.Summary)
				w.raw(`</span>`)
			}
			w.raw(`</li>`)
		}
		w.raw(`</ul>`)
	}
	w.raw(`</article>`)
	return nil
}

// htmlWriter writes markup with values escaped for their context, in the
// short form the minifier would leave them.
type htmlWriter struct{ b *bytes.Buffer }

func (w *htmlWriter) raw(s string) { w.b.WriteString(s) }

// marks writes the "marks" partial: what changed in which release.
func (w *htmlWriter) marks(ms []markView) {
	if len(ms) == 0 {
		return
	}
	w.raw(`<ul class="marks">`)
	for _, m := range ms {
		w.raw(`<li class="mark mark-`)
		w.attr(m.Kind)
		w.raw(`"><a href="`)
		w.url(m.Href)
		w.raw(`">`)
		w.text(m.Text)
		w.raw(`</a>`)
		if m.Detail != "" {
			w.raw(`: `)
			w.text(m.Detail)
		}
		w.raw(`</li>`)
	}
	w.raw(`</ul>`)
}

// links writes one fact whose value is a comma-separated list of links.
func (w *htmlWriter) links(term string, ls []link) {
	if len(ls) == 0 {
		return
	}
	w.raw(`<dt>`)
	w.raw(term)
	w.raw(`</dt><dd>`)
	for i, l := range ls {
		if i > 0 {
			w.raw(`, `)
		}
		if l.Href != "" {
			w.raw(`<a href="`)
			w.url(l.Href)
			w.raw(`">`)
			w.text(l.Text)
			w.raw(`</a>`)
		} else {
			w.text(l.Text)
		}
	}
	w.raw(`</dd>`)
}

// text writes character data: "<" and an "&" that could start a
// character reference are escaped, NUL becomes U+FFFD as html/template
// makes it, and runs of white space shrink to one character (a newline
// when the run has one), as the minifier leaves text.
func (w *htmlWriter) text(s string) { w.escape(s, false) }

// attr writes a double-quoted attribute value.
func (w *htmlWriter) attr(s string) { w.escape(s, true) }

func (w *htmlWriter) escape(s string, inAttr bool) {
	b := w.b
	start := 0
	flush := func(i int) { b.WriteString(s[start:i]) }
	for i := 0; i < len(s); i++ {
		c := s[i]
		var repl string
		switch {
		case c == '<' && !inAttr:
			repl = "&lt;"
		case c == '"' && inAttr:
			repl = "&#34;"
		case c == '&' && i+1 < len(s) && refStart(s[i+1]):
			repl = "&amp;"
		case c == 0:
			repl = "\uFFFD"
		case isHTMLSpace(c) && !inAttr:
			j := i
			newline := false
			for j < len(s) && isHTMLSpace(s[j]) {
				newline = newline || s[j] == '\n' || s[j] == '\r'
				j++
			}
			if j-i == 1 && c == ' ' {
				continue
			}
			flush(i)
			if newline {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
			start = j
			i = j - 1
			continue
		default:
			continue
		}
		flush(i)
		b.WriteString(repl)
		start = i + 1
	}
	flush(len(s))
}

// refStart says whether a byte after "&" could make it a character
// reference ("&amp;", "&#38;"), so the "&" must be escaped.
func refStart(c byte) bool {
	return c == '#' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// url writes a URL attribute value as html/template does: a scheme other
// than http, https or mailto is replaced, and bytes that are not allowed
// in URLs are percent-encoded (existing %XX escapes stay).
func (w *htmlWriter) url(s string) {
	if !safeScheme(s) {
		s = "#ZgotmplZ"
	}
	var sb strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0:
			continue
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		}
		sb.WriteString(s[written:i])
		fmt.Fprintf(&sb, "%%%02x", c)
		written = i + 1
	}
	if written == 0 {
		w.attr(s)
		return
	}
	sb.WriteString(s[written:])
	w.attr(sb.String())
}

func safeScheme(s string) bool {
	protocol, _, ok := strings.Cut(s, ":")
	if !ok || strings.Contains(protocol, "/") {
		return true
	}
	return strings.EqualFold(protocol, "http") || strings.EqualFold(protocol, "https") || strings.EqualFold(protocol, "mailto")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
