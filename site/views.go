package site

import (
	"html/template"
	"strings"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/indexer/nixexpr"
)

// link is a piece of text that may point somewhere.
type link struct {
	Text string
	Href string
}

// safeHref keeps URLs from input data only when they are web or mail
// links (or relative); anything else (javascript:, data:, file:) is
// dropped so the text shows without a link.
func safeHref(u string) string {
	t := strings.ToLower(strings.TrimSpace(u))
	switch {
	case strings.HasPrefix(t, "https://"), strings.HasPrefix(t, "http://"), strings.HasPrefix(t, "mailto:"):
		return strings.TrimSpace(u)
	case strings.HasPrefix(t, "/"), strings.HasPrefix(t, "#"):
		return u
	}
	return ""
}

// optionView is what a template needs to show one option.
type optionView struct {
	Name         string
	Short        string // the name below its page's prefix, for the page's table of contents
	Anchor       string
	Type         string
	Description  template.HTML
	Default      *valueView
	Example      *valueView
	Declarations []link
	ReadOnly     bool
	Internal     bool
	Related      template.HTML
	Marks        []markView // what changed in which release
	OldAnchors   []string   // anchors of its old names on this page
}

// valueView is a rendered default or example.
type valueView struct {
	HTML     template.HTML
	Markdown bool // literalMD: prose, not code
}

// packageView is what a template needs to show one package.
type packageView struct {
	Attr, Name, Pname, Version, Description string
	LongDescription                         template.HTML
	Homepages                               []link
	Changelog                               string
	Licenses                                []link
	Platforms                               []string
	MainProgram                             string
	Maintainers                             []link
	Vulnerabilities                         []string
	Broken                                  bool
	Position                                link
	Install                                 []snippet
	ModulePage                              *link
	ModuleOptions                           []listItem
	// Services are the options (of the option sets built alongside) of
	// the modules that run this package: `services.postgresql.enable` on
	// the postgresql package's page.
	Services []serviceView
	Href     string
	// Unknown names the facts the package list did not give (a list
	// read from source, not evaluated, may lack a version or licence), so
	// that the page says so instead of leaving a silent gap.
	Unknown []string
	// Marks say what changed in which release ("new in 0.3.0").
	Marks []markView
}

type snippet struct {
	Label string
	Code  template.HTML
	// minified is Code minified, when known without minifying the page
	// (see fragment); "" otherwise.
	minified string
}

// listItem is one row of a list page.
type listItem struct {
	Text    string
	Href    string
	Summary string
	Extra   string // version of a package, type of an option
}

// renderValue shows a default or example: Nix source highlighted, Markdown
// rendered, plain JSON printed as the equivalent Nix.
func (r *run) renderValue(scope string, v *indexer.Value, where string) *valueView {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case indexer.ValueMarkdown:
		h, diags := r.markdown(scope, v.Text, false)
		r.addDiags(scopeSeg(scope), scope, "", 0, where, diags)
		return &valueView{HTML: h, Markdown: true}
	case indexer.ValueJSON:
		src, err := nixexpr.FromJSON(v.JSON)
		if err != nil {
			src = string(v.JSON)
		}
		return &valueView{HTML: r.eng.highlight("nix", src)}
	default:
		return &valueView{HTML: r.eng.highlight("nix", v.Text)}
	}
}

func (r *run) optionView(d *indexer.Document) optionView {
	o := d.Option
	where := "option " + d.Name
	if d.Scope != indexer.PrimaryScope {
		where += " (" + d.Scope + ")"
	}
	desc, diags := r.markdown(d.Scope, o.Description, false)
	r.addDiags(scopeSeg(d.Scope), d.Scope, "", 0, where, diags)
	v := optionView{
		Name:        d.Name,
		Anchor:      r.layout.Anchor(*d),
		Type:        o.Type,
		Description: desc,
		Default:     r.renderValue(d.Scope, o.Default, where+" default"),
		Example:     r.renderValue(d.Scope, o.Example, where+" example"),
		ReadOnly:    o.ReadOnly,
		Internal:    o.Internal,
		Marks:       r.marksOf(d.ID),
	}
	if r.hist != nil {
		v.OldAnchors = r.hist.oldAnchors[d.ID]
	}
	if o.RelatedPackages != "" {
		v.Related, diags = r.markdown(d.Scope, o.RelatedPackages, false)
		r.addDiags(scopeSeg(d.Scope), d.Scope, "", 0, where+" relatedPackages", diags)
	}
	for _, decl := range o.Declarations {
		v.Declarations = append(v.Declarations, r.declLink(d.Scope, decl))
	}
	return v
}

// declLink links a declaration to the source browser: an explicit URL
// when the data has one, else the scope's repository URL at the revision.
func (r *run) declLink(scope string, decl indexer.Declaration) link {
	text := decl.Name
	if decl.Line > 0 {
		text += ":" + itoa(decl.Line)
	}
	if decl.URL != "" {
		return link{Text: text, Href: safeHref(decl.URL)}
	}
	base := r.sourceBase(scope)
	if base == "" || decl.Name == "" || strings.HasPrefix(decl.Name, "/") || strings.HasPrefix(decl.Name, "<") {
		return link{Text: text}
	}
	href := base + strings.TrimPrefix(decl.Name, "./")
	if decl.Line > 0 {
		href += "#L" + itoa(decl.Line)
	}
	return link{Text: text, Href: href}
}

