package examples_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"github.com/atproto-nur/atproto-nur/internal/testcorpus"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// nixosOption is the part of an options.json entry the check needs.
type nixosOption struct {
	Type string `json:"type"`
}

// optionTree indexes option names by their dotted components; "<name>" and
// "*" (attribute set and list of submodules) match any component.
type optionTree struct {
	children map[string]*optionTree
	option   *nixosOption
}

func newOptionTree(options map[string]nixosOption) *optionTree {
	root := &optionTree{children: map[string]*optionTree{}}
	for name, o := range options {
		n := root
		for _, c := range strings.Split(name, ".") {
			if c == "*" {
				c = "<name>"
			}
			next := n.children[c]
			if next == nil {
				next = &optionTree{children: map[string]*optionTree{}}
				n.children[c] = next
			}
			n = next
		}
		o := o
		n.option = &o
	}
	return root
}

// check says what is wrong with setting path, or "" when NixOS declares it:
// either an option of exactly that path, or an option above it whose type
// takes free-form values (settings, serviceConfig, nixpkgs.config).
func (t *optionTree) check(path []string) string {
	type state struct {
		node  *optionTree
		depth int
	}
	// Every node reachable by the path, matching literally or by <name>.
	frontier := []state{{t, 0}}
	deepest := 0
	var freeform *nixosOption
	freeformAt := 0
	for len(frontier) > 0 {
		s := frontier[0]
		frontier = frontier[1:]
		if s.depth > deepest {
			deepest = s.depth
		}
		if s.node.option != nil {
			if s.depth == len(path) {
				return ""
			}
			if !strings.Contains(s.node.option.Type, "submodule") && s.depth > freeformAt {
				freeform, freeformAt = s.node.option, s.depth
			}
		}
		if s.depth == len(path) {
			continue
		}
		for _, key := range []string{path[s.depth], "<name>"} {
			if c := s.node.children[key]; c != nil {
				frontier = append(frontier, state{c, s.depth + 1})
			}
		}
	}
	if freeform != nil {
		return ""
	}
	return fmt.Sprintf("NixOS has no option %s (the path is known up to %q)",
		strings.Join(path, "."), strings.Join(path[:deepest], "."))
}

func loadCorpus(t *testing.T) map[string]nixosOption {
	t.Helper()
	// The NixOS option list (nixosOptionsDoc options.json), shared next to
	// the checkout; it is never copied into the repository.
	corpusPath := testcorpus.Path(t, "nixos-options.json.gz")
	f, err := os.Open(corpusPath)
	if err != nil {
		t.Skipf("skipped: NixOS option corpus not found at %s (%v); put nixos-options.json.gz there to enable this test", corpusPath, err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("reading %s: %v", corpusPath, err)
	}
	options := map[string]nixosOption{}
	if err := json.NewDecoder(z).Decode(&options); err != nil {
		t.Fatalf("decoding %s: %v", corpusPath, err)
	}
	return options
}

// setPaths evaluates nix/tests/examples/set-paths.nix: per example, the
// NixOS option paths it sets outside services.atproto.
func setPaths(t *testing.T) map[string][][]string {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("skipped: nix-instantiate not found (Debian: apt-get install nix-bin)")
	}
	if err := exec.Command("nix-instantiate", "--eval", "-E", "(import <nixpkgs/lib>).version").Run(); err != nil {
		t.Skip("skipped: nixpkgs lib not on NIX_PATH (set NIX_PATH=nixpkgs=/path/to/nixpkgs-or-nixpkgs.lib)")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "../nix/tests/examples/set-paths.nix")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("evaluating nix/tests/examples/set-paths.nix: %v\n%s", err, stderr.String())
	}
	paths := map[string][][]string{}
	if err := json.Unmarshal(stdout.Bytes(), &paths); err != nil {
		t.Fatalf("reading the output of set-paths.nix: %v", err)
	}
	return paths
}

func TestExamplesSetRealNixOSOptions(t *testing.T) {
	tree := newOptionTree(loadCorpus(t))
	paths := setPaths(t)
	if len(paths) == 0 {
		t.Fatal("set-paths.nix listed no examples")
	}
	examples := make([]string, 0, len(paths))
	for e := range paths {
		examples = append(examples, e)
	}
	sort.Strings(examples)
	checked := 0
	for _, e := range examples {
		for _, p := range paths[e] {
			checked++
			if msg := tree.check(p); msg != "" {
				t.Errorf("examples/%s: %s", e, msg)
			}
		}
	}
	t.Logf("checked %d option paths set by %d examples against the NixOS option corpus", checked, len(examples))
}

// The lookup must reject what NixOS does not have, including a typo below
// an attribute set of submodules, and accept free-form settings.
func TestOptionCheckCatchesTypos(t *testing.T) {
	tree := newOptionTree(map[string]nixosOption{
		"services.nginx.virtualHosts":                                   {Type: "attribute set of (submodule)"},
		"services.nginx.virtualHosts.<name>.locations":                  {Type: "attribute set of (submodule)"},
		"services.nginx.virtualHosts.<name>.locations.<name>.proxyPass": {Type: "null or string"},
		"nixpkgs.config":                               {Type: "nixpkgs config"},
		"services.prometheus.scrapeConfigs":            {Type: "list of (submodule)"},
		"services.prometheus.scrapeConfigs.*.job_name": {Type: "string"},
	})
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{"services.nginx.virtualHosts|pds.example.com|locations|/|proxyPass", true},
		{"services.nginx.virtualHosts|pds.example.com|locations|/|proxyPas", false},
		{"services.nginx.virtualHost|pds.example.com", false},
		{"nixpkgs.config.permittedInsecurePackages", true},
		{"services.prometheus.scrapeConfigs", true},
		{"services.nginx", false},
	} {
		// "pds.example.com" and "/" stay single components.
		got := tree.check(splitKeepingHosts(tc.path))
		if (got == "") != tc.ok {
			t.Errorf("check(%q) = %q, want ok=%v", tc.path, got, tc.ok)
		}
	}
}

// splitKeepingHosts splits a test path on "|" first (attribute names that
// contain dots) and then splits the other parts on ".".
func splitKeepingHosts(p string) []string {
	var out []string
	for i, part := range strings.Split(p, "|") {
		if i == 0 {
			out = append(out, strings.Split(part, ".")...)
		} else {
			out = append(out, part)
		}
	}
	return out
}
