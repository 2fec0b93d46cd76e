package indexer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// PrimaryScope is the scope of this repository's own options and packages.
// Its Documents have IDs without a scope part ("opt:services.atproto.pds.enable").
const PrimaryScope = "atproto"

// OptionID is the stable Document ID of an option.
func OptionID(scope, name string) string { return scopedID("opt:", scope, name) }

// PackageID is the stable Document ID of a package.
func PackageID(scope, attr string) string { return scopedID("pkg:", scope, attr) }

// GuideID is the stable Document ID of a guide.
func GuideID(slug string) string { return "guide:" + slug }

func scopedID(prefix, scope, name string) string {
	if scope == PrimaryScope || scope == "" {
		return prefix + name
	}
	return prefix + scope + "/" + name
}

// rawOption is one entry of nixosOptionsDoc's options.json.
type rawOption struct {
	Declarations    []json.RawMessage `json:"declarations"`
	Description     json.RawMessage   `json:"description"`
	Type            string            `json:"type"`
	Default         json.RawMessage   `json:"default"`
	Example         json.RawMessage   `json:"example"`
	Loc             []string          `json:"loc"`
	ReadOnly        bool              `json:"readOnly"`
	Internal        *bool             `json:"internal"`
	Visible         *bool             `json:"visible"`
	RelatedPackages json.RawMessage   `json:"relatedPackages"`
}

// LoadOptions reads an options.json file (plain or gzip) in nixpkgs'
// nixosOptionsDoc shape and returns one Document per option, sorted by name.
func LoadOptions(path, scope string) ([]Document, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, fmt.Errorf("reading options: %w", err)
	}
	return ParseOptions(path, data, scope)
}

// ParseOptions is LoadOptions on data already in memory; file names the
// source in error messages.
func ParseOptions(file string, data []byte, scope string) ([]Document, error) {
	data, err := decompress(file, data)
	if err != nil {
		return nil, err
	}
	members, err := objectMembers(file, data)
	if err != nil {
		return nil, err
	}
	docs := make([]Document, len(members))
	errs := make([]error, len(members))
	// Decoding the members is independent work; spread it over the cores
	// because the whole NixOS option set is ~10 MB of JSON.
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	chunk := (len(members) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(members))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				docs[i], errs[i] = parseOption(file, data, members[i], scope)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Name < docs[j].Name })
	return docs, nil
}

func parseOption(file string, data []byte, m member, scope string) (Document, error) {
	var raw rawOption
	if err := decodeAt(file, data, m, &raw); err != nil {
		return Document{}, err
	}
	fail := func(format string, args ...any) error {
		l, c := lineCol(data, m.Offset)
		return &PositionError{File: file, Line: l, Column: c,
			Err: fmt.Errorf("option %q: %s", m.Key, fmt.Sprintf(format, args...))}
	}
	if m.Key == "" {
		return Document{}, fail("empty option name")
	}
	desc, err := markdownText(raw.Description)
	if err != nil {
		return Document{}, fail("description: %v", err)
	}
	related, err := markdownText(raw.RelatedPackages)
	if err != nil {
		return Document{}, fail("relatedPackages: %v", err)
	}
	opt := &Option{
		Loc:             raw.Loc,
		Type:            raw.Type,
		Description:     desc,
		ReadOnly:        raw.ReadOnly,
		Visible:         raw.Visible == nil || *raw.Visible,
		Internal:        raw.Internal != nil && *raw.Internal,
		RelatedPackages: related,
	}
	if len(opt.Loc) == 0 {
		opt.Loc = SplitOptionPath(m.Key)
	}
	if opt.Default, err = parseValue(raw.Default); err != nil {
		return Document{}, fail("default: %v", err)
	}
	if opt.Example, err = parseValue(raw.Example); err != nil {
		return Document{}, fail("example: %v", err)
	}
	for i, d := range raw.Declarations {
		decl, err := parseDeclaration(d)
		if err != nil {
			return Document{}, fail("declarations[%d]: %v", i, err)
		}
		opt.Declarations = append(opt.Declarations, decl)
	}
	return Document{
		ID:      OptionID(scope, m.Key),
		Kind:    KindOption,
		Scope:   scope,
		Name:    m.Key,
		Title:   m.Key,
		Summary: Summary(desc),
		Option:  opt,
	}, nil
}

// markdownText accepts a description as a string, as the older
// {"_type": "mdDoc", "text": …} wrapper, or absent.
func markdownText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var wrapped struct {
		Type string `json:"_type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &wrapped); err != nil || wrapped.Type == "" {
		return "", fmt.Errorf("expected a string or {\"_type\": \"mdDoc\", \"text\": …}")
	}
	return wrapped.Text, nil
}

// parseValue reads a default or example: {"_type": "literalExpression" |
// "literalMD", "text": …} or any plain JSON value.
func parseValue(raw json.RawMessage) (*Value, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, nil
	}
	if raw[0] == '{' {
		var lit struct {
			Type *string `json:"_type"`
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(raw, &lit); err == nil && lit.Type != nil {
			if lit.Text == nil {
				return nil, fmt.Errorf("%s without text", *lit.Type)
			}
			switch *lit.Type {
			case "literalExpression", "literalExample":
				return &Value{Kind: ValueExpression, Text: *lit.Text}, nil
			case "literalMD", "literalMarkdown", "mdDoc":
				return &Value{Kind: ValueMarkdown, Text: *lit.Text}, nil
			case "literalDocBook":
				// Obsolete; shown as it is written rather than dropped.
				return &Value{Kind: ValueExpression, Text: *lit.Text}, nil
			default:
				return nil, fmt.Errorf("unknown _type %q", *lit.Type)
			}
		}
	}
	if !json.Valid(raw) {
		return nil, fmt.Errorf("invalid JSON value")
	}
	return &Value{Kind: ValueJSON, JSON: append(json.RawMessage(nil), raw...)}, nil
}

// parseDeclaration reads "path/to/file.nix", "path/to/file.nix:42" or
// {"name": …, "url": …, "line": …}.
func parseDeclaration(raw json.RawMessage) (Declaration, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Declaration{}, err
		}
		name, line := splitLine(s)
		return Declaration{Name: name, Line: line}, nil
	}
	var d struct {
		Name string `json:"name"`
		File string `json:"file"`
		URL  string `json:"url"`
		Line int    `json:"line"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return Declaration{}, fmt.Errorf("expected a path string or {name, url}")
	}
	if d.Name == "" {
		d.Name = d.File
	}
	if d.Name == "" && d.URL == "" {
		return Declaration{}, fmt.Errorf("neither name nor url given")
	}
	if d.Line == 0 {
		d.Name, d.Line = splitLine(d.Name)
	}
	return Declaration{Name: d.Name, URL: d.URL, Line: d.Line}, nil
}

// splitLine separates a trailing ":123" from a file name.
func splitLine(s string) (string, int) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 || i == len(s)-1 {
		return s, 0
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n <= 0 {
		return s, 0
	}
	return s[:i], n
}

// SplitOptionPath splits an option name into its loc, honouring quoted
// segments: services."foo.bar".enable → [services foo.bar enable].
func SplitOptionPath(name string) []string {
	var loc []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '"':
			quoted = !quoted
		case c == '.' && !quoted:
			loc = append(loc, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(loc, cur.String())
}
