package indexer

import (
	"fmt"
	"github.com/atproto-nur/atproto-nur/internal/testcorpus"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const samplePackages = `{
  "hello": {
    "name": "hello-2.12.1", "pname": "hello", "version": "2.12.1", "system": "x86_64-linux",
    "meta": {
      "description": "Program that produces a familiar, friendly greeting",
      "longDescription": "GNU Hello is a program that prints **Hello, world!**",
      "homepage": "https://www.gnu.org/software/hello/manual/",
      "changelog": ["https://git.savannah.gnu.org/cgit/hello.git/plain/NEWS?h=v2.12.1"],
      "license": {"spdxId": "GPL-3.0-or-later", "fullName": "GNU General Public License v3.0 or later", "url": "https://spdx.org/licenses/GPL-3.0-or-later.html", "free": true},
      "platforms": ["x86_64-linux", {"kernel": {"name": "darwin"}}],
      "maintainers": [{"name": "Eelco", "github": "edolstra", "email": "e@example.org", "githubId": 1}],
      "mainProgram": "hello",
      "position": "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-source/pkgs/by-name/he/hello/package.nix:34"
    }
  },
  "python3Packages.requests": {
    "name": "python3.12-requests-2.32.3",
    "meta": {"license": ["asl20", {"fullName": "Unfree thing", "free": false}], "knownVulnerabilities": ["CVE-1"], "broken": true}
  }
}`

func TestParsePackagesNixEnv(t *testing.T) {
	docs, err := ParsePackages("packages.json", []byte(samplePackages), "nixpkgs")
	if err != nil {
		t.Fatal(err)
	}
	h, r := docs[0], docs[1]
	p := h.Package
	if h.ID != "pkg:nixpkgs/hello" || p.Pname != "hello" || p.Version != "2.12.1" {
		t.Errorf("identity %+v %+v", h, p)
	}
	if p.Position != "pkgs/by-name/he/hello/package.nix:34" {
		t.Errorf("position %q: the store prefix should be gone", p.Position)
	}
	if len(p.Homepage) != 1 || !strings.Contains(p.Changelog, "NEWS") {
		t.Errorf("homepage/changelog %v %q", p.Homepage, p.Changelog)
	}
	if len(p.Licenses) != 1 || p.Licenses[0].SPDX != "GPL-3.0-or-later" || !p.Licenses[0].Free {
		t.Errorf("license %+v", p.Licenses)
	}
	if len(p.Platforms) != 1 || p.Maintainers[0].GitHub != "edolstra" || p.MainProgram != "hello" {
		t.Errorf("platforms %v maintainers %+v", p.Platforms, p.Maintainers)
	}
	q := r.Package
	if q.Pname != "python3.12-requests" || q.Version != "2.32.3" {
		t.Errorf("name split: %q %q", q.Pname, q.Version)
	}
	if len(q.Licenses) != 2 || q.Licenses[1].Free || q.KnownVulnerabilities[0] != "CVE-1" || !q.Broken {
		t.Errorf("licenses %+v vulns %v broken %v", q.Licenses, q.KnownVulnerabilities, q.Broken)
	}
}

func TestMalformedPackages(t *testing.T) {
	for input, want := range map[string]string{
		`{"a": {"meta": {"homepage": 3}}}`:              `pkgs.json:1:7: package "a": meta.homepage: expected a string or a list of strings`,
		`{"a": {"meta": {"license": true}}}`:            `package "a": meta.license: expected a string, a license attribute set or a list of them`,
		"{\n\"a\": {\"meta\": {\"maintainers\": [1]}}}": `pkgs.json:2:6: package "a": meta.maintainers[0]`,
		`{"a": {"meta": []}}`:                           `pkgs.json:1:`,
	} {
		_, err := ParsePackages("pkgs.json", []byte(input), "x")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", input, err, want)
		}
	}
}

// TestSnapshotExport reads the committed snapshot: the shape written by
// nix/docs and stored by nurdocs eval.
func TestSnapshotExport(t *testing.T) {
	p := filepath.Join("..", SnapshotFile)
	if _, err := os.Stat(p); err != nil {
		t.Skip("no snapshot in site/data yet: run nurdocs eval")
	}
	ex, err := LoadExport(p, PrimaryScope)
	if err != nil {
		t.Fatal(err)
	}
	checkExport(t, ex)
}

func checkExport(t *testing.T, ex *Export) {
	t.Helper()
	opts, pkgs := 0, 0
	for _, d := range ex.Docs {
		switch d.Kind {
		case KindOption:
			opts++
			if !strings.HasPrefix(d.Name, "services.atproto.") {
				t.Errorf("export option %s outside services.atproto", d.Name)
			}
		case KindPackage:
			pkgs++
			if d.Package.Version == "" {
				t.Errorf("package %s without version", d.Name)
			}
		}
	}
	if opts == 0 || pkgs == 0 || len(ex.Modules) == 0 {
		t.Errorf("export has %d options, %d packages, %d modules", opts, pkgs, len(ex.Modules))
	}
	for _, m := range ex.Modules {
		if !strings.HasPrefix(m.OptionPrefix, "services.atproto.") || m.File == "" {
			t.Errorf("module %+v", m)
		}
	}
}

func TestExportErrors(t *testing.T) {
	for input, want := range map[string]string{
		`{"options": {}, "packages": {}}`:                                                                 `not a docs export: no "meta" key`,
		`{"meta": {"schemaVersion": 9}, "options": {}, "packages": {}}`:                                   `schemaVersion 9; this nurdocs reads version 1`,
		"{\"meta\": {\"schemaVersion\": 1},\n \"options\": {\n  \"x\": {\"type\": 1}}, \"packages\": {}}": `export.json:3:`,
	} {
		_, err := ParseExport("export.json", []byte(input), PrimaryScope)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", input, err, want)
		}
	}
}

