// Package indexer turns evaluated Nix data (option sets, package lists, the
// docs export of this repository) and Markdown guides into Documents: the one
// model that rendering and search read. It knows Nix data shapes and nothing
// about HTML.
package indexer

import (
	"encoding/json"
	"regexp"
	"strings"
)

// Kind says what a Document describes.
type Kind string

const (
	KindOption  Kind = "option"
	KindPackage Kind = "package"
	KindGuide   Kind = "guide"
)

// Document is one searchable, renderable thing. ID is stable across builds:
// "opt:services.atproto.pds.enable", "pkg:pds", "guide:getting-started".
// Documents of a scope other than the primary one carry the scope in the ID:
// "opt:NixOS/services.nginx.enable".
type Document struct {
	ID      string `json:"id"`
	Kind    Kind   `json:"kind"`
	Scope   string `json:"scope"`   // named input set: "atproto", "NixOS", "home-manager"
	Name    string `json:"name"`    // option path, package attribute, or guide slug
	Title   string `json:"title"`   // human title; for options and packages the name
	Summary string `json:"summary"` // one line of plain text, for result lists
	// Since is the newest change of the document when the build compared
	// revisions ("new in 0.3.0", "default changed since 0.3.0"), for
	// search results; "" otherwise.
	Since string `json:"since,omitempty"`

	Option  *Option  `json:"option,omitempty"`
	Package *Package `json:"package,omitempty"`
	Guide   *Guide   `json:"guide,omitempty"`
}

// Option is one module option in nixpkgs' nixosOptionsDoc shape, normalised.
type Option struct {
	Loc             []string      `json:"loc"`
	Type            string        `json:"type"`
	Description     string        `json:"description"` // Markdown, NixOS dialect
	Default         *Value        `json:"default,omitempty"`
	Example         *Value        `json:"example,omitempty"`
	Declarations    []Declaration `json:"declarations"`
	ReadOnly        bool          `json:"readOnly"`
	Internal        bool          `json:"internal"`
	Visible         bool          `json:"visible"`
	RelatedPackages string        `json:"relatedPackages,omitempty"` // Markdown
}

// DefaultPackage is the attribute of the package the option's default
// names, `pkgs.X` (how a module's `package` option says which package it
// runs), and whether it names one.
func (o *Option) DefaultPackage() (string, bool) {
	if o == nil || o.Default == nil {
		return "", false
	}
	m := packageDefault.FindStringSubmatch(strings.TrimSpace(o.Default.Text))
	if m == nil {
		return "", false
	}
	return m[1], true
}

var packageDefault = regexp.MustCompile(`^"?pkgs\.([A-Za-z0-9_+.-]+?)"?$`)

// ValueKind tells how a default or example was written.
type ValueKind string

const (
	ValueExpression ValueKind = "literalExpression" // Text is Nix source
	ValueMarkdown   ValueKind = "literalMD"         // Text is Markdown
	ValueJSON       ValueKind = "json"              // JSON holds a plain value
)

// Value is an option's default or example.
type Value struct {
	Kind ValueKind       `json:"kind"`
	Text string          `json:"text,omitempty"`
	JSON json.RawMessage `json:"json,omitempty"`
}

// Declaration is where an option is declared: a repository-relative file
// (Name) with an optional line, or an absolute URL.
type Declaration struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Package is a package's metadata as nix-env -qa --json --meta gives it,
// normalised.
type Package struct {
	Attr                 string       `json:"attr"`
	Pname                string       `json:"pname"`
	Version              string       `json:"version"`
	Description          string       `json:"description"`
	LongDescription      string       `json:"longDescription,omitempty"` // Markdown
	Homepage             []string     `json:"homepage,omitempty"`
	Changelog            string       `json:"changelog,omitempty"`
	Licenses             []License    `json:"licenses,omitempty"`
	Platforms            []string     `json:"platforms,omitempty"`
	MainProgram          string       `json:"mainProgram,omitempty"`
	Maintainers          []Maintainer `json:"maintainers,omitempty"`
	KnownVulnerabilities []string     `json:"knownVulnerabilities,omitempty"`
	Broken               bool         `json:"broken,omitempty"`
	Position             string       `json:"position,omitempty"` // "file:line"
	Module               string       `json:"module,omitempty"`   // option prefix of its NixOS module, if any
}

// License is one license of a package.
type License struct {
	SPDX     string `json:"spdxId,omitempty"`
	FullName string `json:"fullName,omitempty"`
	URL      string `json:"url,omitempty"`
	Free     bool   `json:"free"`
}

// Maintainer is one maintainer of a package.
type Maintainer struct {
	Name   string `json:"name"`
	GitHub string `json:"github,omitempty"`
	Email  string `json:"email,omitempty"`
}

// Guide is one Markdown page from content/.
type Guide struct {
	Path        string `json:"path"`    // source file, relative to the content folder
	Section     string `json:"section"` // first path segment, "" for top level
	Weight      int    `json:"weight"`
	Description string `json:"description,omitempty"`
	Body        string `json:"body"`     // Markdown without front matter
	BodyLine    int    `json:"bodyLine"` // 1-based line in Path where Body starts, for error messages
}
