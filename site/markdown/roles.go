package markdown

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Roles are written {name}`content`. The inline parser below only consumes
// the "{name}" prefix and leaves a roleMarker; goldmark's own code span
// parser then reads the `content` (with all of CommonMark's rules about
// backtick runs and line breaks), and the transformer joins marker and code
// span into one role node. A marker with no code span after it turns back
// into text.

var (
	kindRoleMarker = ast.NewNodeKind("NixRoleMarker")
	// KindRole is the kind of a role node such as {option}`…`.
	KindRole = ast.NewNodeKind("NixRole")
)

// roleMarker is the parsed "{name}" of a role, before its code span.
type roleMarker struct {
	ast.BaseInline
	name string
	seg  text.Segment // the "{name}" text, for turning back into text
}

func (n *roleMarker) Kind() ast.NodeKind { return kindRoleMarker }
func (n *roleMarker) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Name": n.name}, nil)
}

// role is a resolved role: {option}`services.foo.enable` and friends.
type role struct {
	ast.BaseInline
	name    string // option, var, command, env, file, manpage, package, or an unknown name
	content string // the code span's text
	url     string // link target when resolved; "" renders as code only
	title   string // title attribute, used for man pages
}

func (n *role) Kind() ast.NodeKind { return KindRole }
func (n *role) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Name": n.name, "Content": n.content, "URL": n.url}, nil)
}

// braceParser reads "{name}" directly before a backtick.
type braceParser struct{}

func (braceParser) Trigger() []byte { return []byte{'{'} }

func (braceParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) < 3 || line[0] != '{' {
		return nil
	}
	if !isAlpha(line[1]) {
		return nil
	}
	i := 2
	for i < len(line) && (isAlpha(line[i]) || isDigit(line[i]) || line[i] == '-' || line[i] == '_') {
		i++
	}
	if i+1 >= len(line) || line[i] != '}' || line[i+1] != '`' {
		return nil
	}
	block.Advance(i + 1)
	return &roleMarker{name: string(line[1:i]), seg: seg.WithStop(seg.Start + i + 1)}
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isIDByte reports whether c may appear in an anchor id. The set is what
// nixpkgs uses in ids (opt-services.foo._name_.bar, sec-x:y) and is safe in
// an HTML attribute and a URL fragment.
func isIDByte(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '_' || c == '.' || c == ':'
}

// codeSpanText returns the text of a code span the way goldmark renders it:
// a line ending inside the span counts as one space.
func codeSpanText(cs *ast.CodeSpan, source []byte) string {
	var b []byte
	for c := cs.FirstChild(); c != nil; c = c.NextSibling() {
		t, ok := c.(*ast.Text)
		if !ok {
			continue
		}
		v := t.Segment.Value(source)
		if n := len(v); n > 0 && v[n-1] == '\n' {
			b = append(b, v[:n-1]...)
			b = append(b, ' ')
			continue
		}
		b = append(b, v...)
	}
	return string(b)
}
