package site

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// siteInfo is shared by every page.
type siteInfo struct {
	Title        string
	Base         string // path prefix of every link, "/" or "/sub/"
	Origin       string // "https://host" when --base-url was a full URL
	RepoURL      string
	Source       string
	HasSearchCSS bool
	HasSearchJS  bool
	HasOptions   bool
	HasPackages  bool
	HasGuides    bool
	HasChanges   bool // "What changed" pages exist
}

// page is the data every template receives; exactly one of the kind
// fields is set.
type page struct {
	Site        *siteInfo
	Frame       *frame
	Path        string
	Title       string
	HeadTitle   string
	Description string
	Canonical   string
	Section     string // "home", "options", "packages", "guides": highlighted in the menu
	Crumbs      []link

	Home        *homeData
	Options     *optionPageData
	OptionIndex *optionIndexData
	AllOptions  *allOptionsData
	Package     *packageView
	Packages    *packagesData
	Guide       *guideData
	Guides      *guidesData
	Scope       *scopePageData
	Changes     *changesData
	Redirect    *redirectData
	// Refresh is where a redirect page sends the browser at once.
	Refresh string

	fragments []fragment // parts of the page whose minified form is known
}

// fragment is HTML in a page's data whose minified form is already known
// (install snippets, the same for every package but for the name): a
// minified build renders a marker in its place and splices the minified
// form in after minifying the page, like the frame.
type fragment struct {
	field    *template.HTML
	minified string
}

// frame is the pre-rendered part of a page shared by its whole section.
type frame struct {
	Assets, Header, Footer template.HTML
	minified               [3]string // the parts minified, in minified builds
}

type homeData struct {
	QuickStart []snippet
	Services   []listItem
	Packages   []listItem
	Guides     []listItem
	Scopes     []scopeLinks
	Templates  []listItem
}

type scopeLinks struct {
	Name       string
	Options    int
	Packages   int
	OptionsURL string // the scope's section of the option index
	AllURL     string
	PkgURL     string
	PageURL    string // the scope's landing page; "" for the repository's own scope
}

// scopePageData is the landing page of an option set other than the
// repository's own (scope/NixOS/).
type scopePageData struct {
	scopeLinks
	Provenance *provenanceView
	SearchURL  string
}

type optionPageData struct {
	Name       string
	Scope      string
	Primary    bool
	Provenance *provenanceView
	Options    []optionView
	Package    *link  // the package this module runs, if known
	Unpackaged string // why the module's program has no package yet
	Moved      []movedView
}

type optionIndexData struct {
	Scopes []scopeIndex
}

type scopeIndex struct {
	Name   string
	Anchor string
	AllURL string
	Pages  []listItem
}

type allOptionsData struct {
	Scope      string
	Options    []listItem
	Provenance *provenanceView
}

type packagesData struct {
	Scope    string
	Chunks   []link // prefix pages, when the list is split
	Packages []listItem
	Total    int
}

type guideData struct {
	Body     template.HTML
	Nav      []navItem
	Prev     *link
	Next     *link
	EditURL  string
	Source   string
	Sections []navItem
}

type guidesData struct {
	Nav []navItem
}

type navItem struct {
	Text     string
	Href     string
	Summary  string // shown on the guides index, not in the sidebar
	Current  bool
	Children []navItem
}

