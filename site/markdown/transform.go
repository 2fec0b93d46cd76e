package markdown

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// transformer finishes the NixOS dialect after parsing: it joins role
// markers with their code spans and resolves them, turns [](#opt-…) into
// option references, drops unsafe link destinations and tidies heading
// attributes. It holds no per-document state.
type transformer struct {
	resolver Resolver
	cfg      config
}

// optionAnchorPrefix starts the fragment nixpkgs' manual gives each option.
const optionAnchorPrefix = "#opt-"

func (t *transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	source := reader.Source()
	st := stateOf(pc)
	// Collect first: changing the tree while ast.Walk iterates it is unsafe.
	var nodes []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *roleMarker, *spanOpen, *ast.Link, *ast.Image, *ast.AutoLink, *ast.Heading:
			nodes = append(nodes, n)
		}
		if n.Attributes() != nil {
			keepSafeAttributes(n)
		}
		return ast.WalkContinue, nil
	})
	for _, n := range nodes {
		switch n := n.(type) {
		case *roleMarker:
			t.finishRole(n, source, st)
		case *spanOpen:
			finishSpan(n)
		case *ast.Link:
			t.finishLink(n, source, st)
		case *ast.Image:
			if !safeURL(n.Destination) {
				unwrap(n)
			}
		case *ast.AutoLink:
			if !safeURL(n.URL(source)) {
				n.Parent().ReplaceChild(n.Parent(), n, ast.NewString(n.Label(source)))
			}
		case *ast.Heading:
			if t.cfg.headingShift != 0 {
				n.Level = min(6, max(1, n.Level+t.cfg.headingShift))
			}
		}
	}
}

func (t *transformer) finishRole(m *roleMarker, source []byte, st *state) {
	parent := m.Parent()
	cs, ok := m.NextSibling().(*ast.CodeSpan)
	if !ok {
		// "{name}" followed by backticks that never close: plain text.
		parent.ReplaceChild(parent, m, ast.NewTextSegment(m.seg))
		return
	}
	r := &role{name: m.name, content: codeSpanText(cs, source)}
	offset := m.seg.Start
	switch m.name {
	case "option":
		r.url = t.optionURL(r.content, offset, st)
	case "package":
		if t.resolver != nil {
			st.ref(true, r.content)
			if u, ok := t.resolver.PackageURL(r.content); ok && safeURL([]byte(u)) {
				r.url = u
			} else {
				st.add(offset, fmt.Sprintf("unknown package %q in {package} role", r.content))
			}
		}
	case "manpage":
		r.title, r.url = t.manpage(r.content)
	case "var", "command", "env", "file":
	default:
		st.add(offset, fmt.Sprintf("unknown role {%s} (known: option, var, command, env, file, manpage, package)", m.name))
		// Prefixed so a made-up role cannot borrow a theme class.
		r.name = "role-" + sanitizeClass(m.name)
	}
	if insideLink(parent) {
		r.url = "" // a link inside a link is invalid HTML; the outer one wins
	}
	parent.ReplaceChild(parent, m, r)
	parent.RemoveChild(parent, cs)
}

func insideLink(n ast.Node) bool {
	for ; n != nil; n = n.Parent() {
		if n.Kind() == ast.KindLink {
			return true
		}
	}
	return false
}

// optionURL resolves an option name, recording a diagnostic when the
// resolver does not know it.
func (t *transformer) optionURL(name string, offset int, st *state) string {
	if t.resolver == nil {
		return ""
	}
	st.ref(false, name)
	if u, ok := t.resolver.OptionURL(name); ok && safeURL([]byte(u)) {
		return u
	}
	st.add(offset, fmt.Sprintf("unknown option %q", name))
	return ""
}

// manpage returns the title and, when a URL pattern is configured, the link
// for a reference such as "systemd.exec(5)".
func (t *transformer) manpage(ref string) (title, link string) {
	title = "man page " + ref
	open := strings.LastIndexByte(ref, '(')
	if open <= 0 || !strings.HasSuffix(ref, ")") || t.cfg.manpageURL == "" {
		return title, ""
	}
	page, section := ref[:open], ref[open+1:len(ref)-1]
	if section == "" || strings.ContainsAny(page, " \t") {
		return title, ""
	}
	u := strings.NewReplacer("{page}", url.PathEscape(page), "{section}", url.PathEscape(section)).Replace(t.cfg.manpageURL)
	if !safeURL([]byte(u)) {
		return title, ""
	}
	return title, u
}

