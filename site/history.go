package site

import (
	"sort"
	"strings"

	"github.com/atproto-nur/atproto-nur/changes"
	"github.com/atproto-nur/atproto-nur/indexer"
)

// The history of the site: a "What changed" page per release (changes/),
// marks on the pages of options and packages that changed, and the way
// from a renamed option's old address to its new one.

// history is what a build knows about changes between revisions.
type history struct {
	releases []*changes.Release
	marks    map[string][]changes.Mark // Document ID → marks, newest first
	// oldAnchors lists, per new option ID, the anchors of its old names
	// that lived on the same page: the option's section carries them too,
	// so an old link lands on it.
	oldAnchors map[string][]string
	// moved lists, per option page path, the old names whose anchors are
	// on that page but whose new names are elsewhere.
	moved map[string][]movedView
	// redirects are pages of old names whose page is gone.
	redirects []redirect
}

// movedView is an old option name on its old page, pointing to the new one.
type movedView struct {
	Anchor string
	Old    string
	New    link
}

type redirect struct {
	path string // the old page
	old  string
	to   link
}

// newHistory works out marks and redirects. docs are the documents with
// the invisible alias options still in them (renames come from those).
func newHistory(docs []indexer.Document, releases []*changes.Release, layout *Layout, modules []indexer.Module) *history {
	h := &history{releases: releases, marks: changes.Marks(releases), oldAnchors: map[string][]string{},
		moved: map[string][]movedView{}}
	renames := changes.Renames(docs, releases)
	olds := make([]string, 0, len(renames))
	for id := range renames {
		olds = append(olds, id)
	}
	sort.Strings(olds)
	byPath := map[string]*redirect{}
	for _, oldID := range olds {
		scope, oldName := splitOptionID(oldID)
		if layout.optionIn(scope, oldName) != nil {
			continue // the old name is a real option again
		}
		to := layout.optionIn(scope, renames[oldID])
		if to == nil {
			continue // renamed to something that is gone too
		}
		toURL := layout.URL(*to)
		prefix := oldPagePrefix(oldName, scope, layout, modules)
		oldPage := layout.OptionPageNamed(scope, prefix)
		switch {
		case oldPage != nil && oldPage.Path == layout.Path(*to):
			h.oldAnchors[to.ID] = append(h.oldAnchors[to.ID], anchorOf(oldName))
		case oldPage != nil:
			h.moved[oldPage.Path] = append(h.moved[oldPage.Path], movedView{Anchor: anchorOf(oldName), Old: oldName,
				New: link{Text: to.Name, Href: toURL}})
		default:
			p := ScopePrefix(scope) + "options/" + Slug(prefix) + "/"
			if _, taken := byPath[p]; taken || pageExists(layout, p) {
				continue
			}
			byPath[p] = &redirect{path: p, old: oldName, to: link{Text: to.Name, Href: toURL}}
			h.redirects = append(h.redirects, *byPath[p])
		}
	}
	return h
}

func pageExists(l *Layout, path string) bool {
	for _, p := range l.OptionPages {
		if p.Path == path {
			return true
		}
	}
	return false
}

// oldPagePrefix is the option page an old name was on: the longest page
// (or module) prefix of it that exists, else its module prefix
// (services.atproto.<app>) for this repository's options.
func oldPagePrefix(name, scope string, l *Layout, modules []indexer.Module) string {
	for p := name; ; {
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
		if l.OptionPageNamed(scope, p) != nil {
			return p
		}
	}
	best := ""
	for _, m := range modules {
		if strings.HasPrefix(name, m.OptionPrefix+".") && len(m.OptionPrefix) > len(best) {
			best = m.OptionPrefix
		}
	}
	if best != "" {
		return best
	}
	loc := indexer.SplitOptionPath(name)
	return strings.Join(loc[:min(3, max(len(loc)-1, 1))], ".")
}

// splitOptionID turns "opt:NixOS/a.b" into ("NixOS", "a.b") and
// "opt:a.b" into (PrimaryScope, "a.b").
func splitOptionID(id string) (string, string) {
	rest := strings.TrimPrefix(id, "opt:")
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[:i], rest[i+1:]
	}
	return indexer.PrimaryScope, rest
}

// markView is one mark as a page shows it.
type markView struct {
	Text   string
	Detail string
	Href   string // the release page, at the change
	Kind   string // added, renamed, default, …: a class for styling
}

func (r *run) marksOf(id string) []markView {
	if r.hist == nil {
		return nil
	}
	ms := r.hist.marks[id]
	out := make([]markView, 0, len(ms))
	for _, m := range ms {
		out = append(out, markView{Text: m.Text(), Detail: m.Detail(), Kind: string(m.Change.What),
			Href: r.href(changesPath(m.Release)) + "#" + changeAnchor(m.Change)})
	}
	return out
}

func changesPath(rel *changes.Release) string { return "changes/" + Slug(rel.Slug()) + "/" }

// changeAnchor is the fragment of a change's row on its release page.
func changeAnchor(c changes.Change) string {
	prefix := "opt-"
	if c.Kind == indexer.KindPackage {
		prefix = "pkg-"
	}
	if c.Scope != indexer.PrimaryScope {
		prefix += anchorOf(c.Scope) + "-"
	}
	return prefix + anchorOf(c.Name)
}