// jobs lists the pages of the segments want accepts (segments.go).
func (r *run) jobs(want func(seg string) bool) []job {
	var jobs []job
	guides := r.guides
	if want(segCore) {
		jobs = append(jobs,
			job{seg: segCore, path: "", kind: "home", build: r.homePage},
			job{seg: segCore, path: "search/", kind: "search", noMap: true, build: func() *page {
				return &page{Title: "Search", Section: "search"}
			}},
			job{seg: segCore, path: "404.html", kind: "404", noMap: true, build: func() *page {
				return &page{Title: "Page not found", Canonical: r.site.Origin + r.href("404.html")}
			}},
		)
		if r.site.HasOptions {
			jobs = append(jobs, job{seg: segCore, path: "options/", kind: "option-index", build: r.optionIndexPage})
		}
	}
	for _, p := range r.layout.OptionPages {
		if seg := scopeSeg(p.Scope); want(seg) {
			jobs = append(jobs, job{seg: seg, path: p.Path, kind: "options", build: func() *page { return r.optionPage(p) }})
		}
	}
	if want(segCore) {
		// Release pages and redirects read every scope's layout: the core
		// segment is rendered on every build.
		jobs = append(jobs, r.changesJobs()...)
		jobs = append(jobs, r.redirectJobs()...)
	}
	for _, scope := range r.layout.Scopes {
		seg := scopeSeg(scope)
		sd := r.scopes[scope]
		if !want(seg) || sd == nil {
			continue
		}
		opts, pkgs := sd.opts, sd.pkgs
		if scope != indexer.PrimaryScope && r.th.pages["scope"] != nil {
			jobs = append(jobs, job{seg: seg, path: ScopePrefix(scope), kind: "scope", build: func() *page { return r.scopePage(scope) }})
		}
		if len(opts) > 0 {
			jobs = append(jobs, job{seg: seg, path: ScopePrefix(scope) + "all-options/", kind: "all-options",
				build: func() *page { return r.allOptionsPage(scope, opts) }})
		}
		if len(pkgs) > 0 {
			jobs = append(jobs, r.packageListJobs(scope, pkgs)...)
		}
		for _, d := range pkgs {
			jobs = append(jobs, job{seg: seg, path: r.layout.Path(*d), kind: "package", build: func() *page { return r.packagePage(d) }})
		}
	}
	if len(guides) > 0 && want(segGuides) {
		jobs = append(jobs, job{seg: segGuides, path: "guides/", kind: "guides", build: func() *page {
			return &page{Title: "Guides", Section: "guides", Guides: &guidesData{Nav: r.guideNav(guides, "", true)}}
		}})
		for i, d := range guides {
			jobs = append(jobs, job{seg: segGuides, path: r.layout.Path(*d), kind: "guide", build: func() *page { return r.guidePage(guides, i) }})
		}
	}
	return jobs
}

func (r *run) homePage() *page {
	h := &homeData{}
	flake := r.flakeRef()
	h.QuickStart = []snippet{
		{Label: "Flakes", Code: r.eng.highlight("shell", "nix run "+flake+"#pds -- --help\nnix profile install "+flake+"#pds")},
		{Label: "Channels", Code: r.eng.highlight("shell", "nix-channel --add https://github.com/"+strings.TrimPrefix(flake, "github:")+
			"/archive/main.tar.gz atproto\nnix-channel --update\nnix-env -iA atproto.pds")},
		{Label: "NixOS", Code: r.eng.highlight("nix", "{\n  inputs.atproto-nur.url = \""+flake+"\";\n  outputs = { nixpkgs, atproto-nur, ... }: {\n"+
			"    nixosConfigurations.host = nixpkgs.lib.nixosSystem {\n      modules = [\n"+
			"        atproto-nur.nixosModules.default\n        { services.atproto.pds.enable = true; }\n      ];\n    };\n  };\n}")},
	}
	for _, p := range r.layout.OptionPages {
		if p.Scope != indexer.PrimaryScope {
			continue
		}
		summary := ""
		if d := r.layout.Option(p.Scope, p.Name+".enable"); d != nil {
			summary = d.Summary
		}
		h.Services = append(h.Services, listItem{Text: p.Name, Href: r.href(p.Path), Summary: summary,
			Extra: itoa(len(p.Options)) + " options"})
	}
	for i := range r.in.Docs {
		d := &r.in.Docs[i]
		switch {
		case d.Kind == indexer.KindPackage && d.Scope == indexer.PrimaryScope:
			h.Packages = append(h.Packages, listItem{Text: d.Name, Href: r.href(r.layout.URL(*d)), Summary: d.Summary, Extra: d.Package.Version})
		case d.Kind == indexer.KindGuide:
			h.Guides = append(h.Guides, listItem{Text: d.Title, Href: r.href(r.layout.URL(*d)), Summary: d.Summary})
		}
	}
	for _, t := range r.in.Templates {
		h.Templates = append(h.Templates, listItem{Text: "nix flake init -t " + flake + "#" + t.Name, Summary: t.Description})
	}
	h.Scopes = r.scopeLinks()
	return &page{Title: r.site.Title, Section: "home", Home: h,
		Description: "Packages, NixOS modules and guides for running AT Protocol services with Nix."}
}

