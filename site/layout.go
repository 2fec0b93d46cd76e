package site

import (
	"sort"
	"strings"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// maxGroup is the number of options above which a group that is not a
// module of its own is split by the next path segment, and a module nested
// in another is given a page of its own. It keeps pages of big option
// sets (all of NixOS) readable.
const maxGroup = 250

// Layout decides where every Document lives in the site. It is computed
// from the whole document set because option pages group options of one
// module together; each scope is laid out on its own, so a build whose
// documents changed in one scope reuses the others' layouts.
type Layout struct {
	Scopes      []string // primary first, then in order of appearance
	OptionPages []*OptionPage
	scopes      map[string]*scopeLayout
	guidePages  map[string]string // guide Document ID → page path
}

// scopeLayout is where the options and packages of one scope live.
type scopeLayout struct {
	pages       map[string]string // Document ID → page path ("options/x/")
	anchors     map[string]string // option Document ID → fragment on its page
	optPage     map[string]*OptionPage
	pageByName  map[string]*OptionPage       // option prefix → page
	byName      map[string]*indexer.Document // option name → doc
	pkgByName   map[string]*indexer.Document // package attribute → doc
	optionPages []*OptionPage                // sorted by name
}

// OptionPage is one page of the option reference: the options of one
// module (or one group of a large option set).
type OptionPage struct {
	Scope   string
	Name    string // the common option prefix: "services.atproto.pds"
	Path    string // site-relative: "options/services.atproto.pds/"
	Options []*indexer.Document
}

// ScopePrefix is the site-relative folder of a scope's pages: "" for the
// primary scope, "scope/<slug>/" for the others.
func ScopePrefix(scope string) string {
	if scope == indexer.PrimaryScope || scope == "" {
		return ""
	}
	return "scope/" + Slug(scope) + "/"
}

// NewLayout places docs. modulePrefixes are option prefixes known to be
// modules (from the docs export); other modules are recognised by their
// "enable" option.
func NewLayout(docs []indexer.Document, modulePrefixes []string) *Layout {
	in := &Inputs{Docs: docs}
	var guides []*indexer.Document
	for i := range docs {
		if docs[i].Kind == indexer.KindGuide {
			guides = append(guides, &docs[i])
		}
	}
	order, scopes := groupScopes(in)
	return layoutScopes(order, scopes, modulePrefixes, guides, nil, nil)
}

// layoutScopes lays out every scope, reusing the layout of prev for the
// scopes keep accepts (their documents are the ones prev placed).
func layoutScopes(order []string, scopes map[string]*scopeDocs, modulePrefixes []string, guides []*indexer.Document,
	prev *Layout, keep func(scope string) bool) *Layout {
	l := &Layout{scopes: map[string]*scopeLayout{}, guidePages: map[string]string{}}
	l.Scopes = append(l.Scopes, order...)
	sort.SliceStable(l.Scopes, func(i, j int) bool {
		return l.Scopes[i] == indexer.PrimaryScope && l.Scopes[j] != indexer.PrimaryScope
	})
	for _, scope := range l.Scopes {
		if prev != nil && keep != nil && keep(scope) && prev.scopes[scope] != nil {
			l.scopes[scope] = prev.scopes[scope]
		} else {
			var prefixes []string
			if scope == indexer.PrimaryScope {
				prefixes = modulePrefixes
			}
			l.scopes[scope] = newScopeLayout(scope, scopes[scope], prefixes)
		}
		l.OptionPages = append(l.OptionPages, l.scopes[scope].optionPages...)
	}
	for _, d := range guides {
		l.guidePages[d.ID] = GuidePath(d.Name)
	}
	return l
}

// newScopeLayout places the options and packages of one scope.
func newScopeLayout(scope string, sd *scopeDocs, modulePrefixes []string) *scopeLayout {
	sl := &scopeLayout{
		pages:      make(map[string]string, len(sd.opts)+len(sd.pkgs)),
		optPage:    map[string]*OptionPage{},
		pageByName: map[string]*OptionPage{},
		anchors:    map[string]string{},
		byName:     make(map[string]*indexer.Document, len(sd.opts)),
		pkgByName:  make(map[string]*indexer.Document, len(sd.pkgs)),
	}
	for _, d := range sd.opts {
		sl.byName[d.Name] = d
	}
	for _, d := range sd.pkgs {
		sl.pkgByName[d.Name] = d
		sl.pages[d.ID] = packagePath(scope, d.Name)
	}
	// Package slugs may collide after sanitising ("a b" and "a_b"); the
	// later one gets a hash suffix.
	used := map[string]string{}
	names := make([]string, 0, len(sl.pkgByName))
	for n := range sl.pkgByName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		d := sl.pkgByName[n]
		p := sl.pages[d.ID]
		if other, ok := used[p]; ok && other != n {
			p = packagePath(scope, n+"-"+shortHash(n))
			sl.pages[d.ID] = p
		}
		used[p] = n
	}
	sl.groupOptions(scope, sd.opts, modulePrefixes)
	return sl
}