// finishLink resolves option references and drops unsafe destinations.
func (t *transformer) finishLink(l *ast.Link, source []byte, st *state) {
	dest := l.Destination
	if !safeURL(dest) {
		unwrap(l)
		return
	}
	if !bytes.HasPrefix(dest, []byte(optionAnchorPrefix)) || len(dest) == len(optionAnchorPrefix) {
		if l.ChildCount() == 0 {
			// [](#sec-x): nixpkgs' manual fills in the section title, which
			// is not known here; the target is better than an empty link.
			l.AppendChild(l, ast.NewString(bytes.TrimPrefix(dest, []byte("#"))))
		}
		return
	}
	name := t.optionFromAnchor(string(dest[len(optionAnchorPrefix):]), st)
	offset := nearbyOffset(l)
	if l.ChildCount() == 0 {
		// [](#opt-x): the manual fills in the option's name.
		r := &role{name: "option", content: name}
		r.url = t.optionURL(name, offset, st)
		l.Parent().ReplaceChild(l.Parent(), l, r)
		return
	}
	if t.resolver == nil {
		return
	}
	if u := t.optionURL(name, offset, st); u != "" {
		l.Destination = []byte(u)
		return
	}
	unwrap(l)
}

// optionFromAnchor returns the option an #opt-… anchor names: the id as it
// is when the resolver knows it, else the id with nixpkgs' mangling undone.
func (t *transformer) optionFromAnchor(id string, st *state) string {
	if t.resolver != nil {
		st.ref(false, id)
		if _, ok := t.resolver.OptionURL(id); ok {
			return id
		}
	}
	return optionNameFromAnchor(id)
}

// optionNameFromAnchor undoes the id mangling of nixpkgs' manual for the
// common cases: "<name>" becomes "_name_" and "*" becomes "_".
func optionNameFromAnchor(id string) string {
	if !strings.Contains(id, "_") {
		return id
	}
	parts := strings.Split(id, ".")
	for i, p := range parts {
		switch {
		case p == "_":
			parts[i] = "*"
		case len(p) > 2 && p[0] == '_' && p[len(p)-1] == '_' && !strings.Contains(p[1:len(p)-1], "_"):
			parts[i] = "<" + p[1:len(p)-1] + ">"
		}
	}
	return strings.Join(parts, ".")
}

// nearbyOffset finds a source offset near an inline node that has none of
// its own, for diagnostics: a neighbouring text segment, else its block's
// first line.
func nearbyOffset(n ast.Node) int {
	for c := n.FirstChild(); c != nil; c = c.FirstChild() {
		if t, ok := c.(*ast.Text); ok {
			return t.Segment.Start
		}
	}
	if t, ok := n.PreviousSibling().(*ast.Text); ok {
		return t.Segment.Stop
	}
	if t, ok := n.NextSibling().(*ast.Text); ok {
		return t.Segment.Start
	}
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			return p.Lines().At(0).Start
		}
	}
	return -1
}

// unwrap replaces n by its children.
func unwrap(n ast.Node) {
	parent := n.Parent()
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		parent.InsertBefore(parent, n, c)
		c = next
	}
	parent.RemoveChild(parent, n)
}

// keepSafeAttributes keeps only id and class attributes with inert values:
// "{#id .class}" after a heading is useful, "{onclick=…}" or "{style=…}" is
// not.
func keepSafeAttributes(n ast.Node) {
	attrs := n.Attributes()
	var keep []ast.Attribute
	for _, a := range attrs {
		v, ok := a.Value.([]byte)
		if !ok {
			continue
		}
		switch string(a.Name) {
		case "id":
			if validID(string(v)) {
				keep = append(keep, a)
			}
		case "class":
			fields := strings.Fields(string(v))
			for i, f := range fields {
				fields[i] = sanitizeClass(f)
			}
			keep = append(keep, ast.Attribute{Name: a.Name, Value: []byte(strings.Join(fields, " "))})
		}
	}
	n.RemoveAttributes()
	for _, a := range keep {
		n.SetAttribute(a.Name, a.Value)
	}
}
