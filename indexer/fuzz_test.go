package indexer

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
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

// FuzzScanMembers checks the fast member scan against json.Decoder: on
// input both accept they give the same members at the same offsets; where
// the fast scan accepts what the decoder refuses, the fault is inside a
// member value, which json.Unmarshal refuses later; and every object the
// decoder accepts is split by the fast scan too.
func FuzzScanMembers(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":1,"b":[1,{"c":"]}"}],"d":"x\"y"}`, `{"a\u00e9":true}`,
		`{"a":1,}`, `{"a" 1}`, `{"a":1}{}`, `[1]`, `{"a":"\x01"}`, `{"a":[1,,2]}`, `{"a":1,"a":2}`,
		`{"k":"\\\\"}`, `{"k":-}`, "{\"a\":\"\xff\"}", "{\"\xff\":1}", `{"a":{"b":[}}`, `{"a":nul}`,
	} {
		f.Add([]byte(s))
	}
	for _, name := range []string{"testdata/packages.json", "testdata/options.json"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := scanMembers(data)
		var slow []member
		err := decodeMembers("f.json", data, func(m member) { slow = append(slow, m) })
		switch {
		case ok && err == nil:
			if len(fast) != len(slow) {
				t.Fatalf("fast scan found %d members, decoder %d", len(fast), len(slow))
			}
			for i := range fast {
				if fast[i].Key != slow[i].Key || fast[i].Offset != slow[i].Offset || !bytes.Equal(fast[i].Value, slow[i].Value) {
					t.Fatalf("member %d: fast %q@%d %q, decoder %q@%d %q", i, fast[i].Key, fast[i].Offset, fast[i].Value,
						slow[i].Key, slow[i].Offset, slow[i].Value)
				}
			}
		case ok && err != nil:
			for _, m := range fast {
				if !json.Valid(m.Value) {
					return
				}
			}
			t.Fatalf("decoder refused (%v) but every member the fast scan found is valid JSON", err)
		case !ok && err == nil:
			t.Fatalf("decoder accepted an object the fast scan refused: %q", data)
		}
	})
}

// FuzzJSONString checks jsonString's shortcut against json.Unmarshal on
// valid JSON, which is all it is given. Only strings count: Unmarshal
// also takes null into a string.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{`"x86_64-linux"`, ` "a b" `, `"a\"b"`, `"\u00e9"`, "\"\xff\"", `1`, `null`, `["a"]`, `""`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		var want string
		wantOK := json.Unmarshal(raw, &want) == nil && bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`))
		got, ok := jsonString(raw)
		if ok != wantOK || got != want {
			t.Fatalf("jsonString(%q) = %q, %v; json.Unmarshal gives %q, %v", raw, got, ok, want, wantOK)
		}
	})
}
