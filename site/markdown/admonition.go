package markdown

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// KindAdmonition is the kind of a `::: {.note}` … `:::` block.
var KindAdmonition = ast.NewNodeKind("NixAdmonition")

// admonitionKinds are the kinds nixpkgs' manual renders, with their titles.
// "warn" appears in real NixOS descriptions and means "warning".
var admonitionKinds = map[string]string{
	"note":      "Note",
	"tip":       "Tip",
	"warning":   "Warning",
	"important": "Important",
	"caution":   "Caution",
	"example":   "Example",
}

var admonitionAliases = map[string]string{"warn": "warning"}

// Admonition is a fenced container block: `::: {.kind #id}` opens it, a
// line of at least as many colons closes it, and its content is Markdown.
type Admonition struct {
	ast.BaseBlock
	// AdmonitionKind is note, tip, warning, important, caution or example;
	// "" for a plain container with an unknown class or only an id.
	AdmonitionKind string
	// Class is the sanitised first class when the kind is unknown.
	Class  string
	ID     string
	fence  int  // number of colons in the opening line
	closed bool // a closing line was seen
	offset int  // source offset of the opening line, for diagnostics
}

// Kind implements ast.Node.
func (n *Admonition) Kind() ast.NodeKind { return KindAdmonition }

// Dump implements ast.Node.
func (n *Admonition) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Kind": n.AdmonitionKind, "ID": n.ID}, nil)
}

type admonitionParser struct{}

func (admonitionParser) Trigger() []byte { return []byte{':'} }

func (admonitionParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	if pc.BlockIndent() > 3 {
		return nil, parser.NoChildren
	}
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 {
		return nil, parser.NoChildren
	}
	n := colons(line[pos:])
	if n < 3 {
		return nil, parser.NoChildren
	}
	rest := bytes.TrimSpace(line[pos+n:])
	if len(rest) < 2 || rest[0] != '{' || rest[len(rest)-1] != '}' {
		return nil, parser.NoChildren
	}
	node := &Admonition{fence: n, offset: seg.Start}
	var classes []string
	for _, f := range strings.Fields(string(rest[1 : len(rest)-1])) {
		switch {
		case len(f) > 1 && f[0] == '.':
			classes = append(classes, f[1:])
		case len(f) > 1 && f[0] == '#' && validID(f[1:]):
			node.ID = f[1:]
		}
	}
	if len(classes) == 0 && node.ID == "" {
		return nil, parser.NoChildren
	}
	st := stateOf(pc)
	if len(classes) > 0 {
		k := strings.ToLower(classes[0])
		if a, ok := admonitionAliases[k]; ok {
			k = a
		}
		if _, ok := admonitionKinds[k]; ok {
			node.AdmonitionKind = k
		} else {
			node.Class = sanitizeClass(classes[0])
			st.add(seg.Start, fmt.Sprintf("unknown admonition kind %q (known: note, tip, warning, important, caution, example)", classes[0]))
		}
	}
	reader.AdvanceToEOL()
	return node, parser.HasChildren
}

func (admonitionParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	line, _ := reader.PeekLine()
	n := closingColons(line)
	if n == 0 {
		return parser.Continue | parser.HasChildren
	}
	if closingTarget(pc, n) != node {
		return parser.Continue | parser.HasChildren
	}
	node.(*Admonition).closed = true
	reader.AdvanceToEOL()
	return parser.Close
}

// closingTarget decides which open admonition a closing line of n colons
// ends: the innermost one opened with exactly n colons, else the innermost
// one opened with fewer. Nested blocks that share a fence length therefore
// close innermost first. Inside an open fenced code block the line is code
// and closes nothing.
func closingTarget(pc parser.Context, n int) ast.Node {
	var exact, shorter ast.Node
	for _, b := range pc.OpenedBlocks() {
		switch a := b.Node.(type) {
		case *Admonition:
			if a.fence == n {
				exact = a
			} else if a.fence < n {
				shorter = a
			}
		case *ast.FencedCodeBlock:
			return nil
		}
	}
	if exact != nil {
		return exact
	}
	return shorter
}

func (admonitionParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {
	a := node.(*Admonition)
	if !a.closed {
		what := a.AdmonitionKind
		if what == "" {
			what = a.Class
		}
		stateOf(pc).add(a.offset, fmt.Sprintf("unclosed admonition ::: {.%s} (add a closing line %s)", what, strings.Repeat(":", a.fence)))
	}
}

func (admonitionParser) CanInterruptParagraph() bool { return true }
func (admonitionParser) CanAcceptIndentedLine() bool { return false }

// colons counts the leading ':' of b.
func colons(b []byte) int {
	n := 0
	for n < len(b) && b[n] == ':' {
		n++
	}
	return n
}

// closingColons returns the number of colons when line is a closing line
// (up to three spaces, three or more colons, nothing else), else 0.
func closingColons(line []byte) int {
	i := 0
	for i < len(line) && i < 4 && line[i] == ' ' {
		i++
	}
	if i > 3 {
		return 0
	}
	n := colons(line[i:])
	if n < 3 || len(bytes.TrimSpace(line[i+n:])) != 0 {
		return 0
	}
	return n
}

func validID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIDByte(s[i]) {
			return false
		}
	}
	return true
}

// sanitizeClass keeps letters, digits, '-' and '_' so the class is inert in
// an attribute.
func sanitizeClass(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlpha(c) || isDigit(c) || c == '-' || c == '_' {
			b = append(b, c)
		}
	}
	return string(b)
}
