package live

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tangledOwner is the owner DID the knot and the spindle are given: what
// the modules' assertions require. Nothing resolves it in these tests;
// both programs only record it and answer it on sh.tangled.owner.
const tangledOwner = "did:plc:livetestowneraaaaaaaaaaa"

// TestTangledServices runs Tangled's knot and spindle, built from the
// pinned source with the vendor folder their vendorHash pins, each from the
// unit examples/local-tangled.nix renders (the configuration the firehose
// guide shows, with this test's owner), beside that file's jetstream.
func TestTangledServices(t *testing.T) {
	t.Run("knot", func(t *testing.T) {
		b, p := startTangled(t, "knot")
		testKnot(t, b, p)
	})
	t.Run("spindle", func(t *testing.T) {
		b, p := startTangled(t, "spindle")
		testSpindle(t, b, p)
	})
}

// startTangled builds the module's program and jetstream, renders
// examples/local-tangled.nix with them, starts its jetstream (which
// follows a relay that is not running) and then the module's unit, and
// waits for the unit's own health probe. It checks what both programs
// share: no metrics, listeners, the owner endpoint.
func startTangled(t *testing.T, module string) (*Build, *Process) {
	t.Helper()
	b := BuildGo(t, module)
	js := BuildGo(t, "jetstream")
	units := RenderSystem(t, filepath.Join(RepoRoot(t), "examples", "local-tangled.nix"),
		map[string]string{module: b.Exe, "jetstream": js.Exe},
		fmt.Sprintf(`{ services.atproto.knot.settings.KNOT_SERVER_OWNER = (import <nixpkgs/lib>).mkForce %q;
			services.atproto.spindle.settings.SPINDLE_SERVER_OWNER = (import <nixpkgs/lib>).mkForce %q; }`, tangledOwner, tangledOwner))
	for _, m := range []string{"jetstream", module} {
		if units[m] == nil {
			t.Fatalf("examples/local-tangled.nix does not enable services.atproto.%s", m)
		}
		p := Start(t, units[m], Options{})
		if err := p.WaitHealthy(healthTimeout); err != nil {
			t.Fatal(err)
		}
		if m == "jetstream" {
			continue
		}
		// Neither program has a Prometheus endpoint.
		if p.Unit.MetricsURL != "" {
			t.Errorf("%s: the module declares a metrics endpoint %s, but %s serves none", p.Unit.Name, p.Unit.MetricsURL, module)
		}
		checkListeners(t, p)
		checkOwner(t, "http://"+apiAddr(t, p), tangledOwner)
		return b, p
	}
	panic("unreachable")
}

// restartKeepsState stops p with SIGTERM (within its stop timeout), checks
// the logs it wrote, starts it again until healthy and requires every
// entry of the state directory to be still there. It returns how many
// there were.
func restartKeepsState(t *testing.T, p *Process) int {
	t.Helper()
	// Let the program write what it writes in its first seconds.
	time.Sleep(2 * time.Second)
	before := stateFiles(t, p.StateDir)
	if err := p.Stop(); err != nil {
		t.Fatalf("%v\n%s", err, tail(p.Logs(), 40))
	}
	checkTangledLogs(t, p.Unit, p.Logs())
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitHealthy(healthTimeout); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	after := stateFiles(t, p.StateDir)
	for f := range before {
		if !after[f] {
			t.Errorf("%s: %s was in the state directory before the restart and is gone", p.Unit.Name, f)
		}
	}
	return len(before)
}

