package markdown

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// nodeRenderer writes the dialect's nodes and replaces goldmark's renderers
// for code blocks (highlighting and a copy button) and raw HTML (escaped;
// the parsers that produce it are disabled, this is a second line of
// defence).
type nodeRenderer struct {
	cfg config
}

func (r *nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindRole, r.renderRole)
	reg.Register(KindSpan, r.renderSpan)
	reg.Register(KindAdmonition, r.renderAdmonition)
	reg.Register(ast.KindFencedCodeBlock, r.renderFencedCode)
	reg.Register(ast.KindCodeBlock, r.renderIndentedCode)
	reg.Register(ast.KindHTMLBlock, r.renderHTMLBlock)
	reg.Register(ast.KindRawHTML, r.renderRawHTML)
	// Markers never survive the transformer; render nothing if one did.
	reg.Register(kindRoleMarker, skip)
	reg.Register(kindSpanOpen, skip)
	reg.Register(kindSpanClose, skip)
}

func skip(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
	return ast.WalkSkipChildren, nil
}

func (r *nodeRenderer) renderRole(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*role)
	if n.url != "" {
		w.WriteString(`<a class="`)
		w.WriteString(n.name)
		w.WriteString(`" href="`)
		w.Write(util.EscapeHTML(util.URLEscape([]byte(n.url), false)))
		w.WriteByte('"')
		if n.title != "" {
			w.WriteString(` title="`)
			w.Write(util.EscapeHTML([]byte(n.title)))
			w.WriteByte('"')
		}
		w.WriteString(`><code>`)
		w.Write(util.EscapeHTML([]byte(n.content)))
		w.WriteString(`</code></a>`)
		return ast.WalkSkipChildren, nil
	}
	w.WriteString(`<code class="`)
	w.WriteString(n.name)
	w.WriteByte('"')
	if n.title != "" {
		w.WriteString(` title="`)
		w.Write(util.EscapeHTML([]byte(n.title)))
		w.WriteByte('"')
	}
	w.WriteByte('>')
	w.Write(util.EscapeHTML([]byte(n.content)))
	w.WriteString(`</code>`)
	return ast.WalkSkipChildren, nil
}

func (r *nodeRenderer) renderSpan(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*span)
	tag := "span"
	if n.keycap {
		tag = "kbd"
	}
	if !entering {
		w.WriteString("</" + tag + ">")
		return ast.WalkContinue, nil
	}
	w.WriteString("<" + tag)
	if n.id != "" {
		w.WriteString(` id="`)
		w.WriteString(n.id) // validated by validID
		w.WriteByte('"')
	}
	w.WriteByte('>')
	return ast.WalkContinue, nil
}

func (r *nodeRenderer) renderAdmonition(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*Admonition)
	if !entering {
		w.WriteString("</div>\n")
		return ast.WalkContinue, nil
	}
	w.WriteString(`<div class="`)
	switch {
	case n.AdmonitionKind != "":
		w.WriteString("admonition ")
		w.WriteString(n.AdmonitionKind)
	case n.Class != "":
		// Prefixed so a made-up kind cannot borrow a theme class.
		w.WriteString("block block-")
		w.WriteString(n.Class)
	default:
		w.WriteString("block")
	}
	w.WriteByte('"')
	if n.ID != "" {
		w.WriteString(` id="`)
		w.WriteString(n.ID) // validated by validID
		w.WriteByte('"')
	}
	if n.AdmonitionKind != "" && n.AdmonitionKind != "example" {
		w.WriteString(` role="note"`)
	}
	w.WriteString(">\n")
	if title := admonitionKinds[n.AdmonitionKind]; title != "" {
		w.WriteString(`<p class="admonition-title">`)
		w.WriteString(title)
		w.WriteString("</p>\n")
	}
	return ast.WalkContinue, nil
}

func (r *nodeRenderer) renderFencedCode(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		n := node.(*ast.FencedCodeBlock)
		writeCodeBlock(w, string(n.Language(source)), blockText(n, source), true)
	}
	return ast.WalkSkipChildren, nil
}

func (r *nodeRenderer) renderIndentedCode(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		writeCodeBlock(w, "", blockText(node, source), true)
	}
	return ast.WalkSkipChildren, nil
}

// blockText joins a block's lines.
func blockText(n ast.Node, source []byte) string {
	lines := n.Lines()
	size := 0
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		size += seg.Len()
	}
	b := make([]byte, 0, size)
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b = append(b, seg.Value(source)...)
	}
	return string(b)
}

func (r *nodeRenderer) renderHTMLBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString("<p>")
		w.Write(util.EscapeHTML([]byte(blockText(node, source))))
		if c := node.(*ast.HTMLBlock); c.HasClosure() {
			w.Write(util.EscapeHTML(c.ClosureLine.Value(source)))
		}
		w.WriteString("</p>\n")
	}
	return ast.WalkSkipChildren, nil
}

func (r *nodeRenderer) renderRawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		segs := node.(*ast.RawHTML).Segments
		for i := 0; i < segs.Len(); i++ {
			s := segs.At(i)
			w.Write(util.EscapeHTML(s.Value(source)))
		}
	}
	return ast.WalkSkipChildren, nil
}
