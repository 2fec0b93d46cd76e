package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/search"
)

// optionsJSON writes a nixosOptionsDoc options.json with the given options.
func optionsJSON(t *testing.T, path string, opts map[string]string) {
	t.Helper()
	doc := map[string]any{}
	for name, desc := range opts {
		doc[name] = map[string]any{
			"declarations": []string{"nixos/modules/test.nix"}, "description": desc, "loc": strings.Split(name, "."),
			"readOnly": false, "type": "boolean", "default": map[string]string{"_type": "literalExpression", "text": "false"},
		}
	}
	data, _ := json.Marshal(doc)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func runSearchCapture(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var buf bytes.Buffer
	searchOut = &buf
	defer func() { searchOut = os.Stdout }()
	err := runSearch(context.Background(), args)
	return buf.String(), err
}

func TestSearchCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "options.json")
	optionsJSON(t, file, map[string]string{
		"services.openssh.enable":       "Whether to enable the OpenSSH daemon.",
		"services.openssh.openFirewall": "Whether to open the ports in the firewall.",
		"services.nginx.enable":         "Whether to enable Nginx.",
	})
	common := []string{"--source", "none", "--repo", dir, "--options", file + "=NixOS", "--out", filepath.Join(dir, "public"), "--base-url", "/docs/"}

	// Flags may follow the query words.
	out, err := runSearchCapture(t, append([]string{"openssh"}, append(common, "--json", "--limit", "1")...)...)
	if err != nil {
		t.Fatal(err)
	}
	var rs []search.Result
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if len(rs) != 1 || rs[0].Name != "services.openssh.enable" || rs[0].Kind != "option" || !strings.HasPrefix(rs[0].URL, "/docs/") {
		t.Errorf("openssh --limit 1: %+v", rs)
	}
	if _, err := os.Stat(filepath.Join(dir, ".nurdocs", "search-public.bleve")); err != nil {
		t.Errorf("the bleve index is not beside the output: %v", err)
	}

	// Plain output: name, kind, description, URL; a typo still finds it.
	out, err = runSearchCapture(t, append(common, "ngnix")...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "services.nginx.enable  [option, NixOS]\n    Whether to enable Nginx.\n") || !strings.Contains(out, "/docs/") {
		t.Errorf("plain output:\n%s", out)
	}

	// A changed input rebuilds the stale index.
	optionsJSON(t, file, map[string]string{"services.caddy.enable": "Whether to enable Caddy."})
	out, err = runSearchCapture(t, append(common, "caddy", "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"services.caddy.enable"`) {
		t.Errorf("after the input changed: %s", out)
	}
	out, err = runSearchCapture(t, append(common, "nothingmatchesthis")...)
	if err != nil || !strings.Contains(out, "no results") {
		t.Errorf("no results: %q, %v", out, err)
	}
}

func TestSearchCommandErrors(t *testing.T) {
	if _, err := runSearchCapture(t, "--source", "none"); !errors.Is(err, errUsage) {
		t.Errorf("no query: %v", err)
	}
	if _, err := runSearchCapture(t, "x", "--kind", "module"); err == nil || !strings.Contains(err.Error(), "--kind") {
		t.Errorf("bad kind: %v", err)
	}
	if _, err := runSearchCapture(t, "x", "--limit", "0"); err == nil || !strings.Contains(err.Error(), "--limit") {
		t.Errorf("bad limit: %v", err)
	}
	// Over a limit: refused before anything is loaded, in one line that
	// names the limit and does not repeat the query.
	_, err := runSearchCapture(t, "--source", "none", "--repo", t.TempDir(), strings.Repeat("port ", 60))
	if err == nil || err.Error() != "query too long: at most 256 characters" {
		t.Errorf("a 300-character query: %v", err)
	}
}
