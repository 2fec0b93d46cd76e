package site

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"github.com/tdewolff/minify/v2"
)

// Package pages and package lists are most of a big site (100,000 pages
// and 100,000 list rows for nixpkgs) and all alike, so with the default
// theme they are written by generated Go code, minified, instead of
// through html/template and the minifier: executing the template costs
// ~50 µs a page in reflection and minifying it ~25 µs, together more than
// half of such a build.
//
// The default theme's templates (base.html, package.html, packages.html
// and the partials) are the only definition of these pages:
// internal/gen/pagewriter reads them, escaped by html/template, and writes
// pagewriter_gen.go. TestGeneratedPageWriterIsCurrent fails when that file
// is not what the templates give now (run `go generate ./site`), and
// TestGeneratedPagesMatchTemplates builds sites both ways, hostile pages
// included, and requires the same bytes. A theme whose templates differ
// from the default's in any byte (--theme, or an edit while the preview
// server runs) goes through its templates.

// Regenerating leaves the old generated file out of the build
// (-tags nopagewriter, see pagewriter_none.go), so a file that no longer
// compiles does not stop its own regeneration.
//go:generate go test -tags nopagewriter -run ^TestGeneratedPageWriterIsCurrent$ -update-pagewriter

// testHookGenerated is called for every page written by generated code.
var testHookGenerated func(kind string)

// writeGenerated writes a page of a kind in generatedWriters when this build
// may: only when the theme's templates are the default theme's, unchanged,
// and the output is minified (unminified builds are for reading the
// templates' own output). ok is false when the page must go through its
// template.
func (r *run) writeGenerated(seg, kind, file string, p *page, key [32]byte) (ok bool, err error) {
	if !r.th.stock || r.out.min == nil || r.wholePages || templatePages {
		return false, nil
	}
	write := generatedWriters[kind]
	if write == nil {
		return false, nil
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	w := &htmlWriter{b: buf, min: r.out.min}
	if err := write(w, p); err != nil {
		bufPool.Put(buf)
		return true, fmt.Errorf("rendering %s: %w", p.Path, err)
	}
	if testHookGenerated != nil {
		testHookGenerated(kind)
	}
	return true, r.out.writeBuffer(seg, file, buf, key)
}

// htmlWriter writes markup with values escaped for their context, in the
// short form the minifier would leave them; the generated page writers
// call it (internal/gen/pagewriter names the methods they need).
type htmlWriter struct {
	b   *bytes.Buffer
	min *minify.M
}

func (w *htmlWriter) raw(s string) { w.b.WriteString(s) }

// int writes a number, as html/template prints it.
func (w *htmlWriter) int(n int) { w.b.WriteString(itoa(n)) }

// html writes trusted HTML (rendered Markdown, highlighted code) minified
// on its own: the one part of these pages whose markup is not known when
// the writer is generated.
func (w *htmlWriter) html(h template.HTML) error {
	if err := w.min.Minify("text/html", w.b, strings.NewReader(string(h))); err != nil {
		return fmt.Errorf("minifying HTML: %w", err)
	}
	return nil
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

// filteredURL writes a URL inside another attribute's value (the "url="
// of a refresh) as html/template does: an unsafe scheme is replaced, the
// rest is escaped as attribute text, not percent-encoded.
func (w *htmlWriter) filteredURL(s string) {
	if !safeScheme(s) {
		s = "#ZgotmplZ"
	}
	w.attr(s)
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
