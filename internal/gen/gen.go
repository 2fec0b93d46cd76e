// Package gen generates large, realistic-looking inputs for benchmarks and
// scale tests: package lists in the `nix-env -qa --json --meta` shape.
// Output is deterministic for a given count and seed.
package gen

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

var (
	words = strings.Fields(`alpha beta gamma delta relay feed labeler firehose server client
		proxy cache index search stream sync backup monitor metrics logger parser compiler
		editor viewer shell terminal network crypto archive image audio video font theme
		database queue scheduler router gateway bridge agent daemon tool library binding`)
	langs     = []string{"python3Packages", "haskellPackages", "perlPackages", "nodePackages", "rubyPackages", "ocamlPackages", ""}
	licenses  = []string{"MIT", "Apache-2.0", "GPL-3.0-or-later", "BSD-3-Clause", "MPL-2.0", "ISC"}
	platforms = []string{"x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"}
)

// Package is one generated package as nix-env prints it.
type Package struct {
	Name    string `json:"name"`
	Pname   string `json:"pname"`
	Version string `json:"version"`
	System  string `json:"system"`
	Meta    Meta   `json:"meta"`
}

// Meta is the subset of meta the indexer reads.
type Meta struct {
	Description          string              `json:"description,omitempty"`
	LongDescription      string              `json:"longDescription,omitempty"`
	Homepage             string              `json:"homepage,omitempty"`
	License              []map[string]any    `json:"license,omitempty"`
	Platforms            []string            `json:"platforms,omitempty"`
	Maintainers          []map[string]string `json:"maintainers,omitempty"`
	MainProgram          string              `json:"mainProgram,omitempty"`
	KnownVulnerabilities []string            `json:"knownVulnerabilities,omitempty"`
	Position             string              `json:"position,omitempty"`
}

// Packages writes n packages as one JSON object keyed by attribute path.
// About one in three lives in a language package set ("python3Packages.x"),
// one in fifty has a known vulnerability, and names are unique.
func Packages(w io.Writer, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 1))
	if _, err := io.WriteString(w, "{\n"); err != nil {
		return err
	}
	enc := func(v any) []byte { b, _ := json.Marshal(v); return b }
	for i := 0; i < n; i++ {
		w1, w2 := words[r.IntN(len(words))], words[r.IntN(len(words))]
		pname := fmt.Sprintf("%s-%s%d", w1, w2, i)
		attr := pname
		if set := langs[r.IntN(len(langs))]; set != "" && r.IntN(3) == 0 {
			attr = set + "." + pname
		}
		version := fmt.Sprintf("%d.%d.%d", r.IntN(10), r.IntN(30), r.IntN(100))
		p := Package{
			Name: pname + "-" + version, Pname: pname, Version: version, System: "x86_64-linux",
			Meta: Meta{
				Description: fmt.Sprintf("A %s %s for the %s ecosystem", w1, w2, words[r.IntN(len(words))]),
				Homepage:    "https://example.org/" + pname,
				License: []map[string]any{{"spdxId": licenses[r.IntN(len(licenses))],
					"fullName": "License " + licenses[r.IntN(len(licenses))], "free": true}},
				Platforms:   platforms[:1+r.IntN(len(platforms))],
				Maintainers: []map[string]string{{"name": "Maintainer " + w2, "github": "m-" + w2}},
				MainProgram: pname,
				Position:    fmt.Sprintf("/nix/store/00000000000000000000000000000000-source/pkgs/by-name/%s/package.nix:%d", pname, 1+r.IntN(80)),
			},
		}
		if r.IntN(4) == 0 {
			p.Meta.LongDescription = fmt.Sprintf("%s is a **%s** with `%s` support.\n\nIt handles %s and %s.",
				pname, w1, w2, words[r.IntN(len(words))], words[r.IntN(len(words))])
		}
		if r.IntN(50) == 0 {
			p.Meta.KnownVulnerabilities = []string{"CVE-2099-" + fmt.Sprint(1000+i)}
		}
		sep := ",\n"
		if i == n-1 {
			sep = "\n"
		}
		if _, err := fmt.Fprintf(w, "%s: %s%s", enc(attr), enc(p), sep); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "}\n")
	return err
}
