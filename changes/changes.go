// Package changes compares two evaluations of option and package sets and
// says what changed between them: options added, removed, renamed (through
// an alias such as mkRenamedOptionModule declares), with a new default,
// type or description; packages added, removed, with a new version,
// licence, main program, or known vulnerabilities added or cleared.
//
// The comparison is a pure function of two Document lists (stable IDs), so
// it works on two evaluations of this repository as on any two
// options.json files (NixOS, home-manager). Reading a revision is the
// caller's job (indexer.LoadRevision).
//
// # How a rename is told from a removal
//
// nixpkgs' lib/modules.nix leaves a trace of every migration helper in the
// option set, and the export keeps invisible options:
//
//   - mkRenamedOptionModule and mkAliasOptionModule (doRename) declare the
//     old name as an option described "Alias of {option}`new.name`.",
//     invisible for a rename, visible for an alias;
//   - mkRemovedOptionModule declares the old name invisible, without a
//     description, default or type (its apply throws the reason);
//   - mkChangedOptionModule and mkMergedOptionModule declare it invisible
//     with the default "_mkMergedOptionModule".
//
// An option gone at the later revision with none of these in its place is
// a removal nobody migrates: Report.Unmigrated lists them.
package changes

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/indexer/nixexpr"
)

// What is the kind of one change.
type What string

const (
	Added       What = "added"
	Removed     What = "removed"
	Renamed     What = "renamed"
	Default     What = "default"     // option default changed
	Type        What = "type"        // option type changed
	Description What = "description" // option description changed (white space ignored)
	Version     What = "version"
	License     What = "license"
	VulnsAdded  What = "vulnerabilities-added"
	VulnsClear  What = "vulnerabilities-cleared"
	MainProgram What = "main-program"
)

// Helper names the nixpkgs function whose trace covers a removed or
// renamed option.
type Helper string

const (
	NoHelper        Helper = ""
	RenamedHelper   Helper = "mkRenamedOptionModule"
	AliasHelper     Helper = "mkAliasOptionModule"
	RemovedHelper   Helper = "mkRemovedOptionModule"
	ChangedHelper   Helper = "mkChangedOptionModule"
	helperAliasText        = "Alias of {option}`"
)

// Change is one fact that differs between two revisions.
type Change struct {
	Kind  indexer.Kind `json:"kind"`  // option or package
	Scope string       `json:"scope"` // input set: "atproto", "NixOS", …
	// Name is the option or package at the later revision; for a removal,
	// at the earlier one. A rename's old name is in Before.
	Name   string `json:"name"`
	What   What   `json:"what"`
	Before string `json:"before,omitempty"` // the old value, as text (a default as Nix)
	After  string `json:"after,omitempty"`
	// Helper is what covers a removal or rename: an alias, a removal or a
	// changed-option stub. Empty on a removal means nothing does.
	Helper Helper `json:"helper,omitempty"`
	// File is where the option was declared (at the earlier revision for
	// a removal) or where the package is defined, repository-relative.
	File string `json:"file,omitempty"`
	// Internal marks options users are not meant to set (internal,
	// read-only or invisible): their removal needs no migration helper.
	Internal bool `json:"internal,omitempty"`
	// Suggest names, for a removal without a helper, an option added at
	// the later revision that looks like its new name (same type and
	// description, or the same last name part in the same module).
	Suggest string `json:"suggest,omitempty"`
	// Within names, for a removal without a helper, the submodule option
	// the removed one was part of ("services.atproto.tap.settings"): the
	// top-level helpers cannot declare a name inside it. Open says that
	// submodule is open (freeform), so a configuration that sets the old
	// key still evaluates; the module decides what it does with it.
	Within string `json:"within,omitempty"`
	Open   bool   `json:"open,omitempty"`
}

// ID is the stable Document ID of what changed (the later name).
func (c Change) ID() string {
	if c.Kind == indexer.KindPackage {
		return indexer.PackageID(c.Scope, c.Name)
	}
	return indexer.OptionID(c.Scope, c.Name)
}