func (r *run) scopeLinks() []scopeLinks {
	var out []scopeLinks
	for _, s := range r.layout.Scopes {
		sl := scopeLinks{Name: s}
		for i := range r.in.Docs {
			d := &r.in.Docs[i]
			if d.Scope != s {
				continue
			}
			switch d.Kind {
			case indexer.KindOption:
				sl.Options++
			case indexer.KindPackage:
				sl.Packages++
			}
		}
		if sl.Options > 0 {
			sl.OptionsURL = r.href("options/") + "#scope-" + Slug(s)
			sl.AllURL = r.href(ScopePrefix(s) + "all-options/")
		}
		if sl.Packages > 0 {
			sl.PkgURL = r.href(ScopePrefix(s) + "packages/")
		}
		if s != indexer.PrimaryScope && r.th.pages["scope"] != nil {
			sl.PageURL = r.href(ScopePrefix(s))
		}
		out = append(out, sl)
	}
	return out
}

// scopePage is the landing page of a scope other than the repository's:
// what the option set is, where it comes from, and its lists.
func (r *run) scopePage(scope string) *page {
	data := &scopePageData{Provenance: r.provenance(scope), SearchURL: r.href("search/") + "?scope=" + url.QueryEscape(scope)}
	for _, sl := range r.scopeLinks() {
		if sl.Name == scope {
			data.scopeLinks = sl
		}
	}
	if pv := data.Provenance; pv != nil && data.Options == 0 && data.Packages > 0 {
		pv.What = "packages"
	}
	return &page{Title: scope, Section: "options", Scope: data, Crumbs: []link{{Text: "Options", Href: r.href("options/")}},
		Description: fmt.Sprintf("The %s option set on this site: %d options, %d packages.", scope, data.Options, data.Packages)}
}

func (r *run) optionPage(p *OptionPage) *page {
	data := &optionPageData{Name: p.Name, Scope: p.Scope, Primary: p.Scope == indexer.PrimaryScope, Provenance: r.provenance(p.Scope)}
	data.Options = make([]optionView, 0, len(p.Options))
	for _, d := range p.Options {
		v := r.optionView(d)
		v.Short = strings.TrimPrefix(d.Name, p.Name+".")
		data.Options = append(data.Options, v)
	}
	if r.hist != nil {
		for _, m := range r.hist.moved[p.Path] {
			m.New.Href = r.href(m.New.Href)
			data.Moved = append(data.Moved, m)
		}
	}
	for _, m := range r.in.Modules {
		if m.OptionPrefix == p.Name && m.Package != nil && p.Scope == indexer.PrimaryScope {
			if d := r.layout.Package(indexer.PrimaryScope, *m.Package); d != nil {
				data.Package = &link{Text: d.Name, Href: r.href(r.layout.URL(*d))}
			} else if m.Unpackaged != nil {
				data.Unpackaged = *m.Unpackaged
			}
		}
	}
	title := p.Name
	crumbs := []link{{Text: "Options", Href: r.href("options/")}}
	if !data.Primary {
		title += " (" + p.Scope + ")"
		crumbs = append(crumbs, link{Text: p.Scope, Href: r.href("options/") + "#scope-" + Slug(p.Scope)})
	}
	return &page{Title: title, Section: "options", Options: data, Crumbs: crumbs,
		Description: fmt.Sprintf("%d options under %s", len(p.Options), p.Name)}
}

func (r *run) optionIndexPage() *page {
	data := &optionIndexData{}
	byScope := map[string]*scopeIndex{}
	for _, s := range r.layout.Scopes {
		si := &scopeIndex{Name: s, Anchor: "scope-" + Slug(s), AllURL: r.href(ScopePrefix(s) + "all-options/")}
		byScope[s] = si
	}
	for _, p := range r.layout.OptionPages {
		byScope[p.Scope].Pages = append(byScope[p.Scope].Pages, listItem{Text: p.Name, Href: r.href(p.Path), Extra: itoa(len(p.Options))})
	}
	for _, s := range r.layout.Scopes {
		if len(byScope[s].Pages) > 0 {
			data.Scopes = append(data.Scopes, *byScope[s])
		}
	}
	return &page{Title: "Option reference", Section: "options", OptionIndex: data}
}

