package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/site"
)

// TestCheckReportsProblems runs check over the site package's test data,
// which has a broken option reference in a description and in a guide,
// and packages without description or licence.
func TestCheckReportsProblems(t *testing.T) {
	td := filepath.Join("..", "..", "site", "testdata")
	src := &indexer.Sources{Repo: td, Mode: indexer.SourceNone, ContentDir: filepath.Join(td, "content"),
		Options:  []indexer.FileInput{{Path: filepath.Join(td, "options.json"), Scope: indexer.PrimaryScope}},
		Packages: []indexer.FileInput{{Path: filepath.Join(td, "packages.json"), Scope: indexer.PrimaryScope}}}
	var out bytes.Buffer
	n, err := check(context.Background(), &out, src, site.Config{})
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		`error: option services.test.script: unknown option "services.test.missing"`,
		`site/testdata/content/operate/backups.md:7: unknown option "services.test.nope"`,
		`error: package /etc/passwd has no license (meta.license)`,
		`error: package .. has no description (meta.description)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("check output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "option services.test.internalThing has no description") {
		t.Error("internal options need no description")
	}
	if n < 4 {
		t.Errorf("check counted %d errors", n)
	}
}

// TestCheckCleanInput: a correct option set passes.
func TestCheckCleanInput(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "options.json")
	os.WriteFile(p, []byte(`{"services.x.enable": {"description": "Whether to run x. See {option}`+"`services.x.enable`"+`.", "type": "boolean", "loc": ["services", "x", "enable"], "declarations": []}}`), 0o644)
	src := &indexer.Sources{Repo: dir, Mode: indexer.SourceNone, Options: []indexer.FileInput{{Path: p, Scope: indexer.PrimaryScope}}}
	var out bytes.Buffer
	n, err := check(context.Background(), &out, src, site.Config{})
	if err != nil || n != 0 {
		t.Errorf("clean input: %d errors, %v\n%s", n, err, out.String())
	}
}

// TestBuildCommand runs the build subcommand end to end with flags.
func TestBuildCommand(t *testing.T) {
	td := filepath.Join("..", "..", "site", "testdata")
	out := filepath.Join(t.TempDir(), "public")
	err := runBuild(context.Background(), []string{"--source", "none", "--out", out, "--base-url", "/sub/",
		"--content", filepath.Join(td, "content"),
		"--options", filepath.Join(td, "options.json") + "=atproto",
		"--packages", filepath.Join(td, "packages.json") + "=atproto"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "options", "services.test", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `href="/sub/static/style.css"`) {
		t.Error("base URL not applied")
	}
	if _, err := os.Stat(filepath.Join(out, "search", "manifest.json")); err != nil {
		t.Errorf("search index not written: %v", err)
	}
	if err := runBuild(context.Background(), []string{"--no-such-flag"}); err != errUsage {
		t.Errorf("bad flag: %v", err)
	}
	if err := runBuild(context.Background(), []string{"--source", "none", "--out", out, "--options", "missing.json"}); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing input: %v", err)
	}
}

// TestCheckStaleSnapshot: after a module changes, check fails and names
// the file, even without Nix.
func TestCheckStaleSnapshot(t *testing.T) {
	repo := t.TempDir()
	os.MkdirAll(filepath.Join(repo, "nix", "modules"), 0o755)
	mod := filepath.Join(repo, "nix", "modules", "a.nix")
	os.WriteFile(mod, []byte("{ }"), 0o644)
	export := []byte(`{"meta":{"schemaVersion":1,"generatedBy":"t","revision":null,"nixpkgsLibVersion":"x"},"options":{},"packages":{}}`)
	if err := indexer.WriteSnapshot(repo, export, "", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NIX_PATH", "nixpkgs=/nonexistent") // the hash comparison alone must catch it
	src := &indexer.Sources{Repo: repo, Mode: indexer.SourceSnapshot}
	var out bytes.Buffer
	if n, err := check(context.Background(), &out, src, site.Config{}); err != nil || n != 0 {
		t.Fatalf("fresh snapshot: %d errors, %v\n%s", n, err, out.String())
	}
	os.WriteFile(mod, []byte("{ changed = true; }"), 0o644)
	out.Reset()
	n, err := check(context.Background(), &out, src, site.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || !strings.Contains(out.String(), "is stale: nix/modules/a.nix changed") {
		t.Errorf("%d errors:\n%s", n, out.String())
	}
}