func testKnot(t *testing.T, b *Build, p *Process) {
	u := p.Unit
	healthy := p.StartToHealthy
	base := "http://" + apiAddr(t, p)

	checkKnotVersion(t, base, Package(t, "knot").Version)
	var keys struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if body := call(t, http.MethodGet, base+"/xrpc/sh.tangled.knot.listKeys", "", nil); json.Unmarshal(body, &keys) != nil || keys.Keys == nil {
		t.Errorf("knot: sh.tangled.knot.listKeys answered %s, not {\"keys\":[...]}", body)
	}

	// A repository as the knot keeps one: a bare repository at
	// <KNOT_REPO_SCAN_PATH>/<owner DID>/<name>, the folder
	// sh.tangled.repo.create makes, with a commit pushed into it.
	scan := p.rewrite.Replace(u.Environment["KNOT_REPO_SCAN_PATH"])
	repo := filepath.Join(scan, tangledOwner, "hello")
	runGit(t, "", "init", "--quiet", "--bare", "--initial-branch=main", repo)
	work := t.TempDir()
	runGit(t, "", "init", "--quiet", "--initial-branch=main", work)
	first := commitFile(t, work, "README.md", "# hello from the live test\n")
	runGit(t, work, "push", "--quiet", repo, "main")

	cloneURL := base + "/" + tangledOwner + "/hello"
	checkClone(t, cloneURL, first, "README.md", "# hello from the live test\n")
	var branches struct {
		Branches []struct {
			Reference struct {
				Name string `json:"name"`
				Hash string `json:"hash"`
			} `json:"reference"`
		} `json:"branches"`
	}
	body := call(t, http.MethodGet, base+"/xrpc/sh.tangled.repo.branches?repo="+tangledOwner+"/hello", "", nil)
	if err := json.Unmarshal(body, &branches); err != nil || len(branches.Branches) != 1 || branches.Branches[0].Reference.Name != "main" || branches.Branches[0].Reference.Hash != first {
		t.Errorf("knot: sh.tangled.repo.branches answered %s; want branch main at %s", body, first)
	}

	stopped := time.Now()
	state := restartKeepsState(t, p)
	// knot saves its jetstream cursor when it is told to stop.
	db := p.rewrite.Replace(u.Environment["KNOT_SERVER_DB_PATH"])
	if cursor := sqliteValue(t, db, "SELECT last_time_us FROM _jetstream WHERE id = 1"); cursor < stopped.UnixMicro() {
		t.Errorf("knot: the jetstream cursor in %s is %d, older than the stop at %d: not saved at SIGTERM", db, cursor, stopped.UnixMicro())
	}
	checkOwner(t, base, tangledOwner)
	checkClone(t, cloneURL, first, "README.md", "# hello from the live test\n")

	// At start the knot installs its post-receive hook in every repository
	// under the scan path; a push (as `knot guard` runs git-receive-pack,
	// with GIT_USER_DID set) then reaches the knot's internal API, which
	// publishes the ref update on /events, the stream spindles follow.
	hook, err := os.ReadFile(filepath.Join(repo, "hooks", "post-receive.d", "40-notify.sh"))
	if err != nil {
		t.Fatalf("knot did not install its post-receive hook in %s at start: %v", repo, err)
	}
	if internal := u.Environment["KNOT_SERVER_INTERNAL_LISTEN_ADDR"]; !strings.Contains(string(hook), `-internal-api "`+internal+`"`) {
		t.Errorf("knot's post-receive hook does not call the internal API at %s:\n%s", internal, hook)
	}
	events, err := dialWebSocket(wsURL(base)+"/events", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer events.Close()
	second := commitFile(t, work, "NOTES", "pushed after a restart\n")
	push := exec.Command("git", "push", "--quiet", repo, "main")
	push.Dir = work
	push.Env = append(os.Environ(), "GIT_USER_DID="+tangledOwner)
	if out, err := push.CombinedOutput(); err != nil {
		t.Fatalf("git push into %s: %v\n%s", repo, err, out)
	}
	msg, err := events.Read(time.Now().Add(30 * time.Second))
	if err != nil {
		t.Fatalf("knot: no event on /events after a push through its hook: %v\n%s", err, tail(p.Logs(), 20))
	}
	var ev struct {
		Nsid  string `json:"nsid"`
		Event struct {
			NewSha       string `json:"newSha"`
			Ref          string `json:"ref"`
			CommitterDid string `json:"committerDid"`
			RepoDid      string `json:"repoDid"`
			RepoName     string `json:"repoName"`
		} `json:"event"`
	}
	if err := json.Unmarshal(msg, &ev); err != nil || ev.Nsid != "sh.tangled.git.refUpdate" || ev.Event.NewSha != second ||
		ev.Event.Ref != "refs/heads/main" || ev.Event.CommitterDid != tangledOwner || ev.Event.RepoDid != tangledOwner || ev.Event.RepoName != "hello" {
		t.Errorf("knot: /events sent %s; want a sh.tangled.git.refUpdate of refs/heads/main to %s by %s in %s/hello", msg, second, tangledOwner, tangledOwner)
	}
	checkClone(t, cloneURL, second, "NOTES", "pushed after a restart\n")

	if err := p.Stop(); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	t.Logf("LIVE knot: build %s, binary %s, start-to-healthy %s, peak memory %.1f MiB, state files %d",
		b, binarySize(t, b), healthy.Round(10*time.Millisecond), float64(p.PeakMemory())/(1<<20), state)
}

func testSpindle(t *testing.T, b *Build, p *Process) {
	u := p.Unit
	healthy := p.StartToHealthy
	base := "http://" + apiAddr(t, p)
	state := restartKeepsState(t, p)
	// The owner's role is kept in the database (spindle's access rules
	// are casbin policies in SQLite), once: a restart with the same owner
	// must not add a second one, which would stop the next start.
	db := p.rewrite.Replace(u.Environment["SPINDLE_SERVER_DB_PATH"])
	if n := sqliteValue(t, db, fmt.Sprintf("SELECT count(*) FROM acl WHERE v0 = '%s' AND v1 = 'server:owner'", tangledOwner)); n != 1 {
		t.Errorf("spindle: %s holds %d owner policies for %s after a restart; want 1", db, n, tangledOwner)
	}
	checkOwner(t, base, tangledOwner)
	if err := p.Stop(); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	t.Logf("LIVE spindle: build %s, binary %s, start-to-healthy %s, peak memory %.1f MiB, state files %d",
		b, binarySize(t, b), healthy.Round(10*time.Millisecond), float64(p.PeakMemory())/(1<<20), state)
}

// checkOwner requires sh.tangled.owner, the endpoint the Tangled AppView
// asks to verify a knot or spindle, to name the configured owner.
func checkOwner(t *testing.T, base, owner string) {
	t.Helper()
	var got struct {
		Owner string `json:"owner"`
	}
	body := call(t, http.MethodGet, base+"/xrpc/sh.tangled.owner", "", nil)
	if err := json.Unmarshal(body, &got); err != nil || got.Owner != owner {
		t.Errorf("%s/xrpc/sh.tangled.owner answered %s; want owner %s", base, body, owner)
	}
}

// checkKnotVersion requires the version the package stamps with -X.
func checkKnotVersion(t *testing.T, base, version string) {
	t.Helper()
	var got struct {
		Version string `json:"version"`
	}
	body := call(t, http.MethodGet, base+"/xrpc/sh.tangled.knot.version", "", nil)
	if err := json.Unmarshal(body, &got); err != nil || got.Version != version {
		t.Errorf("knot: sh.tangled.knot.version answered %s; want %s (the package's ldflags)", body, version)
	}
}

// checkClone clones url with git over HTTP and requires HEAD at commit
// and file with content.
func checkClone(t *testing.T, url, commit, file, content string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "clone")
	runGit(t, "", "clone", "--quiet", url, dir)
	if head := strings.TrimSpace(runGit(t, dir, "rev-parse", "HEAD")); head != commit {
		t.Errorf("git clone %s: HEAD is %s, want %s", url, head, commit)
	}
	if got, err := os.ReadFile(filepath.Join(dir, file)); err != nil || string(got) != content {
		t.Errorf("git clone %s: %s is %q (%v), want %q", url, file, got, err, content)
	}
}

