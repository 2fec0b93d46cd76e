package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/site"
)

// testRepo copies this repository's Nix tree (nix/ without its tests, the
// top-level Nix files) into a new git repository and commits it. It skips
// the test when git or a live evaluation is unavailable.
func testRepo(t *testing.T) (string, func(msg string)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("skipped: git not found")
	}
	root := filepath.Join("..", "..")
	if err := indexer.NixAvailable(context.Background(), root); err != nil {
		t.Skipf("skipped: %v", err)
	}
	dir := t.TempDir()
	copyFile := func(rel string) {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"default.nix", "flake.nix"} {
		copyFile(f)
	}
	err := filepath.WalkDir(filepath.Join(root, "nix"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && rel == filepath.Join("nix", "tests") {
			return fs.SkipDir
		}
		if d.Type().IsRegular() {
			copyFile(rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.org",
			"-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q", "-b", "main")
	commit := func(msg string) {
		t.Helper()
		// The snapshot is re-evaluated as contributors do (nurdocs eval),
		// so that the check's only complaint can be the one tested.
		data, err := indexer.Evaluate(context.Background(), dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := indexer.WriteSnapshot(dir, data, "", time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
		run("add", "-A")
		run("commit", "-q", "-m", msg)
	}
	commit("base")
	run("tag", "v0.1.0")
	return dir, commit
}

// editFile replaces old by new in a file of the test repository; the
// test fails when old is not there exactly once.
func editFile(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), old) != 1 {
		t.Fatalf("%s: %q is not there exactly once", rel, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCheckSinceRemovedOption: a real commit removes a setting of the tap
// module; `check --since` against the release before it fails, naming the
// option, the module file and the helper to add. With the helper added in
// the next commit, it passes.
func TestCheckSinceRemovedOption(t *testing.T) {
	dir, commit := testRepo(t)
	editFile(t, dir, "nix/modules/tap.nix", `      TAP_ENV = str "dev" "Environment name used in telemetry.";`+"\n", "")
	commit("tap: drop TAP_ENV")

	check := func() (int, string) {
		src := &indexer.Sources{Repo: dir, Mode: indexer.SourceLive, ContentDir: t.TempDir()}
		var out bytes.Buffer
		n, err := checkSince(context.Background(), &out, src, site.Config{}, "v0.1.0")
		if err != nil {
			t.Fatal(err)
		}
		return n, out.String()
	}
	n, out := check()
	want := `error: option services.atproto.tap.settings.TAP_ENV (declared in nix/modules/tap.nix at v0.1.0) is gone without a migration helper, ` +
		`so configurations that set it stop evaluating: add removedOptions = [ { path = [ "settings" "TAP_ENV" ]; why = "<what to do instead>"; } ]; ` +
		`to the mkService call in nix/modules/tap.nix (lib.mkRemovedOptionModule)`
	if n != 1 || !strings.Contains(out, want) {
		t.Fatalf("check after removing an option without a helper: %d errors, want 1 with\n%s\ngot:\n%s", n, want, out)
	}

	editFile(t, dir, "nix/modules/tap.nix", `  args = _: [ "run" ];`, `  removedOptions = [
    {
      path = [ "settings" "TAP_ENV" ];
      why = "tap no longer reads TAP_ENV.";
    }
  ];

  args = _: [ "run" ];`)
	commit("tap: removedOptions for TAP_ENV")
	if n, out := check(); n != 0 || !strings.Contains(out, "options: 1 removed") {
		t.Fatalf("check with the helper: %d errors\n%s", n, out)
	}

	// The same history through `nurdocs changes --json`.
	var b bytes.Buffer
	changesOut = &b
	defer func() { changesOut = os.Stdout }()
	if err := runChanges(context.Background(), []string{"--repo", dir, "--source", "live", "--content", t.TempDir(), "--json"}); err != nil {
		t.Fatal(err)
	}
	var rep changesJSON
	if err := json.Unmarshal(b.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Before.Rev != "v0.1.0" || len(rep.Changes) != 1 || rep.Changes[0].Helper != "mkRemovedOptionModule" ||
		rep.Changes[0].Name != "services.atproto.tap.settings.TAP_ENV" {
		t.Errorf("changes since the last release: %s", b.String())
	}
}

// TestChangesOptionsBefore compares two options.json files directly, as
// for NixOS or home-manager: the earlier file takes the later one's scope
// whatever its name, and the JSON lists what changed.
func TestChangesOptionsBefore(t *testing.T) {
	dir := t.TempDir()
	before := filepath.Join(dir, "hm-24.11.json")
	after := filepath.Join(dir, "home-manager-options.json")
	os.WriteFile(before, []byte(`{
 "programs.git.enable": {"type": "boolean", "description": "Whether to enable Git.", "default": false, "loc": ["programs","git","enable"], "declarations": []},
 "programs.git.userName": {"type": "string", "description": "Name.", "loc": ["programs","git","userName"], "declarations": []}
}`), 0o644)
	os.WriteFile(after, []byte(`{
 "programs.git.enable": {"type": "boolean", "description": "Whether to enable  Git.", "default": false, "loc": ["programs","git","enable"], "declarations": []},
 "programs.git.userName": {"type": "string", "description": "Alias of {option}`+"`programs.git.settings.user.name`"+`.", "visible": false, "loc": ["programs","git","userName"], "declarations": []},
 "programs.git.settings.user.name": {"type": "string", "description": "Name.", "loc": ["programs","git","settings","user","name"], "declarations": []}
}`), 0o644)
	var b bytes.Buffer
	changesOut = &b
	defer func() { changesOut = os.Stdout }()
	if err := runChanges(context.Background(), []string{"--options-before", before, "--options", after, "--json"}); err != nil {
		t.Fatal(err)
	}
	var rep changesJSON
	if err := json.Unmarshal(b.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) != 1 || rep.Changes[0].What != "renamed" || rep.Changes[0].Name != "programs.git.settings.user.name" ||
		rep.Changes[0].Before != "programs.git.userName" || rep.Changes[0].Scope != "home-manager" {
		t.Errorf("changes between the two files: %s", b.String())
	}
	if err := runChanges(context.Background(), []string{"--options-before", before, "--json"}); err == nil {
		t.Error("--options-before without --options: no error")
	}
}
