// Package yarnlock reads Yarn Berry (Yarn 2 to 4) lockfiles and names the
// registry package behind every entry, so that each one can be fetched and
// checked on its own: the lockfile's checksums are of Yarn's cache zips,
// not of the registry tarballs, and cannot pin a download.
package yarnlock

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Lockfile is one parsed yarn.lock.
type Lockfile struct {
	// Version is __metadata.version (8 for Yarn 4) and CacheKey
	// __metadata.cacheKey ("10c0" for Yarn 4 with compression level 0).
	Version  string
	CacheKey string
	Entries  []Entry
}

// Entry is one package of the lockfile.
type Entry struct {
	Line        int      // where the entry starts, for errors
	Descriptors []string // the ranges it satisfies, e.g. "zod@npm:^3.23.8"
	Version     string
	Resolution  Locator
	// Checksum is Yarn's checksum of its cache zip; empty for entries with
	// conditions, which Yarn 4 leaves without one.
	Checksum   string
	Conditions Conditions
	LinkType   string // "hard" (fetched) or "soft" (workspace, link)
}

// Locator is a resolved package: `name@protocol:reference`.
type Locator struct {
	Name      string // "@scope/name" or "name"
	Protocol  string // "npm", "workspace", "patch", "git", ...
	Reference string // for npm, the exact version
}

func (l Locator) String() string { return l.Name + "@" + l.Protocol + ":" + l.Reference }

// Conditions restrict a package to platforms: os, cpu and libc, each with
// the values it allows (Yarn writes `os=linux & cpu=x64 & libc=glibc`).
type Conditions map[string][]string

// String gives the conditions in Yarn's own notation, keys sorted.
func (c Conditions) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range c[k] {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, " & ")
}

// Parse reads a Yarn Berry lockfile. name is used in errors only.
func Parse(name string, r io.Reader) (*Lockfile, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// Yarn 1's format is not YAML; say so rather than report a YAML error.
	if bytes.Contains(data, []byte("# yarn lockfile v1")) {
		return nil, fmt.Errorf("%s: a Yarn 1 lockfile; only Yarn Berry (2 and later) lockfiles are read", name)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: not a Yarn Berry lockfile: %w", name, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a Yarn Berry lockfile: expected a mapping of entries", name)
	}
	top := doc.Content[0]
	lf := &Lockfile{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		if key.Value == "__metadata" {
			var meta struct {
				Version  string `yaml:"version"`
				CacheKey string `yaml:"cacheKey"`
			}
			if err := val.Decode(&meta); err != nil {
				return nil, fmt.Errorf("%s:%d: __metadata: %w", name, key.Line, err)
			}
			lf.Version, lf.CacheKey = meta.Version, meta.CacheKey
			continue
		}
		e, err := parseEntry(key, val)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, key.Line, err)
		}
		lf.Entries = append(lf.Entries, e)
	}
	if lf.Version == "" {
		return nil, fmt.Errorf("%s: no __metadata.version: a Yarn 1 lockfile or not a lockfile at all", name)
	}
	return lf, nil
}

func parseEntry(key, val *yaml.Node) (Entry, error) {
	var raw struct {
		Version    string `yaml:"version"`
		Resolution string `yaml:"resolution"`
		Checksum   string `yaml:"checksum"`
		Conditions string `yaml:"conditions"`
		LinkType   string `yaml:"linkType"`
	}
	if err := val.Decode(&raw); err != nil {
		return Entry{}, fmt.Errorf("entry %q: %w", key.Value, err)
	}
	if raw.Resolution == "" {
		return Entry{}, fmt.Errorf("entry %q has no resolution", key.Value)
	}
	loc, err := ParseLocator(raw.Resolution)
	if err != nil {
		return Entry{}, fmt.Errorf("entry %q: %w", key.Value, err)
	}
	cond, err := parseConditions(raw.Conditions)
	if err != nil {
		return Entry{}, fmt.Errorf("entry %q: %w", key.Value, err)
	}
	var descs []string
	for _, d := range strings.Split(key.Value, ",") {
		descs = append(descs, strings.TrimSpace(d))
	}
	return Entry{
		Line:        key.Line,
		Descriptors: descs,
		Version:     raw.Version,
		Resolution:  loc,
		Checksum:    raw.Checksum,
		Conditions:  cond,
		LinkType:    raw.LinkType,
	}, nil
}

// ParseLocator splits `name@protocol:reference`; the name may be scoped.
func ParseLocator(s string) (Locator, error) {
	start := 0
	if strings.HasPrefix(s, "@") {
		start = 1
	}
	at := strings.Index(s[start:], "@")
	if at < 0 {
		return Locator{}, fmt.Errorf("locator %q has no @ after the package name", s)
	}
	at += start
	name, rest := s[:at], s[at+1:]
	protocol, ref, ok := strings.Cut(rest, ":")
	if !ok || name == "" || protocol == "" {
		return Locator{}, fmt.Errorf("locator %q is not name@protocol:reference", s)
	}
	return Locator{Name: name, Protocol: protocol, Reference: ref}, nil
}

func parseConditions(s string) (Conditions, error) {
	if s == "" {
		return nil, nil
	}
	c := Conditions{}
	for _, part := range strings.Split(s, "&") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("conditions %q: %q is not key=value", s, part)
		}
		c[k] = append(c[k], v)
	}
	return c, nil
}

// Package is a registry package version, the unit a download is pinned by.
type Package struct {
	Name    string
	Version string
}

func (p Package) String() string { return p.Name + "@" + p.Version }

// ErrLocal marks entries with nothing to download: the project's own
// workspaces.
var ErrLocal = errors.New("local workspace, nothing to fetch")

// Source is the registry package an entry's files come from.
//
//   - npm:<version> is that version.
//   - patch:<inner>#<patch> is the inner locator's package: Yarn applies
//     its built-in patches (typescript, resolve, fsevents) from its own
//     bundle, and a project's patch files are part of its source tree.
//   - workspace: returns ErrLocal.
//
// Every other protocol (git, http tarballs, file, link, portal, exec) is an
// error naming it, since its files are not a registry package.
func (e Entry) Source() (Package, error) {
	return source(e.Resolution)
}

func source(l Locator) (Package, error) {
	switch l.Protocol {
	case "npm":
		if l.Reference == "" || strings.ContainsAny(l.Reference, "^~<>=* |") {
			return Package{}, fmt.Errorf("%s: npm reference is not an exact version", l)
		}
		return Package{Name: l.Name, Version: l.Reference}, nil
	case "workspace":
		return Package{}, ErrLocal
	case "patch":
		inner, _, _ := strings.Cut(l.Reference, "#")
		dec, err := url.PathUnescape(inner)
		if err != nil {
			return Package{}, fmt.Errorf("%s: patched locator: %w", l, err)
		}
		il, err := ParseLocator(dec)
		if err != nil {
			return Package{}, fmt.Errorf("%s: patched locator: %w", l, err)
		}
		p, err := source(il)
		if err != nil && !errors.Is(err, ErrLocal) {
			return Package{}, fmt.Errorf("%s: patch of %w", l, err)
		}
		return p, err
	default:
		return Package{}, fmt.Errorf("%s: protocol %q is not a registry package; fetch it another way", l, l.Protocol)
	}
}