func (r *run) allOptionsPage(scope string, opts []*indexer.Document) *page {
	data := &allOptionsData{Scope: scope, Options: make([]listItem, 0, len(opts)), Provenance: r.provenance(scope)}
	for _, d := range opts {
		data.Options = append(data.Options, listItem{Text: d.Name, Href: r.href(r.layout.URL(*d)), Extra: d.Option.Type})
	}
	title := "All options"
	if scope != indexer.PrimaryScope {
		title += " (" + scope + ")"
	}
	return &page{Title: title, Section: "options", AllOptions: data,
		Crumbs: []link{{Text: "Options", Href: r.href("options/")}}}
}

// maxList is the most rows a package list page holds before it is split
// by name prefix.
var maxList = 2000

func (r *run) packageListJobs(scope string, pkgs []*indexer.Document) []job {
	title := "Packages"
	if scope != indexer.PrimaryScope {
		title += " (" + scope + ")"
	}
	items := func(ds []*indexer.Document) []listItem {
		out := make([]listItem, len(ds))
		for i, d := range ds {
			out[i] = listItem{Text: d.Name, Href: r.href(r.layout.URL(*d)), Summary: d.Summary, Extra: d.Package.Version}
		}
		return out
	}
	listPath := ScopePrefix(scope) + "packages/"
	if len(pkgs) <= maxList {
		return []job{{seg: scopeSeg(scope), path: listPath, kind: "packages", build: func() *page {
			return &page{Title: title, Section: "packages",
				Packages: &packagesData{Scope: scope, Packages: items(pkgs), Total: len(pkgs)}}
		}}}
	}
	chunks := chunkByPrefix(pkgs, 1)
	var jobs []job
	var chunkLinks []link
	for _, c := range chunks {
		c := c
		p := ScopePrefix(scope) + "package-index/" + Slug(c.prefix) + "/"
		chunkLinks = append(chunkLinks, link{Text: c.prefix + " (" + itoa(len(c.docs)) + ")", Href: r.href(p)})
		jobs = append(jobs, job{seg: scopeSeg(scope), path: p, kind: "packages", build: func() *page {
			return &page{Title: title + ": " + c.prefix, Section: "packages",
				Crumbs:   []link{{Text: title, Href: r.href(listPath)}},
				Packages: &packagesData{Scope: scope, Packages: items(c.docs), Total: len(c.docs)}}
		}})
	}
	jobs = append(jobs, job{seg: scopeSeg(scope), path: listPath, kind: "packages", build: func() *page {
		return &page{Title: title, Section: "packages",
			Packages: &packagesData{Scope: scope, Chunks: chunkLinks, Total: len(pkgs)}}
	}})
	return jobs
}

// maxChunkPrefix bounds how long a list page's name prefix may grow.
const maxChunkPrefix = 64

type chunk struct {
	prefix string
	docs   []*indexer.Document
}

// chunkByPrefix splits a sorted package list by lower-cased name prefix,
// lengthening the prefix of any chunk still over maxList: a package set
// of ten thousand members ("python3Packages.") is split after its dot like
// any other name, so that no list page grows past about 1 MB.
func chunkByPrefix(docs []*indexer.Document, n int) []chunk {
	var out []chunk
	key := func(d *indexer.Document) string {
		k := strings.ToLower(d.Name)
		if len(k) > n {
			k = k[:n]
		}
		return k
	}
	sorted := append([]*indexer.Document(nil), docs...)
	sort.SliceStable(sorted, func(i, j int) bool { return strings.ToLower(sorted[i].Name) < strings.ToLower(sorted[j].Name) })
	for i := 0; i < len(sorted); {
		k := key(sorted[i])
		j := i
		for j < len(sorted) && key(sorted[j]) == k {
			j++
		}
		group := sorted[i:j]
		if len(group) > maxList && n < maxChunkPrefix {
			out = append(out, chunkByPrefix(group, n+1)...)
		} else {
			out = append(out, chunk{prefix: k, docs: group})
		}
		i = j
	}
	return out
}

