package changes

import (
	"bytes"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// options parses an options.json text with the indexer, as nurdocs reads
// every option set.
func options(t testing.TB, js string) []indexer.Document {
	t.Helper()
	docs, err := indexer.ParseOptions("test.json", []byte(js), indexer.PrimaryScope)
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func packages(t testing.TB, js string) []indexer.Document {
	t.Helper()
	docs, err := indexer.ParsePackages("test.json", []byte(js), indexer.PrimaryScope)
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// find returns the changes of one name.
func find(r *Report, name string) []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

const beforeOptions = `{
 "services.atproto.pds.port": {"type": "16 bit unsigned integer; between 0 and 65535 (both inclusive)", "description": "Port.", "default": {"_type": "literalExpression", "text": "3000"}, "declarations": [{"name": "nix/modules/pds.nix", "line": 10}], "loc": ["services","atproto","pds","port"]},
 "services.atproto.pds.hostname": {"type": "string", "description": "The  host\nname.", "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","hostname"]},
 "services.atproto.pds.oldName": {"type": "boolean", "description": "Old.", "default": false, "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","oldName"]},
 "services.atproto.pds.legacy": {"type": "boolean", "description": "Legacy mode.", "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","legacy"]},
 "services.atproto.pds.gone": {"type": "string", "description": "Gone without a trace.", "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","gone"]},
 "services.atproto.pds.moved": {"type": "string", "description": "Moved.", "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","moved"]},
 "services.atproto.pds.level": {"type": "integer", "description": "Level.", "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","level"]},
 "services.atproto.pds.listeners": {"type": "list", "description": "Internal.", "internal": true, "visible": false, "declarations": ["nix/lib/service.nix"], "loc": ["services","atproto","pds","listeners"]}
}`

const afterOptions = `{
 "services.atproto.pds.port": {"type": "16 bit unsigned integer; between 0 and 65535 (both inclusive)", "description": "Port.", "default": {"_type": "literalExpression", "text": "2583"}, "declarations": [{"name": "nix/modules/pds.nix", "line": 12}], "loc": ["services","atproto","pds","port"]},
 "services.atproto.pds.hostname": {"type": "null or string", "description": "The host name.\n", "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","hostname"]},
 "services.atproto.pds.oldName": {"type": "boolean", "description": "Alias of {option}` + "`services.atproto.pds.newName`" + `.", "visible": false, "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","oldName"]},
 "services.atproto.pds.newName": {"type": "boolean", "description": "New.", "default": true, "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","newName"]},
 "services.atproto.pds.legacy": {"type": "unspecified", "description": null, "visible": false, "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","legacy"]},
 "services.atproto.pds.level": {"type": "unspecified", "description": null, "visible": false, "default": {"_type": "literalExpression", "text": "\"_mkMergedOptionModule\""}, "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","level"]},
 "services.atproto.pds.settings.moved": {"type": "string", "description": "Moved.", "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","settings","moved"]},
 "services.atproto.pds.fresh": {"type": "boolean", "description": "Fresh.", "declarations": ["nix/modules/pds.nix"], "loc": ["services","atproto","pds","fresh"]}
}`

func TestCompareOptions(t *testing.T) {
	r := Compare(options(t, beforeOptions), options(t, afterOptions))
	type want struct {
		what          What
		before, after string
		helper        Helper
		suggest       string
	}
	cases := map[string][]want{
		"services.atproto.pds.port":           {{what: Default, before: "3000", after: "2583"}},
		"services.atproto.pds.hostname":       {{what: Type, before: "string", after: "null or string"}}, // description differs in white space only
		"services.atproto.pds.newName":        {{what: Renamed, before: "services.atproto.pds.oldName", after: "services.atproto.pds.newName", helper: RenamedHelper}, {what: Default, before: "false", after: "true"}},
		"services.atproto.pds.legacy":         {{what: Removed, helper: RemovedHelper}},
		"services.atproto.pds.level":          {{what: Removed, helper: ChangedHelper}},
		"services.atproto.pds.gone":           {{what: Removed}},
		"services.atproto.pds.moved":          {{what: Removed, suggest: "services.atproto.pds.settings.moved"}},
		"services.atproto.pds.settings.moved": {{what: Added, after: "string"}},
		"services.atproto.pds.fresh":          {{what: Added, after: "boolean"}},
		"services.atproto.pds.listeners":      {{what: Removed}},
		"services.atproto.pds.oldName":        nil, // reported under its new name
	}
	for name, ws := range cases {
		got := find(r, name)
		if len(got) != len(ws) {
			t.Errorf("%s: got %d changes %+v, want %d", name, len(got), got, len(ws))
			continue
		}
		for i, w := range ws {
			g := got[i]
			if g.What != w.what || g.Before != w.before || g.After != w.after || g.Helper != w.helper || g.Suggest != w.suggest {
				t.Errorf("%s change %d = %+v, want %+v", name, i, g, w)
			}
		}
	}
	if n := len(r.Changes); n != 11 {
		t.Errorf("%d changes, want 11: %+v", n, r.Changes)
	}
	var un []string
	for _, c := range r.Unmigrated() {
		un = append(un, c.Name)
	}
	// The internal listeners option is gone too, but nobody sets it.
	if got := strings.Join(un, " "); got != "services.atproto.pds.gone services.atproto.pds.moved" {
		t.Errorf("Unmigrated = %s", got)
	}
	if f := find(r, "services.atproto.pds.gone")[0].File; f != "nix/modules/pds.nix" {
		t.Errorf("removal names file %q", f)
	}
}

func TestCompareIdenticalSetsFindsNothing(t *testing.T) {
	r := Compare(options(t, afterOptions), options(t, afterOptions))
	if len(r.Changes) != 0 {
		t.Errorf("identical sets differ: %+v", r.Changes)
	}
	if r.Summary() != "no changes" {
		t.Errorf("Summary = %q", r.Summary())
	}
}

func TestComparePackages(t *testing.T) {
	before := packages(t, `{
 "pds": {"pname": "pds", "version": "0.4.100", "meta": {"license": {"spdxId": "MIT"}, "mainProgram": "pds", "knownVulnerabilities": ["CVE-1"], "position": "nix/pkgs/pds/package.nix:3"}},
 "relay": {"pname": "relay", "version": "1.0", "meta": {"license": [{"spdxId": "MIT"}, {"spdxId": "Apache-2.0"}], "mainProgram": "relay"}},
 "old": {"pname": "old", "version": "1", "meta": {}}
}`)
	after := packages(t, `{
 "pds": {"pname": "pds", "version": "0.4.208", "meta": {"license": {"spdxId": "AGPL-3.0-only"}, "mainProgram": "pds-server", "knownVulnerabilities": ["CVE-2"], "position": "nix/pkgs/pds/package.nix:3"}},
 "relay": {"pname": "relay", "version": "1.0", "meta": {"license": [{"spdxId": "Apache-2.0"}, {"spdxId": "MIT"}], "mainProgram": "relay"}},
 "new": {"pname": "new", "version": "2", "meta": {}}
}`)
	r := Compare(before, after)
	var got []string
	for _, c := range r.Changes {
		got = append(got, c.Name+" "+Describe(c))
	}
	want := []string{
		"new new package (2)",
		"old removed",
		"pds version 0.4.100 → 0.4.208",
		"pds licence: MIT → AGPL-3.0-only",
		"pds known vulnerability added: CVE-2",
		"pds known vulnerability cleared: CVE-1",
		"pds main program: pds → pds-server",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if f := find(r, "pds")[0].File; f != "nix/pkgs/pds/package.nix" {
		t.Errorf("package file %q", f)
	}
}

func TestEqualIgnoringSpace(t *testing.T) {
	for _, c := range []struct {
		a, b string
		eq   bool
	}{
		{"", "", true}, {"a b", "a  b", true}, {" a\nb\t", "a b", true}, {"a b", "ab", false},
		{"a", "a b", false}, {"ab", "a", false}, {"", " \n", true}, {"a", "b", false}, {"a bc", "a b", false},
	} {
		if got := equalIgnoringSpace(c.a, c.b); got != c.eq {
			t.Errorf("equalIgnoringSpace(%q, %q) = %v", c.a, c.b, got)
		}
		if got := equalIgnoringSpace(c.b, c.a); got != c.eq {
			t.Errorf("equalIgnoringSpace(%q, %q) = %v", c.b, c.a, got)
		}
	}
}

func TestWriteText(t *testing.T) {
	r := Compare(options(t, beforeOptions), options(t, afterOptions))
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, s := range []string{
		"options: 2 added, 1 renamed, 5 removed, 1 with a new type, 2 with a new default",
		"2 removed options have no migration helper",
		"services.atproto.pds.moved (removed without a migration helper; perhaps renamed to services.atproto.pds.settings.moved)",
		"renamed from services.atproto.pds.oldName (mkRenamedOptionModule)",
		"default: 3000 → 2583",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("text lacks %q:\n%s", s, out)
		}
	}
}

// TestRemovedInsideASubmodule: a key of an open (freeform) submodule that
// is no longer declared still evaluates when set, so it is not a breaking
// removal; one inside a closed submodule is, and the advice does not name
// the top-level helpers, which cannot reach it.
func TestRemovedInsideASubmodule(t *testing.T) {
	before := options(t, `{
 "services.atproto.tap.settings": {"type": "open submodule of attribute set of string", "description": "Settings.", "declarations": ["nix/modules/tap.nix"], "loc": ["services","atproto","tap","settings"]},
 "services.atproto.tap.settings.TAP_ENV": {"type": "string", "description": "Environment.", "declarations": ["nix/modules/tap.nix"], "loc": ["services","atproto","tap","settings","TAP_ENV"]},
 "services.atproto.tap.instances": {"type": "attribute set of (submodule)", "description": "Instances.", "declarations": ["nix/modules/tap.nix"], "loc": ["services","atproto","tap","instances"]},
 "services.atproto.tap.instances.<name>.port": {"type": "16 bit unsigned integer", "description": "Port.", "declarations": ["nix/modules/tap.nix"], "loc": ["services","atproto","tap","instances","<name>","port"]}
}`)
	after := options(t, `{
 "services.atproto.tap.settings": {"type": "open submodule of attribute set of string", "description": "Settings.", "declarations": ["nix/modules/tap.nix"], "loc": ["services","atproto","tap","settings"]},
 "services.atproto.tap.instances": {"type": "attribute set of (submodule)", "description": "Instances.", "declarations": ["nix/modules/tap.nix"], "loc": ["services","atproto","tap","instances"]}
}`)
	r := Compare(before, after)
	mods := []indexer.Module{{Name: "tap", File: "nix/modules/tap.nix", OptionPrefix: "services.atproto.tap"}}
	pt := r.PassedThrough()
	if len(pt) != 1 || pt[0].Name != "services.atproto.tap.settings.TAP_ENV" || pt[0].Within != "services.atproto.tap.settings" {
		t.Fatalf("PassedThrough = %+v", pt)
	}
	if a := Advice(pt[0], mods); !strings.Contains(a, `add aliases = { TAP_ENV = "<new name>"; }; to the mkService call in nix/modules/tap.nix`) {
		t.Errorf("advice for a settings key: %s", a)
	}
	un := r.Unmigrated()
	if len(un) != 1 || un[0].Name != "services.atproto.tap.instances.<name>.port" || un[0].Within != "services.atproto.tap.instances" || un[0].Open {
		t.Fatalf("Unmigrated = %+v", un)
	}
	if a := Advice(un[0], mods); strings.Contains(a, "removedOptions") || !strings.Contains(a, "inside the submodule services.atproto.tap.instances") {
		t.Errorf("advice for a closed submodule's option: %s", a)
	}
}
