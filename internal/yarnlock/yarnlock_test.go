package yarnlock

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func parseFile(t *testing.T, path string) *Lockfile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lf, err := Parse(path, f)
	if err != nil {
		t.Fatal(err)
	}
	return lf
}

func TestParseEntriesAndSources(t *testing.T) {
	lf := parseFile(t, "testdata/yarn.lock")
	if lf.Version != "8" || lf.CacheKey != "10c0" {
		t.Errorf("metadata = %q %q, want 8 10c0", lf.Version, lf.CacheKey)
	}
	type got struct {
		line       int
		source     string
		conditions string
		checksum   bool
	}
	var all []got
	for _, e := range lf.Entries {
		p, err := e.Source()
		s := p.String()
		if errors.Is(err, ErrLocal) {
			s = "local"
		} else if err != nil {
			t.Fatalf("line %d: %v", e.Line, err)
		}
		all = append(all, got{e.Line, s, e.Conditions.String(), e.Checksum != ""})
	}
	want := []got{
		{8, "@next/swc-linux-x64-gnu@15.5.18", "cpu=x64 & libc=glibc & os=linux", false},
		{15, "local", "", false},
		{24, "string-width@4.2.3", "", true},
		// The built-in patch is applied by Yarn to the registry package.
		{31, "typescript@5.9.3", "", true},
	}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("entries:\n got %+v\nwant %+v", all, want)
	}
	if d := lf.Entries[2].Descriptors; !reflect.DeepEqual(d, []string{"string-width-cjs@npm:string-width@^4.2.0", "string-width@npm:^4.1.0"}) {
		t.Errorf("descriptors = %q", d)
	}
}

func TestUnsupportedProtocolNamesFileAndLine(t *testing.T) {
	lock := "__metadata:\n  version: 8\n\n\"dep@https://example.org/dep.tgz\":\n  version: 1.0.0\n  resolution: \"dep@https://example.org/dep.tgz\"\n"
	lf, err := Parse("x.lock", strings.NewReader(lock))
	if err != nil {
		t.Fatal(err)
	}
	_, err = lf.Entries[0].Source()
	if err == nil || !strings.Contains(err.Error(), `protocol "https"`) {
		t.Fatalf("Source() = %v, want an error naming the https protocol", err)
	}
	if lf.Entries[0].Line != 4 {
		t.Errorf("line = %d, want 4", lf.Entries[0].Line)
	}
}

func TestParseErrors(t *testing.T) {
	for name, tc := range map[string]struct{ lock, want string }{
		"yarn 1":        {"# yarn lockfile v1\n\n\"a@^1\":\n  version \"1.0.0\"\n", "x.lock: a Yarn 1 lockfile"},
		"no resolution": {"__metadata:\n  version: 8\n\"a@npm:^1\":\n  version: 1.0.0\n", "x.lock:3: entry \"a@npm:^1\" has no resolution"},
		"bad condition": {"__metadata:\n  version: 8\n\"a@npm:1\":\n  resolution: \"a@npm:1.0.0\"\n  conditions: os\n", "x.lock:3: entry \"a@npm:1\": conditions \"os\""},
		"bad locator":   {"__metadata:\n  version: 8\n\"a\":\n  resolution: \"a\"\n", "x.lock:3: entry \"a\": locator \"a\""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("x.lock", strings.NewReader(tc.lock))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestRangeInNpmResolutionIsRefused(t *testing.T) {
	_, err := Entry{Resolution: Locator{Name: "a", Protocol: "npm", Reference: "^1.0.0"}}.Source()
	if err == nil || !strings.Contains(err.Error(), "not an exact version") {
		t.Fatalf("Source() = %v", err)
	}
}