// packagePath is the page of a package: a file, not a folder, because a
// catalogue of 100,000 packages would otherwise cost 100,000 folders
// (measured: creating them was a third of the build's system time).
// Static hosts serve packages/hello for packages/hello.html as well.
func packagePath(scope, attr string) string {
	s := Slug(attr)
	if s == "index" { // packages/index.html is the package list
		s = "index_"
	}
	return ScopePrefix(scope) + "packages/" + s + ".html"
}

// GuidePath is the site-relative folder of a guide.
func GuidePath(slug string) string {
	if slug == "" {
		return "guides/"
	}
	segs := strings.Split(slug, "/")
	for i, s := range segs {
		segs[i] = Slug(s)
	}
	return "guides/" + strings.Join(segs, "/") + "/"
}

func isPlaceholder(seg string) bool {
	return strings.HasPrefix(seg, "<") || seg == "*" || seg == ""
}

// groupOptions assigns every option of a scope to a page. A page is a
// module — a prefix with an "enable" option, or a prefix the export names
// as a module — or, for options outside any module, the first two path
// segments, split further while a group exceeds maxGroup.
func (l *scopeLayout) groupOptions(scope string, opts []*indexer.Document, modulePrefixes []string) {
	if len(opts) == 0 {
		return
	}
	roots := map[string]bool{}
	if scope == indexer.PrimaryScope {
		for _, p := range modulePrefixes {
			roots[p] = true
		}
	}
	for _, d := range opts {
		loc := d.Option.Loc
		if len(loc) >= 2 && loc[len(loc)-1] == "enable" {
			prefix := loc[:len(loc)-1]
			ok := true
			for _, s := range prefix {
				if isPlaceholder(s) {
					ok = false
					break
				}
			}
			if ok {
				roots[strings.Join(prefix, ".")] = true
			}
		}
	}
	// Deepest module root that is a proper prefix of each option.
	rootOf := func(loc []string) string {
		for k := len(loc) - 1; k >= 1; k-- {
			p := strings.Join(loc[:k], ".")
			if roots[p] {
				return p
			}
		}
		return ""
	}
	assign := make(map[*indexer.Document]string, len(opts))
	count := map[string]int{}
	for _, d := range opts {
		r := rootOf(d.Option.Loc)
		assign[d] = r
		if r != "" {
			count[r]++
		}
	}
	// Fold nested modules (services.gitlab.backup inside services.gitlab)
	// into their parent while the parent stays small: a module reads best
	// on one page.
	nested := make([]string, 0, len(count))
	for r := range count {
		nested = append(nested, r)
	}
	// Deepest first, then by name: which siblings fit into their parent
	// depends on this order, so it must not follow map iteration (the
	// same options gave different pages from build to build).
	sort.Slice(nested, func(i, j int) bool {
		di, dj := strings.Count(nested[i], "."), strings.Count(nested[j], ".")
		if di != dj {
			return di > dj
		}
		return nested[i] < nested[j]
	})
	merged := map[string]string{}
	for _, r := range nested {
		loc := indexer.SplitOptionPath(r)
		parent := rootOf(loc)
		if parent == "" || count[parent] == 0 {
			continue
		}
		if count[parent]+count[r] <= maxGroup {
			count[parent] += count[r]
			merged[r] = parent
			count[r] = 0
		}
	}
	resolve := func(r string) string {
		for {
			p, ok := merged[r]
			if !ok {
				return r
			}
			r = p
		}
	}
	groups := map[string][]*indexer.Document{}
	var loose []*indexer.Document
	for _, d := range opts {
		if r := assign[d]; r != "" {
			r = resolve(r)
			groups[r] = append(groups[r], d)
		} else {
			loose = append(loose, d)
		}
	}
	splitLoose(loose, 2, groups)
	used := map[string]string{}
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := ScopePrefix(scope) + "options/" + Slug(n) + "/"
		if other, ok := used[p]; ok && other != n {
			p = ScopePrefix(scope) + "options/" + Slug(n+"-"+shortHash(n)) + "/"
		}
		used[p] = n
		page := &OptionPage{Scope: scope, Name: n, Path: p, Options: groups[n]}
		sort.Slice(page.Options, func(i, j int) bool { return page.Options[i].Name < page.Options[j].Name })
		l.optionPages = append(l.optionPages, page)
		l.pageByName[n] = page
		taken := map[string]bool{}
		for _, d := range page.Options {
			l.pages[d.ID] = p
			l.optPage[d.ID] = page
			a := anchorOf(d.Name)
			for i := 2; taken[a]; i++ {
				a = anchorOf(d.Name) + "-" + itoa(i)
			}
			taken[a] = true
			l.anchors[d.ID] = a
		}
	}
}

