package changes

import (
	"strings"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// Revision is one point of the history the site shows: a release (or any
// revision) with its documents.
type Revision struct {
	Name   string // as pages name it: "0.3.0" for the tag v0.3.0
	Source string // where its data came from, for the page
	Docs   []indexer.Document
}

// Release is what changed up to one release: from the revision before it.
// The last Release of a History is usually the changes since the newest
// release, not released yet.
type Release struct {
	Name       string // "0.3.0"; "" for the changes since the last release
	Since      string // the release before: "0.2.0"
	FromSource string
	ToSource   string
	Report     *Report
}

// Title is the page title: "What changed in 0.3.0", "What changed since 0.3.0".
func (r *Release) Title() string {
	return "What changed " + r.Phrase()
}

// Phrase is how marks name the release: "in 0.3.0", or "since 0.3.0" for
// changes not released yet.
func (r *Release) Phrase() string {
	if r.Name == "" {
		return "since " + r.Since
	}
	return "in " + r.Name
}

// Slug is the release's path segment: its name, or "unreleased".
func (r *Release) Slug() string {
	if r.Name == "" {
		return "unreleased"
	}
	return r.Name
}

// History compares consecutive revisions, oldest first: revs[i-1] to
// revs[i] for every i, then the newest to current (the working tree,
// sourced from currentSource) as the changes not released yet. It returns
// the newest first.
func History(revs []Revision, current []indexer.Document, currentSource string) []*Release {
	var out []*Release
	for i := 1; i < len(revs); i++ {
		out = append(out, &Release{Name: revs[i].Name, Since: revs[i-1].Name, FromSource: revs[i-1].Source,
			ToSource: revs[i].Source, Report: Compare(revs[i-1].Docs, revs[i].Docs)})
	}
	if n := len(revs); n > 0 {
		out = append(out, &Release{Since: revs[n-1].Name, FromSource: revs[n-1].Source, ToSource: currentSource,
			Report: Compare(revs[n-1].Docs, current)})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// ReleaseName is how a revision is named on pages: a tag v0.3.0 as 0.3.0,
// anything else as given.
func ReleaseName(rev string) string {
	if len(rev) > 1 && rev[0] == 'v' && rev[1] >= '0' && rev[1] <= '9' {
		return rev[1:]
	}
	return rev
}

// Mark is a short note on an option's or package's page about one change:
// "new in 0.3.0", "default changed in 0.4.0".
type Mark struct {
	Release *Release
	Change  Change
}

// Text is the mark's words: "new in 0.3.0", "renamed in 0.3.0 from a.b",
// "default changed in 0.4.0".
func (m Mark) Text() string {
	p := m.Release.Phrase()
	c := m.Change
	switch c.What {
	case Added:
		return "new " + p
	case Renamed:
		return "renamed " + p + " from " + c.Before
	case Default:
		return "default changed " + p
	case Type:
		return "type changed " + p
	case Version:
		return "version " + c.After + " " + p
	case License:
		return "licence changed " + p
	case VulnsAdded:
		return "known vulnerability added " + p
	case VulnsClear:
		return "known vulnerability cleared " + p
	case MainProgram:
		return "main program changed " + p
	}
	return string(c.What) + " " + p
}

// Detail is what the mark leaves out, "" when nothing: "was 3000, now
// 2583" for a default or type.
func (m Mark) Detail() string {
	c := m.Change
	switch c.What {
	case Default, Type, License, MainProgram:
		return "was " + oneLine(c.Before) + ", now " + oneLine(c.After)
	case Version:
		return "was " + orNone(c.Before)
	case VulnsAdded:
		return c.After
	case VulnsClear:
		return c.Before
	}
	return ""
}

// Marks gathers, per Document ID, the marks of its changes across the
// history, newest release first. Descriptions changes and removals get no
// mark: the first is noise on a page, the second has no page.
func Marks(history []*Release) map[string][]Mark {
	out := map[string][]Mark{}
	for _, r := range history {
		for _, c := range r.Report.Changes {
			if c.What == Description || c.What == Removed {
				continue
			}
			out[c.ID()] = append(out[c.ID()], Mark{Release: r, Change: c})
		}
	}
	return out
}

// Since is the short form of a document's newest mark, for search
// results: "new in 0.3.0", "default changed since 0.3.0".
func Since(marks []Mark) string {
	if len(marks) == 0 {
		return ""
	}
	return marks[0].Text()
}

// Renames maps each old option ID to its new name, from the aliases in
// docs (the current evaluation keeps doRename's alias options) and the
// renames of the history: pages of renamed options redirect to their new
// names.
func Renames(docs []indexer.Document, history []*Release) map[string]string {
	out := map[string]string{}
	for i := range docs {
		d := &docs[i]
		if d.Option == nil {
			continue
		}
		if ro, to := roleOf(d.Option); ro == aliasStub && !strings.EqualFold(to, d.Name) {
			out[d.ID] = to
		}
	}
	for _, r := range history {
		for _, c := range r.Report.Changes {
			if c.What == Renamed {
				if _, ok := out[indexer.OptionID(c.Scope, c.Before)]; !ok {
					out[indexer.OptionID(c.Scope, c.Before)] = c.Name
				}
			}
		}
	}
	return out
}