// Report is every change between two revisions, options first, each part
// sorted by name and then kind of change.
type Report struct {
	Changes []Change `json:"changes"`
}

// Unmigrated lists the removals that break configurations: options users
// set that are gone with no alias, removal or changed-option stub in their
// place.
func (r *Report) Unmigrated() []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.Kind == indexer.KindOption && c.What == Removed && c.Helper == NoHelper && !c.Internal && !c.Open {
			out = append(out, c)
		}
	}
	return out
}

// PassedThrough lists the removals of keys of open (freeform) submodules,
// such as a service's settings: a configuration setting one still
// evaluates, and the module passes the key on or warns about it.
func (r *Report) PassedThrough() []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.Kind == indexer.KindOption && c.What == Removed && c.Helper == NoHelper && !c.Internal && c.Open {
			out = append(out, c)
		}
	}
	return out
}

// Count counts the changes of one kind.
func (r *Report) Count(kind indexer.Kind, what What) int {
	n := 0
	for _, c := range r.Changes {
		if c.Kind == kind && c.What == what {
			n++
		}
	}
	return n
}

// Compare computes what changed from before to after. Documents of other
// kinds (guides) are ignored; scopes are compared separately by ID.
func Compare(before, after []indexer.Document) *Report {
	r := &Report{}
	r.Changes = append(r.Changes, compareOptions(before, after)...)
	r.Changes = append(r.Changes, comparePackages(before, after)...)
	slices.SortStableFunc(r.Changes, func(a, b Change) int {
		if a.Kind != b.Kind {
			if a.Kind == indexer.KindOption {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.Scope, b.Scope); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return whatOrder(a.What) - whatOrder(b.What)
	})
	return r
}

// whatOrder is the order of a name's changes in a report.
func whatOrder(w What) int {
	switch w {
	case Added:
		return 0
	case Renamed:
		return 1
	case Removed:
		return 2
	case Type:
		return 3
	case Default:
		return 4
	case Description:
		return 5
	case Version:
		return 6
	case License:
		return 7
	case VulnsAdded:
		return 8
	case VulnsClear:
		return 9
	}
	return 10
}

// role is what an option entry is: a real option or the trace a
// migration helper left.
type role int

const (
	realOption  role = iota
	aliasStub        // doRename: "Alias of {option}`to`."
	removedStub      // mkRemovedOptionModule
	changedStub      // mkChangedOptionModule / mkMergedOptionModule
)

var aliasRE = regexp.MustCompile("^Alias of \\{option\\}`([^`]+)`\\.?$")

// roleOf classifies an option entry; for an alias it also returns the
// option it points to.
func roleOf(o *indexer.Option) (role, string) {
	desc := strings.TrimSpace(o.Description)
	if strings.HasPrefix(desc, helperAliasText) {
		if m := aliasRE.FindStringSubmatch(desc); m != nil {
			return aliasStub, m[1]
		}
	}
	if !o.Visible && o.Default != nil && strings.Contains(o.Default.Text+string(o.Default.JSON), "_mkMergedOptionModule") {
		return changedStub, ""
	}
	// lib calls the stub's type "unspecified" or, since 2025, "unspecified value".
	if !o.Visible && desc == "" && o.Default == nil && (o.Type == "" || strings.HasPrefix(o.Type, "unspecified")) {
		return removedStub, ""
	}
	return realOption, ""
}

type optEntry struct {
	d      *indexer.Document
	role   role
	target string
}

func indexOptions(docs []indexer.Document) map[string]optEntry {
	m := make(map[string]optEntry, len(docs))
	for i := range docs {
		d := &docs[i]
		if d.Kind != indexer.KindOption || d.Option == nil {
			continue
		}
		ro, target := roleOf(d.Option)
		m[d.ID] = optEntry{d: d, role: ro, target: target}
	}
	return m
}

func compareOptions(before, after []indexer.Document) []Change {
	b, a := indexOptions(before), indexOptions(after)
	var out []Change
	renamedTo := map[string]bool{} // IDs that are the new name of a renamed option
	var removed []int              // indexes in out of removals without a helper
	for id, eb := range b {
		if eb.role != realOption {
			continue
		}
		d := eb.d
		ea, ok := a[id]
		if ok && ea.role == realOption {
			out = appendOptionDiff(out, d.Scope, d.Name, d.Option, ea.d.Option)
			continue
		}
		c := Change{Kind: indexer.KindOption, Scope: d.Scope, Name: d.Name, What: Removed,
			File: declFile(d.Option), Internal: d.Option.Internal || d.Option.ReadOnly || !d.Option.Visible}
		if ok {
			switch ea.role {
			case aliasStub:
				to := indexer.OptionID(d.Scope, ea.target)
				renamedTo[to] = true
				c.What, c.Name, c.Before, c.After = Renamed, ea.target, d.Name, ea.target
				c.Helper = RenamedHelper
				if ea.d.Option.Visible {
					c.Helper = AliasHelper
				}
				out = append(out, c)
				if t, ok := a[to]; ok && t.role == realOption {
					// What else differs between the old option and its new
					// name (a rename often comes with a new type).
					var diff []Change
					diff = appendOptionDiff(diff, d.Scope, ea.target, d.Option, t.d.Option)
					for _, dc := range diff {
						if dc.What != Description {
							out = append(out, dc)
						}
					}
				}
				continue
			case removedStub:
				c.Helper = RemovedHelper
			case changedStub:
				c.Helper = ChangedHelper
			}
		}
		if c.Helper == NoHelper {
			removed = append(removed, len(out))
			c.Within, c.Open = enclosingSubmodule(d.Option.Loc, d.Scope, b)
		}
		out = append(out, c)
	}
	var added []*indexer.Document
	for id, ea := range a {
		if ea.role != realOption || renamedTo[id] {
			continue
		}
		if eb, ok := b[id]; ok && eb.role == realOption {
			continue
		}
		d := ea.d
		if !d.Option.Visible {
			continue // not documented (nixosOptionsDoc leaves it out too)
		}
		added = append(added, d)
		out = append(out, Change{Kind: indexer.KindOption, Scope: d.Scope, Name: d.Name, What: Added,
			After: d.Option.Type, File: declFile(d.Option), Internal: d.Option.Internal || d.Option.ReadOnly})
	}
	suggestRenames(out, removed, added, b)
	return out
}

// suggestRenames names, for each removal without a helper, an added option
// that is probably its new name: first one with the same type and the same
// description, else one in the same module whose last name part is the
// same. Each added option is suggested once.
func suggestRenames(out []Change, removed []int, added []*indexer.Document, before map[string]optEntry) {
	if len(removed) == 0 || len(added) == 0 {
		return
	}
	// Map order is random: sort both sides so the suggestions are the same
	// on every run.
	sort.Slice(removed, func(i, j int) bool { return out[removed[i]].ID() < out[removed[j]].ID() })
	sort.Slice(added, func(i, j int) bool { return added[i].ID < added[j].ID })
	type key struct{ scope, typ, desc string }
	byContent := map[key][]*indexer.Document{}
	byLast := map[string][]*indexer.Document{} // scope, module prefix, last part
	for _, d := range added {
		k := key{d.Scope, d.Option.Type, normalizeSpace(d.Option.Description)}
		byContent[k] = append(byContent[k], d)
		lk := d.Scope + "\x00" + modulePrefix(d.Option.Loc) + "\x00" + lastOf(d.Option.Loc)
		byLast[lk] = append(byLast[lk], d)
	}
	used := map[string]bool{}
	pick := func(ds []*indexer.Document) string {
		for _, d := range ds {
			if !used[d.ID] {
				used[d.ID] = true
				return d.Name
			}
		}
		return ""
	}
	for _, i := range removed {
		c := &out[i]
		o := before[indexer.OptionID(c.Scope, c.Name)].d.Option
		if o.Description != "" {
			c.Suggest = pick(byContent[key{c.Scope, o.Type, normalizeSpace(o.Description)}])
		}
		if c.Suggest == "" {
			c.Suggest = pick(byLast[c.Scope+"\x00"+modulePrefix(o.Loc)+"\x00"+lastOf(o.Loc)])
		}
	}
}

// enclosingSubmodule finds the nearest option of the earlier revision
// that loc lies inside (a submodule option, "services.atproto.tap.settings"
// for its settings.TAP_ENV), and whether it is open: lib describes a
// freeform submodule's type as "open submodule of …".
func enclosingSubmodule(loc []string, scope string, before map[string]optEntry) (string, bool) {
	for i := len(loc) - 1; i > 0; i-- {
		name := showOption(loc[:i])
		if e, ok := before[indexer.OptionID(scope, name)]; ok && e.role == realOption {
			return name, strings.HasPrefix(e.d.Option.Type, "open submodule")
		}
	}
	return "", false
}

// showOption writes a loc as lib.showOption does: parts joined by dots,
// quoted when they are not plain identifiers.
func showOption(loc []string) string {
	parts := make([]string, len(loc))
	for i, p := range loc {
		if p == "*" || optionPartRE.MatchString(p) || len(p) > 2 && p[0] == '<' && p[len(p)-1] == '>' {
			parts[i] = p
		} else {
			parts[i] = strconv.Quote(p)
		}
	}
	return strings.Join(parts, ".")
}

var optionPartRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_'-]*$`)

// modulePrefix is the part of an option path that names its module:
// services.atproto.pds for services.atproto.pds.settings.PDS_PORT, the
// first three parts in general.
func modulePrefix(loc []string) string {
	return strings.Join(loc[:min(3, max(len(loc)-1, 0))], ".")
}

func lastOf(loc []string) string {
	if len(loc) == 0 {
		return ""
	}
	return loc[len(loc)-1]
}

func appendOptionDiff(out []Change, scope, name string, before, after *indexer.Option) []Change {
	mk := func(w What, b, a string) Change {
		return Change{Kind: indexer.KindOption, Scope: scope, Name: name, What: w, Before: b, After: a,
			File: declFile(after), Internal: after.Internal || after.ReadOnly}
	}
	if before.Type != after.Type {
		out = append(out, mk(Type, before.Type, after.Type))
	}
	if !sameValue(before.Default, after.Default) {
		out = append(out, mk(Default, ValueText(before.Default), ValueText(after.Default)))
	}
	if !equalIgnoringSpace(before.Description, after.Description) {
		out = append(out, mk(Description, "", ""))
	}
	return out
}

func declFile(o *indexer.Option) string {
	for _, d := range o.Declarations {
		if d.Name != "" {
			return d.Name
		}
	}
	return ""
}

// sameValue compares two defaults as written: the same kind and text, or
// the same JSON value (compared as text; nixosOptionsDoc writes JSON
// canonically).
func sameValue(a, b *indexer.Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Kind == b.Kind && a.Text == b.Text && string(a.JSON) == string(b.JSON)
}

// ValueText shows a default or example as one string: Nix source or
// Markdown as written, a JSON value as the equivalent Nix. nil is "".
func ValueText(v *indexer.Value) string {
	if v == nil {
		return ""
	}
	if v.Kind == indexer.ValueJSON {
		if s, err := nixexpr.FromJSON(v.JSON); err == nil {
			return s
		}
		return string(v.JSON)
	}
	return v.Text
}

// equalIgnoringSpace says whether a and b have the same words: runs of
// white space compare equal whatever they are, leading and trailing white
// space is ignored. It does not allocate.
func equalIgnoringSpace(a, b string) bool {
	i, j := 0, 0
	for {
		i, j = skipSpace(a, i), skipSpace(b, j)
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		// Both at a word: compare it.
		for i < len(a) && j < len(b) && !isSpace(a[i]) && !isSpace(b[j]) {
			if a[i] != b[j] {
				return false
			}
			i++
			j++
		}
		if (i < len(a) && !isSpace(a[i])) || (j < len(b) && !isSpace(b[j])) {
			return false // one word is longer
		}
	}
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