// upstreamRepos are the source repositories of well-known option sets,
// whose declarations are paths inside them ("nixos/modules/…"): they link
// there without a --scope-source.
var upstreamRepos = map[string]string{
	"NixOS":   "https://github.com/NixOS/nixpkgs",
	"nixpkgs": "https://github.com/NixOS/nixpkgs", // package positions: pkgs/…/package.nix:LINE
}

// scopeRevision is the upstream revision a scope's options come from, ""
// when not known.
func (r *run) scopeRevision(scope string) string {
	return r.cfg.ScopeRevision[scope]
}

// sourceBase is the URL prefix of repository-relative file names of a scope.
func (r *run) sourceBase(scope string) string {
	if u, ok := r.cfg.ScopeSource[scope]; ok {
		return strings.TrimSuffix(u, "/") + "/"
	}
	if repo, ok := upstreamRepos[scope]; ok {
		rev := r.scopeRevision(scope)
		if rev == "" {
			rev = "master"
		}
		return repo + "/blob/" + rev + "/"
	}
	if scope != indexer.PrimaryScope || r.cfg.RepoURL == "" {
		return ""
	}
	rev := r.cfg.Revision
	if rev == "" {
		rev = "main"
	}
	return strings.TrimSuffix(r.cfg.RepoURL, "/") + "/blob/" + rev + "/"
}

// provenance says where a scope's options come from, for its pages: the
// upstream repository and revision when known. nil for the repository's
// own scope and for option sets of unknown origin.
func (r *run) provenance(scope string) *provenanceView {
	if scope == indexer.PrimaryScope {
		return nil
	}
	rev := r.scopeRevision(scope)
	if u, ok := r.cfg.ScopeSource[scope]; ok {
		return &provenanceView{Scope: scope, What: "options", Source: link{Text: u, Href: safeHref(u)}, Revision: rev}
	}
	repo, ok := upstreamRepos[scope]
	if !ok {
		return nil
	}
	name := strings.TrimPrefix(repo, "https://github.com/")
	v := &provenanceView{Scope: scope, What: "options", Source: link{Text: name, Href: repo}, Revision: rev}
	if rev != "" {
		v.Source.Href = repo + "/tree/" + rev
	}
	return v
}

// provenanceView is what a template needs to say where a scope's options
// come from.
type provenanceView struct {
	Scope    string
	What     string // "options", or "packages" for a scope of packages alone
	Source   link
	Revision string // "" when not known: source links open the default branch
}

func (r *run) packageView(d *indexer.Document) packageView {
	p := d.Package
	where := "package " + d.Name
	v := packageView{
		Attr: d.Name, Name: d.Title, Pname: p.Pname, Version: p.Version,
		Description:     p.Description,
		Changelog:       safeHref(p.Changelog),
		Platforms:       p.Platforms,
		MainProgram:     p.MainProgram,
		Vulnerabilities: p.KnownVulnerabilities,
		Broken:          p.Broken,
		Href:            r.href(r.layout.Path(*d)),
		Marks:           r.marksOf(d.ID),
	}
	if p.LongDescription != "" {
		h, diags := r.markdown(d.Scope, p.LongDescription, false)
		r.addDiags(scopeSeg(d.Scope), d.Scope, "", 0, where+" longDescription", diags)
		v.LongDescription = h
	}
	for _, h := range p.Homepage {
		v.Homepages = append(v.Homepages, link{Text: h, Href: safeHref(h)})
	}
	for _, l := range p.Licenses {
		name := l.FullName
		if name == "" {
			name = l.SPDX
		}
		if !l.Free {
			name += " (unfree)"
		}
		v.Licenses = append(v.Licenses, link{Text: name, Href: safeHref(l.URL)})
	}
	for _, m := range p.Maintainers {
		l := link{Text: m.Name}
		if m.GitHub != "" {
			l.Href = "https://github.com/" + m.GitHub
			if l.Text == "" {
				l.Text = "@" + m.GitHub
			}
		}
		v.Maintainers = append(v.Maintainers, l)
	}
	if p.Position != "" {
		file, line := p.Position, 0
		if i := strings.LastIndexByte(file, ':'); i > 0 {
			if n := atoi(file[i+1:]); n > 0 {
				file, line = file[:i], n
			}
		}
		v.Position = r.declLink(d.Scope, indexer.Declaration{Name: file, Line: line})
	}
	v.Unknown = unknownFacts(p)
	v.Install = r.installSnippets(d)
	v.Services = r.serviceLinksOf(d)
	module := p.Module
	if module == "" && d.Scope == indexer.PrimaryScope {
		module = "services.atproto." + d.Name
	}
	if page := r.layout.OptionPageNamed(d.Scope, module); page != nil {
		v.ModulePage = &link{Text: page.Name, Href: r.href(page.Path)}
		for _, o := range page.Options {
			if !o.Option.Visible || o.Option.Internal {
				continue
			}
			v.ModuleOptions = append(v.ModuleOptions, listItem{
				Text: o.Name, Href: r.href(r.layout.URL(*o)), Summary: o.Summary, Extra: o.Option.Type})
		}
	}
	return v
}

