package indexer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// rawPackage is one entry of `nix-env -qa --json --meta`.
type rawPackage struct {
	Name    string   `json:"name"`
	Pname   string   `json:"pname"`
	Version string   `json:"version"`
	Meta    *rawMeta `json:"meta"`
	// This repository's docs export flattens meta into the package object.
	rawMeta
}

type rawMeta struct {
	Description          string            `json:"description"`
	LongDescription      string            `json:"longDescription"`
	Homepage             json.RawMessage   `json:"homepage"`
	Changelog            json.RawMessage   `json:"changelog"`
	License              json.RawMessage   `json:"license"`
	Platforms            []json.RawMessage `json:"platforms"`
	MainProgram          string            `json:"mainProgram"`
	Maintainers          []json.RawMessage `json:"maintainers"`
	KnownVulnerabilities []string          `json:"knownVulnerabilities"`
	Broken               bool              `json:"broken"`
	Position             string            `json:"position"`
	Module               string            `json:"module"`
}

// LoadPackages reads a package list (plain or gzip) and returns one
// Document per package, sorted by attribute. Two shapes are read: the
// object `nix-env -qa --json --meta` prints ({attr: {name, pname, version,
// meta}}), and nixpkgs' packages.json v2, which wraps that object as
// {"version": 2, "packages": {…}}. Fields neither shape defines are ignored.
func LoadPackages(path, scope string) ([]Document, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, fmt.Errorf("reading packages: %w", err)
	}
	return ParsePackages(path, data, scope)
}

// ParsePackages is LoadPackages on data already in memory.
func ParsePackages(file string, data []byte, scope string) ([]Document, error) {
	data, err := decompress(file, data)
	if err != nil {
		return nil, err
	}
	start, end := packageSet(data)
	// Members are parsed while the scan goes on (in batches, to keep
	// channel traffic low); each worker keeps its own results, and the
	// first error in file order wins, after any error of the scan itself.
	type batch struct {
		first   int
		members []member
	}
	type result struct {
		docs   []Document
		errAt  int
		err    error
		failed bool
	}
	workers := runtime.GOMAXPROCS(0)
	batches := make(chan batch, 4*workers)
	results := make([]result, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &results[w]
			for b := range batches {
				for k, m := range b.members {
					d, err := parsePackage(file, data, m, scope)
					if err != nil {
						if !res.failed || b.first+k < res.errAt {
							res.failed, res.errAt, res.err = true, b.first+k, err
						}
						continue
					}
					res.docs = append(res.docs, d)
				}
			}
		}()
	}
	const batchSize = 256
	cur := batch{}
	n := 0
	scanErr := eachMemberIn(file, data, start, end, func(m member) {
		cur.members = append(cur.members, m)
		n++
		if len(cur.members) == batchSize {
			batches <- cur
			cur = batch{first: n}
		}
	})
	if len(cur.members) > 0 {
		batches <- cur
	}
	close(batches)
	wg.Wait()
	if scanErr != nil {
		return nil, scanErr
	}
	var firstErr *result
	total := 0
	for w := range results {
		if r := &results[w]; r.failed && (firstErr == nil || r.errAt < firstErr.errAt) {
			firstErr = r
		}
		total += len(results[w].docs)
	}
	if firstErr != nil {
		return nil, firstErr.err
	}
	docs := make([]Document, 0, total)
	for _, r := range results {
		docs = append(docs, r.docs...)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Name < docs[j].Name })
	return docs, nil
}

// packageSet returns where the object of packages is in data: the value
// of "packages" when data is a packages.json v2 wrapper (a top-level
// object with a numeric "version" and an object "packages"), else all of
// data. A package named "version" is an object, never a number, so a
// nix-env list is never mistaken for a wrapper.
func packageSet(data []byte) (start, end int) {
	members, ok := scanMembers(data)
	if !ok {
		return 0, len(data) // malformed: eachMemberIn says where
	}
	var version, packages *member
	for i := range members {
		switch members[i].Key {
		case "version":
			version = &members[i]
		case "packages":
			packages = &members[i]
		}
	}
	if version == nil || packages == nil || len(packages.Value) == 0 || packages.Value[0] != '{' {
		return 0, len(data)
	}
	if v := version.Value; len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return 0, len(data)
	}
	return int(packages.Offset), int(packages.Offset) + len(packages.Value)
}