// changesData is a "What changed" page, or the list of them.
type changesData struct {
	Releases []listItem // the list page: every release, newest first
	Title    string
	Summary  string
	From, To string // where each side's data came from
	Breaking []changeRow
	Renamed  []changeRow
	Removed  []changeRow
	Added    []changeRow
	Changed  []changeRow // new type or default
	Reworded []changeRow // new description only
	Packages []changeRow
}

// changeRow is one option or package on a release page.
type changeRow struct {
	Anchor string
	Name   link
	Text   string // what changed
	Before string
	After  string
}

// changesJobs are the release pages and their list.
func (r *run) changesJobs() []job {
	if r.hist == nil || len(r.hist.releases) == 0 || r.th.pages["changes"] == nil {
		return nil
	}
	jobs := []job{{seg: segCore, path: "changes/", kind: "changes", build: func() *page {
		d := &changesData{}
		for _, rel := range r.hist.releases {
			d.Releases = append(d.Releases, listItem{Text: rel.Title(), Href: r.href(changesPath(rel)), Summary: rel.Report.Summary()})
		}
		return &page{Title: "What changed", Section: "changes", Changes: d,
			Description: "What changed in options and packages, release by release."}
	}}}
	for _, rel := range r.hist.releases {
		rel := rel
		jobs = append(jobs, job{seg: segCore, path: changesPath(rel), kind: "changes", build: func() *page { return r.releasePage(rel) }})
	}
	return jobs
}

func (r *run) releasePage(rel *changes.Release) *page {
	d := &changesData{Title: rel.Title(), Summary: rel.Report.Summary(), From: rel.FromSource, To: rel.ToSource}
	nameLink := func(c changes.Change) link {
		var doc *indexer.Document
		if c.Kind == indexer.KindPackage {
			doc = r.layout.packageIn(c.Scope, c.Name)
		} else {
			doc = r.layout.optionIn(c.Scope, c.Name)
		}
		l := link{Text: c.Name}
		if c.Scope != indexer.PrimaryScope {
			l.Text += " (" + c.Scope + ")"
		}
		if doc != nil && c.What != changes.Removed {
			l.Href = r.href(r.layout.URL(*doc))
		}
		return l
	}
	for _, c := range rel.Report.Changes {
		row := changeRow{Anchor: changeAnchor(c), Name: nameLink(c), Text: changes.Describe(c)}
		switch {
		case c.Kind == indexer.KindPackage:
			d.Packages = append(d.Packages, row)
		case c.What == changes.Removed && c.Helper == changes.NoHelper && !c.Internal && !c.Open:
			row.Text = "removed without a migration helper: configurations that set it stop evaluating"
			if c.Suggest != "" {
				row.Text += "; perhaps it is now " + c.Suggest
			}
			d.Breaking = append(d.Breaking, row)
		case c.What == changes.Removed:
			d.Removed = append(d.Removed, row)
		case c.What == changes.Renamed:
			row.Text = "renamed from " + c.Before + " (" + string(c.Helper) + ")"
			d.Renamed = append(d.Renamed, row)
		case c.What == changes.Added && row.Name.Href == "":
			// Not on the site (an invisible option): nothing to show.
		case c.What == changes.Added:
			row.Text = c.After
			d.Added = append(d.Added, row)
		case c.What == changes.Description:
			row.Text = "description changed"
			d.Reworded = append(d.Reworded, row)
		default:
			row.Text = string(c.What)
			row.Before, row.After = oneLineValue(c.Before), oneLineValue(c.After)
			d.Changed = append(d.Changed, row)
		}
	}
	// An option with several changes keeps one anchor: its first row.
	seen := map[string]bool{}
	for _, rows := range [][]changeRow{d.Breaking, d.Renamed, d.Removed, d.Changed, d.Added, d.Reworded, d.Packages} {
		for i := range rows {
			if seen[rows[i].Anchor] {
				rows[i].Anchor = ""
			}
			seen[rows[i].Anchor] = true
		}
	}
	return &page{Title: rel.Title(), Section: "changes", Changes: d,
		Crumbs:      []link{{Text: "What changed", Href: r.href("changes/")}},
		Description: rel.Title() + ": " + d.Summary + "."}
}

// oneLineValue shortens a default or type for a table cell.
func oneLineValue(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "none"
	}
	if r := []rune(s); len(r) > 120 {
		return string(r[:119]) + "…"
	}
	return s
}

// redirectJobs are the pages at the old addresses of renamed options
// whose page is gone.
func (r *run) redirectJobs() []job {
	if r.hist == nil || r.th.pages["redirect"] == nil {
		return nil
	}
	var jobs []job
	for _, rd := range r.hist.redirects {
		rd := rd
		jobs = append(jobs, job{seg: segCore, path: rd.path, kind: "redirect", noMap: true, build: func() *page {
			to := link{Text: rd.to.Text, Href: r.href(rd.to.Href)}
			return &page{Title: rd.old + " was renamed", Section: "options", Refresh: to.Href,
				Canonical: r.site.Origin + to.Href, Redirect: &redirectData{Old: rd.old, New: to}}
		}})
	}
	return jobs
}

type redirectData struct {
	Old string
	New link
}