// unknownFacts lists what a package page would show but p does not have.
func unknownFacts(p *indexer.Package) []string {
	var out []string
	for _, f := range []struct {
		name    string
		missing bool
	}{
		{"description", p.Description == ""},
		{"version", p.Version == ""},
		{"license", len(p.Licenses) == 0},
		{"homepage", len(p.Homepage) == 0},
		{"source position", p.Position == ""},
	} {
		if f.missing {
			out = append(out, f.name)
		}
	}
	return out
}

// installSnippets shows how to get a package: with channels, with flakes,
// and on NixOS. This repository's packages live in the NUR channel/flake;
// packages of other scopes are assumed to come from nixpkgs.
//
// The snippets are the same for every package but the attribute, so each
// is highlighted once with a placeholder and the (escaped) attribute
// substituted: highlighting three snippets for each of 100,000 packages
// would dominate the build.
func (r *run) installSnippets(d *indexer.Document) []snippet {
	attr := d.Name
	nixAttr := attrPath(attr)
	tpl := r.snippetTemplates(d.Scope)
	out := make([]snippet, len(tpl))
	for i, t := range tpl {
		a := attr
		if t.nixAttr {
			a = nixAttr
		}
		esc := template.HTMLEscapeString(a)
		out[i] = snippet{Label: t.label, Code: template.HTML(strings.ReplaceAll(string(t.code), attrPlaceholder, esc))}
		// The minifier rewrites character references, so only a name
		// without any can go into the once-minified template as it is.
		if t.minified != "" && esc == a {
			out[i].minified = strings.ReplaceAll(t.minified, attrPlaceholder, a)
		}
	}
	return out
}

// attrPlaceholder stands for the attribute in highlighted snippets; it is
// an identifier to the Nix and shell lexers, so it is never split.
const attrPlaceholder = "nurdocsATTRplaceholder"

type snippetTemplate struct {
	label    string
	code     template.HTML
	minified string // code minified (minified builds), placeholder intact; "" when not
	nixAttr  bool   // substitute the attribute quoted for Nix, not as typed on a command line
}

func (r *run) snippetTemplates(scope string) []snippetTemplate {
	primary := scope == indexer.PrimaryScope
	k := 0
	if primary {
		k = 1
	}
	r.snippetOnce[k].Do(func() {
		p := attrPlaceholder
		var t []snippetTemplate
		if primary {
			flake := r.flakeRef()
			t = []snippetTemplate{
				{label: "Channel", code: r.eng.highlight("shell", "nix-env -iA atproto."+p), nixAttr: true},
				{label: "Flake", code: r.eng.highlight("shell", "nix profile install "+flake+"#"+p)},
				{label: "NixOS", code: r.eng.highlight("nix", "# flake.nix: inputs.atproto-nur.url = \""+flake+"\";\n"+
					"environment.systemPackages = [\n  inputs.atproto-nur.packages.${pkgs.stdenv.hostPlatform.system}."+p+"\n];"), nixAttr: true},
			}
		} else {
			t = []snippetTemplate{
				{label: "Channel", code: r.eng.highlight("shell", "nix-env -iA nixpkgs."+p), nixAttr: true},
				{label: "Flake", code: r.eng.highlight("shell", "nix profile install nixpkgs#"+p)},
				{label: "NixOS", code: r.eng.highlight("nix", "environment.systemPackages = [ pkgs."+p+" ];"), nixAttr: true},
			}
		}
		for i, s := range t {
			if !strings.Contains(string(s.code), p) {
				panic("site: highlighting split the attribute placeholder in " + string(s.code))
			}
			if r.out.min != nil && !r.wholePages {
				m, err := r.out.min.String("text/html", string(s.code))
				if err == nil && strings.Count(m, p) == strings.Count(string(s.code), p) {
					t[i].minified = m
				}
			}
		}
		r.snippets[k] = t
	})
	return r.snippets[k]
}

// attrPath quotes attribute names that are not Nix identifiers.
func attrPath(attr string) string {
	parts := strings.Split(attr, ".")
	for i, p := range parts {
		parts[i] = nixexpr.Key(p)
	}
	return strings.Join(parts, ".")
}

// flakeRef derives the flake reference from the repository URL.
func (r *run) flakeRef() string {
	u := strings.TrimSuffix(r.cfg.RepoURL, "/")
	if rest, ok := strings.CutPrefix(u, "https://github.com/"); ok && strings.Count(rest, "/") == 1 {
		return "github:" + rest
	}
	return "github:atproto-nur/atproto-nur"
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
