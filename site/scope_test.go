package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// nixosOptions writes a small options.json in the NixOS shape, with a
// declaration inside nixpkgs, and returns its path.
func nixosOptions(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "options.json")
	err := os.WriteFile(p, []byte(`{"services.nginx.enable": {"declarations": ["nixos/modules/services/web-servers/nginx/default.nix"],
		"description": "Whether to enable Nginx.", "type": "boolean", "loc": ["services", "nginx", "enable"], "readOnly": false,
		"default": {"_type": "literalExpression", "text": "false"}}}`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNixOSScopeLinksToNixpkgs checks that declarations of the NixOS
// option set link into nixpkgs without --scope-source, at the revision
// when one is given, and that its pages and landing page say which.
func TestNixOSScopeLinksToNixpkgs(t *testing.T) {
	opts := nixosOptions(t)
	for _, rev := range []string{"", "0123abcd"} {
		out := filepath.Join(t.TempDir(), "public")
		cfg := Config{NoMinify: true}
		if rev != "" {
			cfg.ScopeRevision = map[string]string{"NixOS": rev}
		}
		buildSite(t, &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceNone, ContentDir: t.TempDir(),
			Options: []indexer.FileInput{{Path: opts, Scope: "NixOS"}}}, cfg, out)
		page := readFile(t, filepath.Join(out, "scope/NixOS/options/services.nginx/index.html"))
		branch := "master"
		if rev != "" {
			branch = rev
		}
		want := `href="https://github.com/NixOS/nixpkgs/blob/` + branch + `/nixos/modules/services/web-servers/nginx/default.nix"`
		if !strings.Contains(page, want) {
			t.Errorf("revision %q: no declared-in link %s", rev, want)
		}
		landing := readFile(t, filepath.Join(out, "scope/NixOS/index.html"))
		for name, html := range map[string]string{"option page": page, "scope page": landing} {
			text := stripTags(html)
			if rev != "" && !strings.Contains(text, "NixOS options from NixOS/nixpkgs at revision "+rev+".") {
				t.Errorf("revision %q: the %s does not name the revision", rev, name)
			}
			if rev == "" && !strings.Contains(text, "The revision they were taken from is not recorded") {
				t.Errorf("no revision: the %s does not say it is unknown", name)
			}
		}
		if !strings.Contains(landing, `href="/scope/NixOS/all-options/"`) {
			t.Error("the NixOS scope page does not link its all-options page")
		}
	}
}
