package markdown

import (
	"bytes"
	"html/template"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/yuin/goldmark/util"
)

// Highlight renders code as <pre class="chroma"><code …> with chroma token
// classes (see StyleCSS). An unknown or empty lang gives escaped plain
// text. Used for literalExpression defaults and examples.
func Highlight(lang, code string) template.HTML {
	var b bytes.Buffer
	b.Grow(len(code)*2 + 64)
	writeCodeBlock(&b, lang, code, false)
	return template.HTML(b.String())
}

// HighlightWithCopy is Highlight wrapped like fenced code blocks in
// Markdown: a <div class="code"> holding a copy button and the <pre>.
func HighlightWithCopy(lang, code string) template.HTML {
	var b bytes.Buffer
	b.Grow(len(code) * 2)
	writeCodeBlock(&b, lang, code, true)
	return template.HTML(b.String())
}

// byteWriter is what both bytes.Buffer and goldmark's util.BufWriter offer.
type byteWriter interface {
	Write([]byte) (int, error)
	WriteString(string) (int, error)
	WriteByte(byte) error
}

// copyButton is the markup the theme's script wires to the clipboard.
const copyButton = `<button class="copy" type="button" aria-label="Copy code">Copy</button>`

// writeCodeBlock writes a highlighted code block, optionally in a wrapper
// with a copy button.
func writeCodeBlock(w byteWriter, lang, code string, withCopy bool) {
	lang = strings.ToLower(strings.TrimSpace(lang))
	class := sanitizeClass(lang)
	if withCopy {
		w.WriteString(`<div class="code">`)
		w.WriteString(copyButton)
	}
	w.WriteString(`<pre class="chroma"><code`)
	if class != "" {
		w.WriteString(` class="language-`)
		w.WriteString(class)
		w.WriteByte('"')
	}
	w.WriteByte('>')
	writeTokens(w, lang, code)
	w.WriteString("</code></pre>")
	if withCopy {
		w.WriteString("</div>")
	}
	w.WriteByte('\n')
}

// writeTokens writes code as chroma token spans, or escaped text when no
// lexer knows lang.
func writeTokens(w byteWriter, lang, code string) {
	if lang == "nix" || lang == "nixos" {
		tw := tokenWriter{w: w}
		tokeniseNix(code, tw.token)
		tw.flush()
		return
	}
	lexer := lexerFor(lang)
	if lexer == nil {
		w.Write(util.EscapeHTML([]byte(code)))
		return
	}
	it, err := lexer.Tokenise(nil, code)
	if err != nil {
		w.Write(util.EscapeHTML([]byte(code)))
		return
	}
	for tok := it(); tok != chroma.EOF; tok = it() {
		cls := tokenClass(tok.Type)
		if cls != "" {
			w.WriteString(`<span class="`)
			w.WriteString(cls)
			w.WriteString(`">`)
		}
		w.Write(util.EscapeHTML([]byte(tok.Value)))
		if cls != "" {
			w.WriteString("</span>")
		}
	}
}

// tokenClass is chroma's short CSS class for a token type, falling back
// to the parent type, as chroma's HTML formatter does.
func tokenClass(t chroma.TokenType) string {
	for ; t != 0; t = t.Parent() {
		if cls, ok := chroma.StandardTypes[t]; ok {
			return cls
		}
	}
	return ""
}

// langAliases maps fence languages common in NixOS and this project's
// documentation to chroma's names where chroma has no such alias.
var langAliases = map[string]string{
	"console":     "shell-session",
	"shell":       "bash",
	"sh":          "bash",
	"conf":        "ini",
	"cfg":         "ini",
	"service":     "systemd",
	"jsonc":       "json",
	"json5":       "json",
	"nixos":       "nix",
	"yml":         "yaml",
	"ts":          "typescript",
	"js":          "javascript",
	"tsx":         "typescript",
	"plain":       "",
	"text":        "",
	"txt":         "",
	"none":        "",
	"nohighlight": "",
}

var lexerCache sync.Map // lang → chroma.Lexer (nil interface stored as noLexer)

type noLexerT struct{}

var noLexer noLexerT

func lexerFor(lang string) chroma.Lexer {
	if lang == "" || len(lang) > 32 {
		return nil // no language name is that long; keeps the cache small
	}
	if v, ok := lexerCache.Load(lang); ok {
		if l, ok := v.(chroma.Lexer); ok {
			return l
		}
		return nil
	}
	name := lang
	if a, ok := langAliases[lang]; ok {
		name = a
	}
	var l chroma.Lexer
	if name != "" {
		l = lexers.Get(name)
	}
	if l == nil {
		lexerCache.Store(lang, noLexer)
		return nil
	}
	l = chroma.Coalesce(l)
	lexerCache.Store(lang, l)
	return l
}

// tokenWriter writes tokens as spans, merging neighbours of the same class.
type tokenWriter struct {
	w       byteWriter
	class   string
	pending []byte
}

func (t *tokenWriter) token(tt chroma.TokenType, v string) {
	cls := tokenClass(tt)
	if cls != t.class {
		t.flush()
		t.class = cls
	}
	t.pending = append(t.pending, v...)
}

func (t *tokenWriter) flush() {
	if len(t.pending) == 0 {
		return
	}
	if t.class != "" {
		t.w.WriteString(`<span class="`)
		t.w.WriteString(t.class)
		t.w.WriteString(`">`)
	}
	t.w.Write(util.EscapeHTML(t.pending))
	if t.class != "" {
		t.w.WriteString("</span>")
	}
	t.pending = t.pending[:0]
}