func (r *run) packagePage(d *indexer.Document) *page {
	v := r.packageView(d)
	crumbs := []link{{Text: "Packages", Href: r.href(ScopePrefix(d.Scope) + "packages/")}}
	title := d.Name
	if d.Scope != indexer.PrimaryScope {
		title += " (" + d.Scope + ")"
	}
	if v.Version != "" {
		title += " " + v.Version
	}
	pg := &page{Title: title, Section: "packages", Package: &v, Crumbs: crumbs, Description: d.Summary}
	for i := range v.Install {
		if s := &v.Install[i]; s.minified != "" {
			pg.fragments = append(pg.fragments, fragment{field: &s.Code, minified: s.minified})
		}
	}
	return pg
}

// guideNav builds the navigation tree: top-level guides, then one branch
// per section headed by its index page; with summaries for the index.
func (r *run) guideNav(guides []*indexer.Document, current string, summaries bool) []navItem {
	var nav []navItem
	sectionAt := map[string]int{}
	for _, d := range guides {
		g := d.Guide
		item := navItem{Text: d.Title, Href: r.href(r.layout.URL(*d)), Current: d.ID == current}
		if summaries {
			item.Summary = d.Summary
		}
		if g.Section == "" {
			nav = append(nav, item)
			continue
		}
		i, ok := sectionAt[g.Section]
		if !ok {
			head := navItem{Text: sectionTitle(g.Section)}
			if d.Name == g.Section { // the section's index page
				head = item
			}
			nav = append(nav, head)
			i = len(nav) - 1
			sectionAt[g.Section] = i
			if d.Name == g.Section {
				continue
			}
		}
		nav[i].Children = append(nav[i].Children, item)
	}
	return nav
}

