package indexer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// liveRepo returns the repository root when it can be evaluated here, or
// skips saying what is missing.
func liveRepo(t *testing.T) string {
	t.Helper()
	repo, _ := filepath.Abs("..")
	if err := NixAvailable(context.Background(), repo); err != nil {
		t.Skipf("%v (set NIX_PATH=nixpkgs=$HOME/.cache/nixpkgs-lib to run)", err)
	}
	return repo
}

// TestLiveEvaluation runs nix/docs through nix-instantiate and parses it.
func TestLiveEvaluation(t *testing.T) {
	repo := liveRepo(t)
	data, err := Evaluate(context.Background(), repo, "")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := ParseExport("live", data, PrimaryScope)
	if err != nil {
		t.Fatal(err)
	}
	checkExport(t, ex)
}

// TestSnapshotRoundTrip writes a snapshot into a copy of the Nix inputs,
// then changes an input and sees StaleInputs name it.
func TestSnapshotRoundTrip(t *testing.T) {
	repo := t.TempDir()
	os.MkdirAll(filepath.Join(repo, "nix", "modules"), 0o755)
	os.MkdirAll(filepath.Join(repo, "nix", "tests"), 0o755)
	os.WriteFile(filepath.Join(repo, "nix", "modules", "a.nix"), []byte("{ }"), 0o644)
	os.WriteFile(filepath.Join(repo, "flake.nix"), []byte("{ }"), 0o644)
	export := []byte(`{"meta":{"schemaVersion":1,"generatedBy":"t","revision":null,"nixpkgsLibVersion":"x"},"options":{},"packages":{}}`)
	if err := WriteSnapshot(repo, export, "", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadExport(filepath.Join(repo, SnapshotFile), PrimaryScope); err != nil {
		t.Fatalf("snapshot does not load: %v", err)
	}
	if stale, err := StaleInputs(repo); err != nil || len(stale) != 0 {
		t.Fatalf("fresh snapshot stale: %v %v", stale, err)
	}
	// Tests are not evaluation inputs.
	os.WriteFile(filepath.Join(repo, "nix", "tests", "t.nix"), []byte("x"), 0o644)
	if stale, _ := StaleInputs(repo); len(stale) != 0 {
		t.Errorf("a test file made the snapshot stale: %v", stale)
	}
	os.WriteFile(filepath.Join(repo, "nix", "modules", "a.nix"), []byte("{ x = 1; }"), 0o644)
	os.WriteFile(filepath.Join(repo, "nix", "modules", "b.nix"), []byte("{ }"), 0o644)
	os.Remove(filepath.Join(repo, "flake.nix"))
	stale, err := StaleInputs(repo)
	if err != nil {
		t.Fatal(err)
	}
	want := "flake.nix removed|nix/modules/a.nix changed|nix/modules/b.nix added"
	if strings.Join(stale, "|") != want {
		t.Errorf("stale = %q, want %q", strings.Join(stale, "|"), want)
	}
}

// TestSourcesFallBackToSnapshot: with Nix unusable the repository's data
// comes from the snapshot, and the source says so.
func TestSourcesFallBackToSnapshot(t *testing.T) {
	if _, err := os.Stat(filepath.Join("..", SnapshotFile)); err != nil {
		t.Skip("no snapshot in site/data yet: run nurdocs eval")
	}
	t.Setenv("NIX_PATH", "nixpkgs=/nonexistent")
	s := &Sources{Repo: "..", ContentDir: t.TempDir()}
	l, err := s.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(l.Source, "snapshot") || len(l.Docs) == 0 || len(l.Notes) == 0 {
		t.Errorf("source %q, %d docs, notes %v", l.Source, len(l.Docs), l.Notes)
	}
	// No snapshot at all: guides only, with a note.
	s = &Sources{Repo: t.TempDir()}
	l, err = s.Load(context.Background())
	if err != nil || len(l.Docs) != 0 || !strings.Contains(strings.Join(l.Notes, " "), "no snapshot") {
		t.Errorf("empty repo: %v, %d docs, notes %v", err, len(l.Docs), l.Notes)
	}
	if _, err := (&Sources{Repo: t.TempDir(), Mode: SourceSnapshot}).Load(context.Background()); err == nil {
		t.Error("--source snapshot without a snapshot did not fail")
	}
}

func TestParseFileInput(t *testing.T) {
	for in, want := range map[string]FileInput{
		"../shared/corpus/nixos-options.json.gz": {"../shared/corpus/nixos-options.json.gz", "nixos"},
		"x/options.json=NixOS":                   {"x/options.json", "NixOS"},
		"pkgs.json":                              {"pkgs.json", "pkgs"},
		"home-manager-options.json.gz":           {"home-manager-options.json.gz", "home-manager"},
	} {
		got, err := ParseFileInput(in)
		if err != nil || got != want {
			t.Errorf("ParseFileInput(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	if _, err := ParseFileInput("a.json=x/y"); err == nil {
		t.Error("scope with / accepted")
	}
}