func parsePackage(file string, data []byte, m member, scope string) (Document, error) {
	var raw rawPackage
	if err := decodeAt(file, data, m, &raw); err != nil {
		return Document{}, err
	}
	if raw.Meta != nil {
		raw.rawMeta = *raw.Meta
	}
	raw.Meta = &raw.rawMeta
	fail := func(format string, args ...any) error {
		l, c := lineCol(data, m.Offset)
		return &PositionError{File: file, Line: l, Column: c,
			Err: fmt.Errorf("package %q: %s", m.Key, fmt.Sprintf(format, args...))}
	}
	if m.Key == "" {
		return Document{}, fail("empty attribute name")
	}
	p := &Package{
		Attr:                 m.Key,
		Pname:                raw.Pname,
		Version:              raw.Version,
		Description:          raw.Meta.Description,
		LongDescription:      raw.Meta.LongDescription,
		MainProgram:          raw.Meta.MainProgram,
		KnownVulnerabilities: raw.Meta.KnownVulnerabilities,
		Broken:               raw.Meta.Broken,
		Position:             StorePathToRepo(raw.Meta.Position),
		Module:               raw.Meta.Module, // docs export only: the option prefix of its module
	}
	if p.Pname == "" {
		p.Pname, p.Version = splitName(raw.Name, p.Version)
	}
	if strings.Contains(p.Version, "${") {
		// A list read from source, not evaluated, may keep the version's
		// Nix interpolation ("${majorVersion}.${minorVersion}"): that is
		// no version, and the page says it is not known.
		p.Version = ""
	}
	var err error
	if p.Homepage, err = stringOrList(raw.Meta.Homepage); err != nil {
		return Document{}, fail("meta.homepage: %v", err)
	}
	if cl, err := stringOrList(raw.Meta.Changelog); err != nil {
		return Document{}, fail("meta.changelog: %v", err)
	} else if len(cl) > 0 {
		p.Changelog = cl[0]
	}
	if p.Licenses, err = parseLicenses(raw.Meta.License); err != nil {
		return Document{}, fail("meta.license: %v", err)
	}
	for _, pl := range raw.Meta.Platforms {
		// Platforms may be system strings or attribute-set patterns; only
		// the strings mean something to a reader.
		if s, ok := jsonString(pl); ok {
			p.Platforms = append(p.Platforms, s)
		}
	}
	for i, mt := range raw.Meta.Maintainers {
		if s, ok := jsonString(mt); ok {
			p.Maintainers = append(p.Maintainers, Maintainer{Name: s})
			continue
		}
		var mm Maintainer
		if err := json.Unmarshal(mt, &mm); err != nil {
			return Document{}, fail("meta.maintainers[%d]: expected a string or {name, github, email}", i)
		}
		p.Maintainers = append(p.Maintainers, mm)
	}
	title := m.Key
	return Document{
		ID:      PackageID(scope, m.Key),
		Kind:    KindPackage,
		Scope:   scope,
		Name:    m.Key,
		Title:   title,
		Summary: Summary(p.Description),
		Package: p,
	}, nil
}

var nameVersionRE = regexp.MustCompile(`^(.*?)-([0-9][^-]*.*)$`)

// splitName splits "hello-2.12.1" the way Nix's parseDrvName does: the
// version starts at the first dash followed by a digit.
func splitName(name, version string) (string, string) {
	if m := nameVersionRE.FindStringSubmatch(name); m != nil {
		if version == "" {
			version = m[2]
		}
		return m[1], version
	}
	return name, version
}

var storePrefixRE = regexp.MustCompile(`^/nix/store/[0-9a-z]{32}-[^/]*/`)

// StorePathToRepo turns "/nix/store/…-source/pkgs/x/default.nix:12" into
// "pkgs/x/default.nix:12", the form a repository link needs.
func StorePathToRepo(p string) string {
	if !strings.HasPrefix(p, "/nix/store/") {
		return p
	}
	return storePrefixRE.ReplaceAllString(p, "")
}

// jsonString decodes raw when it is a JSON string. Most strings (keys,
// and the platforms, maintainers and licenses of 100,000 packages) have
// no escapes and are taken as they are, without a json.Unmarshal each.
// The shortcut needs the quotes to be the string's own: raw is a value
// the scanner or json.Unmarshal has already delimited.
func jsonString(raw []byte) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if inner := raw[1 : len(raw)-1]; raw[len(raw)-1] == '"' && bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if s, ok := jsonString(raw); ok {
		if s == "" {
			return nil, nil
		}
		return []string{s}, nil
	}
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("expected a string or a list of strings")
	}
	return l, nil
}

// parseLicenses accepts a license as a short name string, an attribute set
// from lib.licenses, or a list of either.
func parseLicenses(raw json.RawMessage) ([]License, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		var out []License
		for _, it := range items {
			l, err := parseLicenses(it)
			if err != nil {
				return nil, err
			}
			out = append(out, l...)
		}
		return out, nil
	}
	if s, ok := jsonString(raw); ok {
		return []License{{FullName: s, SPDX: s}}, nil
	}
	var l struct {
		SPDX      string `json:"spdxId"`
		FullName  string `json:"fullName"`
		ShortName string `json:"shortName"`
		URL       string `json:"url"`
		Free      *bool  `json:"free"`
	}
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("expected a string, a license attribute set or a list of them")
	}
	if l.FullName == "" {
		l.FullName = l.ShortName
	}
	return []License{{SPDX: l.SPDX, FullName: l.FullName, URL: l.URL, Free: l.Free == nil || *l.Free}}, nil
}
