package nixexpr

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

var cases = []struct{ in, want string }{
	{`null`, `null`},
	{`true`, `true`},
	{`42`, `42`},
	{`-7`, `-7`},
	{`1.5`, `1.5`},
	{`1e3`, `1.0e3`},
	{`-2.5E-3`, `-2.5e-3`},
	{`"plain"`, `"plain"`},
	{`"quote \" backslash \\ dollar ${x} $y"`, `"quote \" backslash \\ dollar \${x} $y"`},
	{`"tab\there"`, `"tab\there"`},
	{`[]`, `[ ]`},
	{`{}`, `{ }`},
	{`[1, -2, "x"]`, `[ 1 (-2) "x" ]`},
	{`{"a": 1, "b-c": true, "1x": null, "with": "k", "a b": []}`, `{ a = 1; b-c = true; "1x" = null; "with" = "k"; "a b" = [ ]; }`},
	{`"line one\nline two\n"`, "''\n  line one\n  line two\n''"},
	{`"a\n  indented ''x'' ${y}"`, "''\n  a\n    indented '''x''' ''${y}''"},
	{`"ends with quote\n'"`, `"ends with quote\n'"`},
	{`"  all indented\n  lines"`, `"  all indented\n  lines"`},
	{`{"settings": {"listen": ["0.0.0.0:3000", "[::]:3000"], "log": {"level": "info", "format": "json"}, "limits": {"rps": 100}}}`,
		"{\n  settings = {\n    listen = [ \"0.0.0.0:3000\" \"[::]:3000\" ];\n    log = { level = \"info\"; format = \"json\"; };\n    limits = { rps = 100; };\n  };\n}"},
}

func TestFromJSON(t *testing.T) {
	for _, c := range cases {
		got, err := FromJSON([]byte(c.in))
		if err != nil {
			t.Errorf("FromJSON(%s): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("FromJSON(%s) =\n%s\nwant\n%s", c.in, got, c.want)
		}
	}
	for _, bad := range []string{``, `{`, `[1,]`, `1 2`} {
		if _, err := FromJSON([]byte(bad)); err == nil {
			t.Errorf("FromJSON(%q) accepted invalid JSON", bad)
		}
	}
}

// TestRoundTripThroughNix evaluates every printed expression with Nix and
// checks it gives back the JSON value it was printed from.
func TestRoundTripThroughNix(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate not on PATH (apt-get install nix-bin) — round trip through Nix not checked")
	}
	inputs := []string{`{"long": "` + strings.Repeat("x", 100) + `", "list": [` + strings.Repeat(`{"a": -1.5e2}, `, 8) + `null]}`,
		`"line\n\nwith blank line\n"`, `"\nstarts with newline"`, `"trailing spaces   \nx"`}
	for _, c := range cases {
		inputs = append(inputs, c.in)
	}
	for _, in := range inputs {
		expr, err := FromJSON([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", "("+expr+")").CombinedOutput()
		if err != nil {
			t.Errorf("Nix rejects %s printed as\n%s\n%s", in, expr, out)
			continue
		}
		if !sameJSON(t, in, string(out)) {
			t.Errorf("%s printed as\n%s\nevaluates to %s", in, expr, out)
		}
	}
}

func sameJSON(t *testing.T, a, b string) bool {
	var x, y any
	dec := json.NewDecoder(strings.NewReader(a))
	if err := dec.Decode(&x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("nix output %q: %v", b, err)
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}

// FuzzFromJSON: any valid JSON prints without error, and printing is
// deterministic. (The Nix round trip is checked by the test above; the
// fuzzer cannot run Nix for every input.)
func FuzzFromJSON(f *testing.F) {
	for _, c := range cases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return
		}
		a, err := FromJSON([]byte(in))
		if err != nil {
			t.Fatalf("valid JSON %q rejected: %v", in, err)
		}
		b, _ := FromJSON([]byte(in))
		if a != b {
			t.Fatal("not deterministic")
		}
	})
}