// splitLoose groups options outside modules by their first depth segments,
// going one segment deeper for groups still too big.
func splitLoose(opts []*indexer.Document, depth int, groups map[string][]*indexer.Document) {
	by := map[string][]*indexer.Document{}
	var order []string
	for _, d := range opts {
		loc := d.Option.Loc
		k := min(depth, len(loc)-1)
		if k < 1 {
			k = 1
		}
		key := strings.Join(loc[:k], ".")
		if _, ok := by[key]; !ok {
			order = append(order, key)
		}
		by[key] = append(by[key], d)
	}
	for _, key := range order {
		g := by[key]
		deeper := false
		if len(g) > maxGroup {
			for _, d := range g {
				if len(d.Option.Loc)-1 > depth {
					deeper = true
					break
				}
			}
		}
		if deeper {
			var shallow, deep []*indexer.Document
			for _, d := range g {
				if len(d.Option.Loc)-1 > depth {
					deep = append(deep, d)
				} else {
					shallow = append(shallow, d)
				}
			}
			groups[key] = append(groups[key], shallow...)
			splitLoose(deep, depth+1, groups)
			continue
		}
		groups[key] = append(groups[key], g...)
	}
}

// withGuides is the layout with its guides replaced: where options and
// packages go does not depend on the guides, so a guide edit reuses the
// rest of the layout as it is.
func (l *Layout) withGuides(guides []*indexer.Document) *Layout {
	c := *l
	c.guidePages = make(map[string]string, len(guides))
	for _, d := range guides {
		c.guidePages[d.ID] = GuidePath(d.Name)
	}
	return &c
}

// page is the page path of a document, "" when it has none.
func (l *Layout) page(d *indexer.Document) (string, bool) {
	if d.Kind == indexer.KindGuide {
		p, ok := l.guidePages[d.ID]
		return p, ok
	}
	sl := l.scopes[d.Scope]
	if sl == nil {
		return "", false
	}
	p, ok := sl.pages[d.ID]
	return p, ok
}

// Path is the site-relative page path of a document (no anchor).
func (l *Layout) Path(d indexer.Document) string {
	p, _ := l.page(&d)
	return p
}

// URL is the site-relative URL of a document, with the option's anchor:
// "options/services.atproto.pds/#services.atproto.pds.enable". Prefix it
// with the base URL to link to it. Search index writers take this method
// as their url function.
func (l *Layout) URL(d indexer.Document) string {
	p, ok := l.page(&d)
	if !ok {
		return ""
	}
	if d.Kind == indexer.KindOption {
		return p + "#" + l.Anchor(d)
	}
	return p
}

// Anchor is the fragment of an option on its page.
func (l *Layout) Anchor(d indexer.Document) string {
	if sl := l.scopes[d.Scope]; sl != nil {
		return sl.anchors[d.ID]
	}
	return ""
}

// Option finds an option by name, in scope first, then in the primary
// scope, then anywhere.
func (l *Layout) Option(scope, name string) *indexer.Document {
	if sl := l.scopes[scope]; sl != nil {
		if d := sl.byName[name]; d != nil {
			return d
		}
	}
	if sl := l.scopes[indexer.PrimaryScope]; sl != nil {
		if d := sl.byName[name]; d != nil {
			return d
		}
	}
	for _, s := range l.Scopes {
		if d := l.scopes[s].byName[name]; d != nil {
			return d
		}
	}
	return nil
}

// Package finds a package by attribute like Option finds options.
func (l *Layout) Package(scope, attr string) *indexer.Document {
	attr = strings.TrimPrefix(attr, "pkgs.")
	if sl := l.scopes[scope]; sl != nil {
		if d := sl.pkgByName[attr]; d != nil {
			return d
		}
	}
	if sl := l.scopes[indexer.PrimaryScope]; sl != nil {
		if d := sl.pkgByName[attr]; d != nil {
			return d
		}
	}
	for _, s := range l.Scopes {
		if d := l.scopes[s].pkgByName[attr]; d != nil {
			return d
		}
	}
	return nil
}

// OptionPageNamed finds the page of an option prefix ("services.atproto.pds"),
// so {option}`services.atproto.pds` can link to the module's page.
func (l *Layout) OptionPageNamed(scope, name string) *OptionPage {
	if sl := l.scopes[scope]; sl != nil {
		return sl.pageByName[name]
	}
	return nil
}

// optionIn is the option of that name in scope, nil when it has none.
func (l *Layout) optionIn(scope, name string) *indexer.Document {
	if sl := l.scopes[scope]; sl != nil {
		return sl.byName[name]
	}
	return nil
}

// packageIn is the package of that attribute in scope, nil when none.
func (l *Layout) packageIn(scope, attr string) *indexer.Document {
	if sl := l.scopes[scope]; sl != nil {
		return sl.pkgByName[attr]
	}
	return nil
}
