package indexer

import (
	"errors"
	"testing"
)

// The JSON readers take files from anywhere (--options, --packages); the
// fuzz targets check they never panic, and that every failure is a
// PositionError naming the file. Run e.g.
//   go test ./indexer -run XXX -fuzz FuzzParseOptions -fuzztime 30s

func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var pe *PositionError
	if !errors.As(err, &pe) || pe.File != "fuzz.json" {
		t.Fatalf("error without file position: %v", err)
	}
}

func FuzzParseOptions(f *testing.F) {
	f.Add(sampleOptions)
	f.Add(`{"a": {"default": {"_type": "literalMD"}}}`)
	f.Add(`{"a": {"declarations": ["x.nix:0", {"url": "u"}, 3]}}`)
	f.Add(`[]`)
	f.Add(`{"a": {"loc": []}, "a": {}}`)
	f.Fuzz(func(t *testing.T, in string) {
		docs, err := ParseOptions("fuzz.json", []byte(in), "s")
		checkFuzzError(t, err)
		for _, d := range docs {
			if d.Kind != KindOption || d.Option == nil || d.Name == "" || len(d.Option.Loc) == 0 {
				t.Fatalf("bad document %+v", d)
			}
		}
	})
}

func FuzzParsePackages(f *testing.F) {
	f.Add(samplePackages)
	f.Add(`{"a": {"meta": {"license": [[["x"]]], "homepage": []}}}`)
	f.Add(`{"a": {"name": "-1", "meta": {"maintainers": ["x", {}]}}}`)
	f.Fuzz(func(t *testing.T, in string) {
		docs, err := ParsePackages("fuzz.json", []byte(in), "s")
		checkFuzzError(t, err)
		for _, d := range docs {
			if d.Kind != KindPackage || d.Package == nil || d.Name == "" {
				t.Fatalf("bad document %+v", d)
			}
		}
	})
}

func FuzzParseExport(f *testing.F) {
	f.Add(`{"meta": {"schemaVersion": 1}, "options": {}, "packages": {}, "modules": {"a": {"optionPrefix": "x"}}, "templates": {}}`)
	f.Add(`{"meta": {"schemaVersion": 1}, "options": ` + sampleOptions + `, "packages": ` + samplePackages + `}`)
	f.Fuzz(func(t *testing.T, in string) {
		_, err := ParseExport("fuzz.json", []byte(in), PrimaryScope)
		checkFuzzError(t, err)
	})
}

func FuzzParseGuide(f *testing.F) {
	f.Add("---\ntitle: x\nweight: 2\n---\nbody")
	f.Add("---\n---\n# T")
	f.Add("---\ntitle: [\n---\n")
	f.Fuzz(func(t *testing.T, in string) {
		d, err := ParseGuide("fuzz.json", "a/b.md", []byte(in))
		checkFuzzError(t, err)
		if err == nil && d != nil && (d.Title == "" || d.Guide.BodyLine < 1) {
			t.Fatalf("guide without title or body line: %+v", d)
		}
	})
}
