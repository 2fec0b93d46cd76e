package indexer

import (
	"encoding/json"
	"fmt"
	"sort"
)

// ExportSchemaVersion is the version of nix/docs' JSON shape this loader
// understands (see nix/docs/README.md).
const ExportSchemaVersion = 1

// Export is this repository's documentation export (nix/docs) loaded:
// its options and packages as Documents plus what only the export knows.
type Export struct {
	Meta      ExportMeta
	Docs      []Document // options, then packages, each sorted by name
	Modules   []Module
	Templates []Template
}

// ExportMeta describes the evaluation that produced an export.
type ExportMeta struct {
	SchemaVersion     int     `json:"schemaVersion"`
	GeneratedBy       string  `json:"generatedBy"`
	Revision          *string `json:"revision"`
	NixpkgsLibVersion string  `json:"nixpkgsLibVersion"`
}

// Module is one NixOS module of this repository.
type Module struct {
	Name         string  `json:"-"`
	File         string  `json:"file"`
	OptionPrefix string  `json:"optionPrefix"`
	Package      *string `json:"package"`
	// Unpackaged says why Package does not exist yet, when it does not.
	Unpackaged *string `json:"unpackaged"`
}

// Template is one flake template (`nix flake init -t <repo>#<name>`).
type Template struct {
	Name        string `json:"-"`
	Path        string `json:"path"`
	Description string `json:"description"`
}

// LoadExport reads the docs export file (plain or gzip).
func LoadExport(path, scope string) (*Export, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, fmt.Errorf("reading docs export: %w", err)
	}
	return ParseExport(path, data, scope)
}

// ParseExport parses the docs export; file names it in error messages.
func ParseExport(file string, data []byte, scope string) (*Export, error) {
	data, err := decompress(file, data)
	if err != nil {
		return nil, err
	}
	members, err := objectMembers(file, data)
	if err != nil {
		return nil, err
	}
	ex := &Export{}
	found := map[string]member{}
	for _, m := range members {
		found[m.Key] = m
		// Keys this reader does not use must still be valid JSON: the
		// members were split without decoding them.
		if !json.Valid(m.Value) {
			var skip json.RawMessage
			if err := decodeAt(file, data, m, &skip); err != nil {
				return nil, err
			}
		}
	}
	for _, key := range []string{"meta", "options", "packages"} {
		if _, ok := found[key]; !ok {
			return nil, &PositionError{File: file, Line: 1, Column: 1,
				Err: fmt.Errorf("not a docs export: no %q key (expected the JSON of nix/docs)", key)}
		}
	}
	if err := decodeAt(file, data, found["meta"], &ex.Meta); err != nil {
		return nil, err
	}
	if ex.Meta.SchemaVersion != ExportSchemaVersion {
		l, c := lineCol(data, found["meta"].Offset)
		return nil, &PositionError{File: file, Line: l, Column: c,
			Err: fmt.Errorf("docs export has schemaVersion %d; this nurdocs reads version %d", ex.Meta.SchemaVersion, ExportSchemaVersion)}
	}
	// The options and packages sections have the same shapes as the
	// standalone files, so the same parsers read them; positions are
	// shifted so errors still point into the export file.
	opts, err := parseSection(file, data, found["options"], scope, ParseOptions)
	if err != nil {
		return nil, err
	}
	pkgs, err := parseSection(file, data, found["packages"], scope, ParsePackages)
	if err != nil {
		return nil, err
	}
	ex.Docs = append(opts, pkgs...)
	if m, ok := found["modules"]; ok {
		var mods map[string]Module
		if err := decodeAt(file, data, m, &mods); err != nil {
			return nil, err
		}
		for name, mod := range mods {
			mod.Name = name
			ex.Modules = append(ex.Modules, mod)
		}
		sort.Slice(ex.Modules, func(i, j int) bool { return ex.Modules[i].Name < ex.Modules[j].Name })
	}
	if m, ok := found["templates"]; ok {
		var ts map[string]Template
		if err := decodeAt(file, data, m, &ts); err != nil {
			return nil, err
		}
		for name, t := range ts {
			t.Name = name
			ex.Templates = append(ex.Templates, t)
		}
		sort.Slice(ex.Templates, func(i, j int) bool { return ex.Templates[i].Name < ex.Templates[j].Name })
	}
	return ex, nil
}

func parseSection(file string, data []byte, m member, scope string,
	parse func(string, []byte, string) ([]Document, error)) ([]Document, error) {
	raw := json.RawMessage(m.Value)
	docs, err := parse(file, raw, scope)
	if err != nil {
		if pe, ok := err.(*PositionError); ok && pe.Line > 0 {
			// Re-locate: the section parser counted from the section start.
			startLine, startCol := lineCol(data, m.Offset)
			if pe.Line == 1 {
				pe.Column += startCol - 1
			}
			pe.Line += startLine - 1
		}
		return nil, err
	}
	return docs, nil
}