func sectionTitle(s string) string {
	s = strings.ReplaceAll(s, "-", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (r *run) guidePage(guides []*indexer.Document, i int) *page {
	d := guides[i]
	g := d.Guide
	src := path.Join(r.contentDir(), g.Path)
	file := src
	if r.in.ContentDir != "" {
		file = filepath.Join(r.in.ContentDir, filepath.FromSlash(g.Path))
	}
	rest, heading, line := withoutTitleHeading(g.Body)
	body, diags := r.markdown(indexer.PrimaryScope, rest, true)
	if heading != "" && plainHeading(heading) != plainHeading(d.Title) {
		diags = append(diags, mdDiag{Line: line, Message: fmt.Sprintf(
			"the heading %q differs from the front matter's title %q, which the page shows: make them the same or drop the heading", heading, d.Title)})
	}
	r.addDiags(segGuides, indexer.PrimaryScope, file, g.BodyLine, "guide "+d.Name, diags)
	data := &guideData{Body: body, Nav: r.guideNav(guides, d.ID, false), Source: src}
	if i > 0 {
		p := guides[i-1]
		data.Prev = &link{Text: p.Title, Href: r.href(r.layout.URL(*p))}
	}
	if i+1 < len(guides) {
		n := guides[i+1]
		data.Next = &link{Text: n.Title, Href: r.href(r.layout.URL(*n))}
	}
	if r.site.RepoURL != "" {
		branch := r.cfg.EditBranch
		if branch == "" {
			branch = "main"
		}
		data.EditURL = r.site.RepoURL + "/edit/" + branch + "/" + src
	}
	return &page{Title: d.Title, Section: "guides", Guide: data, Description: d.Summary,
		Crumbs: []link{{Text: "Guides", Href: r.href("guides/")}}}
}

// withoutTitleHeading blanks a level-1 heading that opens a guide's body:
// the page shows the guide's title (front matter, else that heading) as
// its one h1, so the heading would repeat it, or contradict it after the
// front matter changed. The line stays, empty, so that diagnostics keep
// their line numbers. It returns the heading's text and its line in body
// (1-based), "" and 0 when the body does not open with one.
func withoutTitleHeading(body string) (rest, heading string, line int) {
	rest = body
	for n := 1; ; n++ {
		l, after, found := strings.Cut(rest, "\n")
		if strings.TrimSpace(l) == "" {
			if !found {
				return body, "", 0
			}
			rest = after
			continue
		}
		if !strings.HasPrefix(l, "# ") && strings.TrimRight(l, " \t\r") != "#" {
			return body, "", 0
		}
		start := len(body) - len(rest)
		return body[:start] + body[start+len(l):], strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#")), n
	}
}

// headingIDRE matches a heading's {#id} attribute.
var headingIDRE = regexp.MustCompile(`\s*\{#[^}]*\}`)

// plainHeading is a heading's text without its {#id} and code or emphasis
// marks, for comparing it with a plain title.
func plainHeading(s string) string {
	s = headingIDRE.ReplaceAllString(s, "")
	return strings.TrimSpace(strings.NewReplacer("`", "", "*", "").Replace(s))
}

func (r *run) contentDir() string {
	if r.cfg.ContentDir != "" {
		return strings.TrimSuffix(path.Clean(strings.ReplaceAll(r.cfg.ContentDir, "\\", "/")), "/")
	}
	return "content"
}

// sitemapLimit is the most URLs one sitemap file may list.
var sitemapLimit = 50000

// writeSitemap writes sitemap.xml (an index of several files when the site
// has more pages than one sitemap may list) and robots.txt. An incremental
// build whose list of pages is the previous build's keeps them as they are.
func (r *run) writeSitemap() error {
	var all []string
	if r.out.cur != nil {
		prev := r.out.prevSeg(segSitemap)
		same := prev != nil && r.out.prev.siteKey == r.siteKey
		for name, p := range r.out.prev.segs {
			if c, ok := r.out.cur.segs[name]; name != segSitemap && (!ok || !slices.Equal(c.pages, p.pages)) {
				same = false
			}
		}
		for name, c := range r.out.cur.segs {
			if p, ok := r.out.prev.segs[name]; !ok || !slices.Equal(c.pages, p.pages) {
				same = false
			}
		}
		if same {
			r.out.carry(segSitemap)
			return nil
		}
		r.out.begin(segSitemap, 0, 0)
		for _, c := range r.out.cur.segs {
			all = append(all, c.pages...)
		}
	} else {
		for _, ps := range r.pages {
			all = append(all, ps...)
		}
	}
	abs := func(rel string) string { return r.site.Origin + r.href(rel) }
	sort.Strings(all)
	var files [][]string
	for i := 0; i < len(all); i += sitemapLimit {
		files = append(files, all[i:min(i+sitemapLimit, len(all))])
	}
	urlset := func(pages []string) []byte {
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
		for _, p := range pages {
			b.WriteString("<url><loc>")
			template.HTMLEscape(&b, []byte(abs(p)))
			b.WriteString("</loc></url>\n")
		}
		b.WriteString("</urlset>\n")
		return b.Bytes()
	}
	if len(files) <= 1 {
		if err := r.out.write(segSitemap, "sitemap.xml", urlset(all)); err != nil {
			return err
		}
	} else {
		var idx bytes.Buffer
		idx.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
		for i, f := range files {
			name := fmt.Sprintf("sitemap-%d.xml", i+1)
			if err := r.out.write(segSitemap, name, urlset(f)); err != nil {
				return err
			}
			idx.WriteString("<sitemap><loc>")
			template.HTMLEscape(&idx, []byte(abs(name)))
			idx.WriteString("</loc></sitemap>\n")
		}
		idx.WriteString("</sitemapindex>\n")
		if err := r.out.write(segSitemap, "sitemap.xml", idx.Bytes()); err != nil {
			return err
		}
	}
	robots := "User-agent: *\nAllow: /\n"
	if r.site.Origin != "" {
		// The Sitemap line must be an absolute URL: only possible when
		// --base-url gave the host.
		robots += "Sitemap: " + abs("sitemap.xml") + "\n"
	}
	return r.out.write(segSitemap, "robots.txt", []byte(robots))
}
