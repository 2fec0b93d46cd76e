package markdown

import (
	"bytes"
	"html/template"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/yuin/goldmark/util"
)

// Highlight renders code as <pre class="chroma"><code …> with chroma token
// classes (see StyleCSS). An unknown or empty lang gives escaped plain
// text. Used for literalExpression defaults and examples.
func Highlight(lang, code string) template.HTML {
	if h, ok := cachedHighlight(lang, code); ok {
		return h
	}
	var b bytes.Buffer
	b.Grow(len(code) * 2)
	writeCodeBlock(&b, lang, code, false)
	h := template.HTML(b.String())
	storeHighlight(lang, code, h)
	return h
}

// HighlightWithCopy is Highlight wrapped like fenced code blocks in
// Markdown: a <div class="code"> holding a copy button and the <pre>.
func HighlightWithCopy(lang, code string) template.HTML {
	var b bytes.Buffer
	b.Grow(len(code) * 2)
	writeCodeBlock(&b, lang, code, true)
	return template.HTML(b.String())
}

// Option defaults and examples repeat a lot ("false", "[ ]", "{ }", "null",
// pkgs.foo): short snippets are cached, up to a bound so memory stays flat.
const (
	highlightCacheMaxCode    = 128
	highlightCacheMaxEntries = 1 << 14
)

var (
	highlightCache      sync.Map // lang + "\x00" + code → template.HTML
	highlightCacheCount atomic.Int64
)

func cachedHighlight(lang, code string) (template.HTML, bool) {
	if len(code) > highlightCacheMaxCode {
		return "", false
	}
	v, ok := highlightCache.Load(lang + "\x00" + code)
	if !ok {
		return "", false
	}
	return v.(template.HTML), true
}

func storeHighlight(lang, code string, h template.HTML) {
	if len(code) > highlightCacheMaxCode || highlightCacheCount.Load() >= highlightCacheMaxEntries {
		return
	}
	if _, loaded := highlightCache.LoadOrStore(lang+"\x00"+code, h); !loaded {
		highlightCacheCount.Add(1)
	}
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
	if lang == "" {
		return nil
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
