package markdown

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Bracketed spans, as nixpkgs writes them: "[]{#anchor}" (an empty anchor
// to link to), "[text]{#id}", and "[Ctrl]{.keycap}" (a key, rendered as
// <kbd>). Only an id and the keycap class are kept; other classes are
// dropped so text cannot borrow the theme's classes.
//
// spanParser runs before goldmark's link parser. At "[" it looks ahead on
// the line for the matching "]" directly followed by a valid "{…}"; only
// then does it consume the "[" (leaving a spanOpen) and remember where the
// "]" is. When the inline parser reaches that "]" it consumes "]{…}"
// (leaving a spanClose). The transformer moves what lies between into a
// span node, or turns the markers back into text when they did not end up
// as siblings (e.g. across emphasis). Any other "[" and "]" go to the link
// parser untouched.

var (
	kindSpanOpen  = ast.NewNodeKind("NixSpanOpen")
	kindSpanClose = ast.NewNodeKind("NixSpanClose")
	// KindSpan is the kind of a bracketed span [text]{#id}.
	KindSpan = ast.NewNodeKind("NixSpan")
)

type spanOpen struct {
	ast.BaseInline
	seg    text.Segment // the "[" for turning back into text
	id     string
	keycap bool
	close  *spanClose // set when the matching "]{…}" is parsed
}

func (n *spanOpen) Kind() ast.NodeKind { return kindSpanOpen }
func (n *spanOpen) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"ID": n.id}, nil)
}

type spanClose struct {
	ast.BaseInline
	seg text.Segment // the "]{…}"
}

func (n *spanClose) Kind() ast.NodeKind { return kindSpanClose }
func (n *spanClose) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, nil, nil)
}

type span struct {
	ast.BaseInline
	id     string
	keycap bool
}

func (n *span) Kind() ast.NodeKind { return KindSpan }
func (n *span) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"ID": n.id}, nil)
}

// pendingSpansKey maps the source offset of an expected "]" to its opener.
var pendingSpansKey = parser.NewContextKey()

type spanParser struct{}

func (spanParser) Trigger() []byte { return []byte{'[', ']'} }

func (spanParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) == 0 {
		return nil
	}
	if line[0] == ']' {
		pending, _ := pc.Get(pendingSpansKey).(map[int]*spanOpen)
		open := pending[seg.Start]
		if open == nil {
			return nil
		}
		delete(pending, seg.Start)
		end := bytes.IndexByte(line, '}')
		block.Advance(end + 1)
		open.close = &spanClose{seg: seg.WithStop(seg.Start + end + 1)}
		return open.close
	}
	if block.PrecendingCharacter() == '!' {
		return nil // an image; the link parser's
	}
	closeAt := matchingBracket(line)
	if closeAt < 0 || closeAt+1 >= len(line) || line[closeAt+1] != '{' {
		return nil
	}
	end := bytes.IndexByte(line[closeAt+1:], '}')
	if end < 0 {
		return nil
	}
	id, keycap, ok := spanAttributes(line[closeAt+2 : closeAt+1+end])
	if !ok {
		return nil
	}
	pending, _ := pc.Get(pendingSpansKey).(map[int]*spanOpen)
	if pending == nil {
		pending = map[int]*spanOpen{}
		pc.Set(pendingSpansKey, pending)
	}
	open := &spanOpen{seg: seg.WithStop(seg.Start + 1), id: id, keycap: keycap}
	pending[seg.Start+closeAt] = open
	block.Advance(1)
	return open
}

// matchingBracket returns the index of the "]" closing the "[" at line[0],
// skipping backslash escapes and code spans, or -1.
func matchingBracket(line []byte) int {
	depth := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '`':
			n := 1
			for i+n < len(line) && line[i+n] == '`' {
				n++
			}
			closing := bytes.Index(line[i+n:], bytes.Repeat([]byte{'`'}, n))
			if closing < 0 {
				return -1
			}
			i += n + closing + n - 1
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// spanAttributes reads "#id .keycap" (either or both, nothing else).
func spanAttributes(b []byte) (id string, keycap, ok bool) {
	fields := bytes.Fields(b)
	if len(fields) == 0 {
		return "", false, false
	}
	for _, f := range fields {
		switch {
		case len(f) > 1 && f[0] == '#' && validID(string(f[1:])):
			id = string(f[1:])
		case string(f) == ".keycap":
			keycap = true
		case len(f) > 1 && f[0] == '.' && validClass(f[1:]):
			// another class: accepted as syntax, not rendered
		default:
			return "", false, false
		}
	}
	return id, keycap, true
}

func validClass(b []byte) bool {
	for _, c := range b {
		if !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// finishSpan wraps the nodes between a spanOpen and its spanClose in a
// span, or turns the markers back into text.
func finishSpan(open *spanOpen) {
	parent := open.Parent()
	if parent == nil {
		return
	}
	if open.close != nil && open.close.Parent() == parent {
		s := &span{id: open.id, keycap: open.keycap}
		for c := open.NextSibling(); c != nil && c != ast.Node(open.close); {
			next := c.NextSibling()
			s.AppendChild(s, c)
			c = next
		}
		parent.ReplaceChild(parent, open, s)
		parent.RemoveChild(parent, open.close)
		return
	}
	parent.ReplaceChild(parent, open, ast.NewTextSegment(open.seg))
	if c := open.close; c != nil && c.Parent() != nil {
		c.Parent().ReplaceChild(c.Parent(), c, ast.NewTextSegment(c.seg))
	}
}
