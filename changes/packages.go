package changes

import (
	"slices"
	"strings"

	"github.com/atproto-nur/atproto-nur/indexer"
)

func indexPackages(docs []indexer.Document) map[string]*indexer.Document {
	m := map[string]*indexer.Document{}
	for i := range docs {
		if d := &docs[i]; d.Kind == indexer.KindPackage && d.Package != nil {
			m[d.ID] = d
		}
	}
	return m
}

func comparePackages(before, after []indexer.Document) []Change {
	b, a := indexPackages(before), indexPackages(after)
	var out []Change
	mk := func(d *indexer.Document, w What, bv, av string) Change {
		return Change{Kind: indexer.KindPackage, Scope: d.Scope, Name: d.Name, What: w, Before: bv, After: av,
			File: positionFile(d.Package.Position)}
	}
	for id, db := range b {
		da, ok := a[id]
		if !ok {
			out = append(out, mk(db, Removed, db.Package.Version, ""))
			continue
		}
		pb, pa := db.Package, da.Package
		if pb.Version != pa.Version {
			out = append(out, mk(da, Version, pb.Version, pa.Version))
		}
		if lb, la := licenseText(pb.Licenses), licenseText(pa.Licenses); lb != la {
			out = append(out, mk(da, License, lb, la))
		}
		for _, v := range pa.KnownVulnerabilities {
			if !slices.Contains(pb.KnownVulnerabilities, v) {
				out = append(out, mk(da, VulnsAdded, "", v))
			}
		}
		for _, v := range pb.KnownVulnerabilities {
			if !slices.Contains(pa.KnownVulnerabilities, v) {
				out = append(out, mk(da, VulnsClear, v, ""))
			}
		}
		if pb.MainProgram != pa.MainProgram {
			out = append(out, mk(da, MainProgram, pb.MainProgram, pa.MainProgram))
		}
	}
	for id, da := range a {
		if _, ok := b[id]; !ok {
			out = append(out, mk(da, Added, "", da.Package.Version))
		}
	}
	return out
}

// licenseText names a package's licences, SPDX identifiers where known,
// sorted so that order does not count as a change.
func licenseText(ls []indexer.License) string {
	names := make([]string, 0, len(ls))
	for _, l := range ls {
		n := l.SPDX
		if n == "" {
			n = l.FullName
		}
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// positionFile is the file of a package's "file:line" position.
func positionFile(pos string) string {
	if i := strings.LastIndexByte(pos, ':'); i > 0 {
		return pos[:i]
	}
	return pos
}