// runGit runs git in dir with a fixed identity and no user configuration.
func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=live test", "GIT_AUTHOR_EMAIL=live@test.invalid",
		"GIT_COMMITTER_NAME=live test", "GIT_COMMITTER_EMAIL=live@test.invalid", "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// commitFile writes file in the work tree dir, commits it and returns the
// commit's id.
func commitFile(t *testing.T, dir, file, content string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, dir, "add", file)
	runGit(t, dir, "commit", "--quiet", "-m", "add "+file)
	return strings.TrimSpace(runGit(t, dir, "rev-parse", "HEAD"))
}

// sqliteValue reads one integer from a SQLite database.
func sqliteValue(t *testing.T, db, query string) int64 {
	t.Helper()
	out, err := exec.Command("sqlite3", "-readonly", db, query).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3 %s %q: %v\n%s", db, query, err, out)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatalf("sqlite3 %s %q printed %q, not a number", db, query, out)
	}
	return n
}

// tangledLogLine is a line of charmbracelet/log's text format, which both
// programs write (their module's logFormat is "text", the only one):
// time, level, the logger's prefix, the message.
var tangledLogLine = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d (DEBU|INFO|WARN|ERRO|FATA) [a-z/]+: `)

// checkTangledLogs requires every line that starts a message to be in
// the text format; continuation lines of a multi-line value are indented.
func checkTangledLogs(t *testing.T, u *Unit, logs []byte) {
	t.Helper()
	if u.LogFormat != "text" {
		t.Errorf("%s: logFormat is %q; knot and spindle write only charmbracelet's text", u.Name, u.LogFormat)
	}
	lines := strings.Split(strings.TrimSpace(string(logs)), "\n")
	bad := 0
	for i, line := range lines {
		if tangledLogLine.MatchString(line) || strings.HasPrefix(line, "  ") {
			continue
		}
		if bad++; bad <= 5 {
			t.Errorf("%s: log line %d is not in the text format: %q", u.Name, i+1, line)
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d log lines are not in the text format", u.Name, bad, len(lines))
	}
}

// binarySize is the size of the built program (the wrapped file when the
// package wraps it).
func binarySize(t *testing.T, b *Build) string {
	t.Helper()
	exe := b.Exe
	if wrapped := filepath.Join(filepath.Dir(exe), "."+filepath.Base(exe)+"-wrapped"); func() bool { _, err := os.Stat(wrapped); return err == nil }() {
		exe = wrapped
	}
	st, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%.1f MiB", float64(st.Size())/(1<<20))
}