// TestPackagesFirstErrorWins: packages are parsed in parallel batches, yet
// the error reported is the first bad package in the file, and a scan
// error (duplicate key) wins over any package's error.
func TestPackagesFirstErrorWins(t *testing.T) {
	var b strings.Builder
	b.WriteString("{\n")
	for i := 0; i < 3000; i++ {
		switch i {
		case 700:
			b.WriteString(`"bad1": {"meta": {"homepage": 3}},` + "\n")
		case 2500:
			b.WriteString(`"bad2": {"meta": {"license": 3}},` + "\n")
		default:
			fmt.Fprintf(&b, "%q: {\"name\": \"p%d-1.0\"},\n", fmt.Sprintf("p%d", i), i)
		}
	}
	good := b.String()
	_, err := ParsePackages("pkgs.json", []byte(good+`"last": {}}`), "s")
	if err == nil || !strings.Contains(err.Error(), `pkgs.json:702:`) || !strings.Contains(err.Error(), `"bad1"`) {
		t.Errorf("first bad package: got %v", err)
	}
	_, err = ParsePackages("pkgs.json", []byte(good+`"p5": {}}`), "s")
	if err == nil || !strings.Contains(err.Error(), `duplicate key "p5"`) {
		t.Errorf("duplicate key: got %v", err)
	}
	docs, err := ParsePackages("pkgs.json", []byte(strings.NewReplacer(`"homepage": 3`, `"homepage": "x"`, `"license": 3`, `"license": "mit"`).Replace(good)+`"last": {}}`), "s")
	if err != nil || len(docs) != 3001 {
		t.Fatalf("%d docs, %v", len(docs), err)
	}
	for i := 1; i < len(docs); i++ {
		if docs[i-1].Name >= docs[i].Name {
			t.Fatalf("not sorted at %d: %s, %s", i, docs[i-1].Name, docs[i].Name)
		}
	}
}

// TestParsePackagesV2 reads nixpkgs' packages.json v2 wrapper: the same
// packages as the nix-env shape, unknown fields ignored, errors placed in
// the file, and a package list whose packages are named "version" and
// "packages" is not taken for a wrapper.
func TestParsePackagesV2(t *testing.T) {
	wrapped := "{\"version\": 2, \"source\": {\"repo\": \"r\"}, \"packages\": " + samplePackages + ",\n\"extra\": [1]}"
	plain, err := ParsePackages("packages.json", []byte(samplePackages), "nixpkgs")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePackages("packages.json", []byte(wrapped), "nixpkgs")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, plain) {
		t.Errorf("v2 wrapper gives\n%+v\nnix-env shape gives\n%+v", got, plain)
	}
	for input, want := range map[string]string{
		// 3:8 is the package's place in the file, not in the inner object.
		"{\"version\": 2,\n \"packages\": {\n  \"a\": {\"meta\": {\"homepage\": 3}}}}": `pkgs.json:3:8: package "a": meta.homepage`,
		"{\"version\": 2,\n \"packages\": {\n  \"a\": {},\n  \"a\": {}}}":              `pkgs.json:4:3: duplicate key "a"`,
		"{\"version\": 2,\n \"packages\": {\n  \"a\": {\"meta\": {]}}}":                `pkgs.json:3:`,
	} {
		_, err := ParsePackages("pkgs.json", []byte(input), "x")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", input, err, want)
		}
	}
	docs, err := ParsePackages("pkgs.json", []byte(`{"version": {"name": "version-1.0"}, "packages": {"name": "packages-2"}}`), "x")
	if err != nil || len(docs) != 2 || docs[1].Name != "version" || docs[1].Package.Version != "1.0" {
		t.Errorf("a nix-env list with packages named version and packages: %+v, %v", docs, err)
	}
}

// TestRealNixpkgsPackages reads the real nixpkgs package set of
// ../shared/corpus (a packages.json v2 file read from source, see its
// PROVENANCE.txt): every attribute becomes a document, families and
// package sets included, with the fields the file gives.
func TestRealNixpkgsPackages(t *testing.T) {
	path := testcorpus.Path(t, "nixpkgs-packages.json.gz")
	docs, err := LoadPackages(path, "nixpkgs")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 36172 {
		t.Errorf("%d packages, want the file's 36,172 attributes", len(docs))
	}
	byName := map[string]*Package{}
	described := 0
	for _, d := range docs {
		byName[d.Name] = d.Package
		if d.Package.Description != "" {
			described++
		}
	}
	if described != 35145 {
		t.Errorf("%d packages with a description, want 35,145", described)
	}
	pg := byName["postgresql_16"]
	if pg == nil || pg.Pname != "postgresql" || !strings.HasPrefix(pg.Version, "16.") ||
		!strings.HasPrefix(pg.Position, "pkgs/servers/sql/postgresql/") || len(pg.Licenses) == 0 {
		t.Errorf("postgresql_16: %+v", pg)
	}
	if r := byName["python3Packages.requests"]; r == nil || r.Description == "" || len(r.Homepage) == 0 {
		t.Errorf("python3Packages.requests: %+v", r)
	}
	// f1_8's version in the file is "${majorVersion}.${minorVersion}":
	// unevaluated Nix, so no version.
	if f := byName["f1_8"]; f == nil || f.Version != "" {
		t.Errorf("f1_8: %+v, want no version", f)
	}
	if f := byName["ffmpeg"]; f == nil || f.MainProgram != "ffmpeg" {
		t.Errorf("ffmpeg: %+v", f)
	}
}
