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
		// Of the tests, only the stand-in system evaluation is copied.
		if d.IsDir() && rel == filepath.Join("nix", "tests") {
			for _, f := range []string{"eval.nix", "minimal.nix"} {
				copyFile(filepath.Join("nix", "tests", "modules", f))
			}
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

func readFile(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
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

// TestCheckSinceRemovedOption works on real commits of a copy of this
// repository, checked against the release before them (v0.1.0):
//
//  1. ozone's daemon.enable is removed without a helper: `check --since`
//     fails, naming the option, the module file and the helper to add;
//  2. removedOptions declares it (lib.mkRemovedOptionModule): the check
//     passes, and a NixOS-like evaluation that still sets the option fails
//     with the module's reason, one that does not evaluates;
//  3. it comes back as runDaemon with renamedOptions: the check passes and
//     the built site keeps the old option's address on the new one;
//  4. a key of tap's open settings is dropped: configurations setting it
//     still evaluate, so the check warns (with the aliases entry to add
//     if it was renamed) and does not fail.
func TestCheckSinceRemovedOption(t *testing.T) {
	dir, commit := testRepo(t)
	check := func() (int, string) {
		src := &indexer.Sources{Repo: dir, Mode: indexer.SourceLive, ContentDir: t.TempDir()}
		var out bytes.Buffer
		n, err := checkSince(context.Background(), &out, src, site.Config{}, "v0.1.0")
		if err != nil {
			t.Fatal(err)
		}
		return n, out.String()
	}
	// The module with daemon.enable removed: the daemon always runs. The
	// edits find the option's block and its uses, so that they survive
	// other changes to the module.
	const mod = "nix/modules/ozone.nix"
	src := readFile(t, dir, mod)
	start := strings.Index(src, "  extraOptions = _: {\n    daemon.enable = lib.mkOption")
	if start < 0 {
		t.Fatalf("%s: extraOptions with daemon.enable not found", mod)
	}
	end := start + strings.Index(src[start:], "\n  };\n") + len("\n  };\n")
	extraOptions := src[start:end]
	uses := strings.NewReplacer("inherit (cfg.daemon) enable;", "enable = true; # always", "cfg.daemon.enable", "(true /* always */)",
		" (see {option}`services.atproto.ozone.daemon.enable`)", "")
	edited := uses.Replace(src[:start] + src[end:])
	if !strings.Contains(edited, "always") {
		t.Fatalf("%s: no use of daemon.enable found", mod)
	}
	writeFile(t, dir, mod, edited)
	commit("ozone: the daemon always runs")

	n, out := check()
	want := `error: option services.atproto.ozone.daemon.enable (declared in nix/modules/ozone.nix at v0.1.0) is gone without a migration helper, ` +
		`so configurations that set it stop evaluating: add removedOptions = [ { path = [ "daemon" "enable" ]; why = "<what to do instead>"; } ]; ` +
		`to the mkService call in nix/modules/ozone.nix (lib.mkRemovedOptionModule)`
	if n != 1 || !strings.Contains(out, want) {
		t.Fatalf("check after removing an option without a helper: %d errors, want 1 with\n%s\ngot:\n%s", n, want, out)
	}

	const removal = `  removedOptions = [
    {
      path = [ "daemon" "enable" ];
      why = "The daemon always runs beside the server.";
    }
  ];
`
	editFile(t, dir, mod, "service.mkService {\n", "service.mkService {\n"+removal)
	commit("ozone: removedOptions for daemon.enable")
	if n, out := check(); n != 0 || !strings.Contains(out, "options: 1 removed") {
		t.Fatalf("check with the helper: %d errors\n%s", n, out)
	}
	// The helper works where it matters: in a system's evaluation.
	failed := evalOzone(t, dir, "daemon.enable = false;")
	if !strings.Contains(failed, "services.atproto.ozone.daemon.enable") || !strings.Contains(failed, "The daemon always runs beside the server.") {
		t.Errorf("a configuration setting the removed option: failed assertions %q, want the removal's message", failed)
	}
	if failed := evalOzone(t, dir, ""); failed != "" {
		t.Errorf("a configuration not setting it: failed assertions %q", failed)
	}

	// Back as runDaemon, the old name an alias of it.
	back := strings.NewReplacer("enable = true; # always", "enable = cfg.runDaemon;", "(true /* always */)", "cfg.runDaemon",
		removal, strings.Replace(extraOptions, "    daemon.enable = lib.mkOption", "    runDaemon = lib.mkOption", 1)+`
  renamedOptions = [
    {
      from = [ "daemon" "enable" ];
      to = [ "runDaemon" ];
    }
  ];
`).Replace(readFile(t, dir, mod))
	writeFile(t, dir, mod, back)
	commit("ozone: daemon.enable is runDaemon")
	if n, out := check(); n != 0 || !strings.Contains(out, "options: 1 renamed") {
		t.Fatalf("check with the rename: %d errors\n%s", n, out)
	}
	public := filepath.Join(t.TempDir(), "public")
	if err := runBuild(context.Background(), []string{"--repo", dir, "--source", "live", "--content", t.TempDir(),
		"--out", public, "--releases", "v0.1.0"}); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(public, "options", "services.atproto.ozone", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<section class="option" id="services.atproto.ozone.runDaemon"><span id="services.atproto.ozone.daemon.enable"></span>`,
		`>renamed since 0.1.0 from services.atproto.ozone.daemon.enable</a>`,
	} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the ozone module's page lacks %q", want)
		}
	}
	if rel, err := os.ReadFile(filepath.Join(public, "changes", "unreleased", "index.html")); err != nil ||
		!strings.Contains(string(rel), "renamed from services.atproto.ozone.daemon.enable (mkRenamedOptionModule)") {
		t.Errorf("the release page lacks the rename (%v)", err)
	}

	// A settings key dropped: a warning, not an error.
	editFile(t, dir, "nix/modules/tap.nix", `      TAP_ENV = str "dev" "Environment name used in telemetry.";`+"\n", "")
	commit("tap: drop TAP_ENV")
	n, out = check()
	want = `warning: option services.atproto.tap.settings.TAP_ENV (declared in nix/modules/tap.nix at v0.1.0) is no longer declared: ` +
		`configurations that set it still evaluate (services.atproto.tap.settings is open`
	if n != 0 || !strings.Contains(out, want) || !strings.Contains(out, `add aliases = { TAP_ENV = "<new name>"; }; to the mkService call in nix/modules/tap.nix`) {
		t.Fatalf("check after dropping a settings key: %d errors, want 0 and\n%s\ngot:\n%s", n, want, out)
	}

	// The same history through `nurdocs changes --json`.
	var buf bytes.Buffer
	changesOut = &buf
	defer func() { changesOut = os.Stdout }()
	if err := runChanges(context.Background(), []string{"--repo", dir, "--source", "live", "--content", t.TempDir(), "--json"}); err != nil {
		t.Fatal(err)
	}
	var rep changesJSON
	if err := json.Unmarshal(buf.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range rep.Changes {
		got = append(got, c.Name+" "+string(c.What)+" "+string(c.Helper))
	}
	if rep.Before.Rev != "v0.1.0" || strings.Join(got, "; ") !=
		"services.atproto.ozone.enable description ; services.atproto.ozone.runDaemon renamed mkRenamedOptionModule; services.atproto.tap.settings.TAP_ENV removed " {
		t.Errorf("changes since the last release: %s", buf.String())
	}
}

// evalOzone evaluates the test repository's modules as NixOS would (the
// module tests' stand-in, nix/tests/modules/eval.nix) with ozone's
// minimal configuration plus extra, and returns the messages of the
// failed assertions.
func evalOzone(t *testing.T, dir, extra string) string {
	t.Helper()
	expr := `let
  lib = import <nixpkgs/lib>;
  eval = import ` + filepath.Join(dir, "nix/tests/modules/eval.nix") + ` { inherit lib; };
  minimal = import ` + filepath.Join(dir, "nix/tests/modules/minimal.nix") + `;
  c = (eval.system [ { services.atproto.ozone = lib.mkMerge [ minimal.ozone { enable = true; ` + extra + ` } ]; } ]).config;
in lib.concatMapStringsSep "\n" (a: a.message) (lib.filter (a: !a.assertion) c.assertions)`
	out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr).CombinedOutput()
	if err != nil {
		t.Fatalf("evaluating ozone with %q: %v\n%s", extra, err, out)
	}
	var msg string
	if err := json.Unmarshal(out, &msg); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return msg
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
