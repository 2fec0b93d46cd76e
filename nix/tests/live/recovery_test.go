package live

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// recoveryScripts are a module's backupOnUpgrade scripts (recovery.nix).
type recoveryScripts struct {
	Backup  string `json:"backup"`
	Restore string `json:"restore"`
}

// renderRecovery renders the backup and restore scripts of the module a
// running service was started from, for a package of the given version.
func renderRecovery(t *testing.T, s *NodeService, version string) recoveryScripts {
	t.Helper()
	var r recoveryScripts
	nixEvalJSON(t, "recovery.nix", &r, "--argstr", "module", s.Unit.Module, "--argstr", "exe", s.Build.Exe,
		"--argstr", "version", version, "--arg", "extra", s.Nix)
	return r
}

// runScript runs a script of the module's with the unit's environment and
// folders, as runner.go maps them: the unit's absolute paths rewritten
// into its temporary root, and the stand-in store paths of programs
// (sqlite3, pg_dump) replaced by this machine's programs of the same name.
// env is added to the unit's environment; a PATH there goes before the
// system's folders.
func runScript(t *testing.T, p *Process, script string, env map[string]string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd, err := p.command(ctx, "script:"+script)
	if err != nil {
		t.Fatal(err)
	}
	// bash -c TEXT NAME ARGS...: the script's $1 is args[0].
	cmd.Args = append(cmd.Args, p.Unit.Name+"-script")
	cmd.Args = append(cmd.Args, args...)
	cmd.Dir = p.StateDir
	for k, v := range env {
		if k == "PATH" {
			v += ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
		}
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", firstLine(script), err, out)
	}
	return string(out)
}

// unitControl stands in for systemctl while a restore script runs: the
// shim on PATH posts `systemctl <verb> <unit>` to this loopback server,
// which stops or starts the test's process of that unit. start returns
// once the unit's health probe passes, as systemctl start does for a unit
// whose ExecStartPost is that probe.
type unitControl struct {
	mu    sync.Mutex
	procs map[string]*Process
	calls []string
}

func (c *unitControl) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	verb, unit := r.FormValue("verb"), strings.TrimSuffix(r.FormValue("unit"), ".service")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, verb+" "+unit)
	p, ok := c.procs[unit]
	if !ok {
		http.Error(w, "no unit "+unit+" under test", http.StatusNotFound)
		return
	}
	var err error
	switch verb {
	case "stop":
		if exited, _ := p.Exited(); !exited {
			err = p.Stop()
		}
	case "start":
		if err = p.Restart(); err == nil {
			err = p.WaitHealthy(NodeHealthTimeout)
		}
	default:
		err = fmt.Errorf("systemctl %s is not supported by the test's shim", verb)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// shimBin writes the systemctl shim into a folder for PATH, and when the
// test is not root two more: an `id` that says uid 0, because the restore
// script refuses to run unless root (it needs root only for systemctl,
// shimmed, and chown, which the test's user may do to its own files), and
// a runuser that runs its command as the test's user, the superuser of a
// cluster the test's user made.
func shimBin(t *testing.T, control *unitControl) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: control}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	dir := t.TempDir()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("skipped: curl not found (the systemctl shim of the restore test uses it)")
	}
	shims := map[string]string{
		"systemctl": fmt.Sprintf("#!/bin/sh\n# The live test's stand-in: systemctl VERB UNIT stops or starts the test's process.\nexec %s --silent --show-error --fail-with-body --max-time 300 --data-urlencode \"verb=$1\" --data-urlencode \"unit=$2\" http://%s/\n", curl, l.Addr()),
	}
	if os.Getuid() != 0 {
		// runuser -u postgres -- CMD: without root the cluster's superuser
		// is the test's own user, so CMD runs as it is.
		shims["runuser"] = "#!/bin/sh\n# The live test's stand-in for runuser when not root (see shimBin).\n[ \"$1\" = -u ] && shift 2\n[ \"$1\" = -- ] && shift\nexec \"$@\"\n"
		shims["id"] = "#!/bin/sh\n# The live test's stand-in for a root `id -u` (see shimBin).\n[ \"$1\" = -u ] && { echo 0; exit 0; }\nexec /usr/bin/id \"$@\"\n"
		t.Logf("not root: the restore script runs with an `id` shim answering uid 0 (it checks for root only to run systemctl, shimmed here, and chown)")
	}
	for name, text := range shims {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPDSBackupRestore runs the pds module's upgrade backup against a live
// PDS holding an account and a post, then restores that backup with the
// module's atproto-pds-restore into a new PDS on a fresh state directory:
// the account logs in with the same DID, the post reads back with the
// same CID and text, and the account writes a new post (its signing key
// came back too).
//
// systemctl is a shim (shimBin) that stops and starts the test's process;
// sqlite3 is this machine's (Debian's sqlite3), found on PATH in place of
// the stand-in store path; the scripts' /var/lib/atproto-pds is the test's
// state folder, as the runner maps it.
func TestPDSBackupRestore(t *testing.T) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("skipped: sqlite3 not found (Debian: apt-get install sqlite3), which the upgrade backup runs")
	}
	pg := StartPostgres(t)
	plc := StartPLC(t, pg, "")
	old := StartPDS(t, PDSOptions{PLC: plc.URL})
	handle := "bob" + RandomHex(t, 4) + ".pds.example.com"
	bob := CreateAccount(t, old.URL, handle, "live-test-"+RandomHex(t, 8))
	text := "restored from an upgrade backup " + RandomHex(t, 6)
	post, err := CreatePost(old.URL, bob, text)
	if err != nil {
		t.Fatal(err)
	}

	// An upgrade: the backup unit of the next package version runs while
	// the PDS is live (SQLite's online backup), as the service's first
	// start of a new version would.
	recorded, err := os.ReadFile(filepath.Join(old.StateDir, ".atproto-version"))
	if err != nil {
		t.Fatalf("the first start did not record the version (the upgrade backup unit runs before the PDS): %v", err)
	}
	from := strings.TrimSpace(string(recorded))
	upgraded := renderRecovery(t, old, from+"-next")
	out := runScript(t, old.Process, upgraded.Backup, nil)
	t.Logf("upgrade backup: %s", strings.TrimSpace(out))
	backups, _ := filepath.Glob(filepath.Join(old.StateDir, ".backups", "*-from-"+from))
	if len(backups) != 1 {
		t.Fatalf("the upgrade backup made %d backups named *-from-%s in %s/.backups: %v\n%s", len(backups), from, old.StateDir, backups, out)
	}
	name := filepath.Base(backups[0])
	files := treeFiles(t, filepath.Join(backups[0], "sqlite"))
	t.Logf("backup %s holds %d SQLite files: %s", name, len(files), strings.Join(files, ", "))
	var keys []string // none when the backup carried no plain files
	if _, err := os.Stat(filepath.Join(backups[0], "files")); err == nil {
		keys = treeFiles(t, filepath.Join(backups[0], "files"))
	}
	t.Logf("backup %s holds %d other files: %s", name, len(keys), strings.Join(keys, ", "))
	if err := old.Stop(); err != nil {
		t.Fatal(err)
	}

	// A new PDS on a fresh state directory (same secrets, same PLC),
	// running, without the account; the backup is copied into its state.
	fresh := StartPDS(t, PDSOptions{PLC: plc.URL, Credentials: old.Opts.Credentials})
	if _, err := Login(fresh.URL, handle, bob.Password); err == nil {
		t.Fatalf("the fresh PDS already knows %s", handle)
	}
	if err := os.MkdirAll(filepath.Join(fresh.StateDir, ".backups"), 0o700); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command("cp", "-a", backups[0], filepath.Join(fresh.StateDir, ".backups")+"/").CombinedOutput(); err != nil {
		t.Fatalf("copying the backup: %v\n%s", err, msg)
	}

	control := &unitControl{procs: map[string]*Process{fresh.Unit.Name: fresh.Process}}
	shims := shimBin(t, control)
	scripts := renderRecovery(t, fresh, from)
	listing := runScript(t, fresh.Process, scripts.Restore, map[string]string{"PATH": shims})
	if !strings.Contains(listing, name) {
		t.Errorf("atproto-pds-restore without arguments does not list backup %s:\n%s", name, listing)
	}
	out = runScript(t, fresh.Process, scripts.Restore, map[string]string{"PATH": shims}, name)
	t.Logf("atproto-pds-restore %s: %s (systemctl calls: %v)", name, strings.TrimSpace(out), control.calls)
	if want := []string{"stop " + fresh.Unit.Name, "start " + fresh.Unit.Name}; strings.Join(control.calls, ",") != strings.Join(want, ",") {
		t.Errorf("the restore script ran systemctl %v; want %v", control.calls, want)
	}
	if exited, _ := fresh.Exited(); exited {
		t.Fatalf("the PDS is not running after the restore\n%s", tail(fresh.Logs(), 30))
	}
	if v, _ := os.ReadFile(filepath.Join(fresh.StateDir, ".atproto-version")); strings.TrimSpace(string(v)) != from {
		t.Errorf("after the restore the state records version %q, want the backup's %q", v, from)
	}

	session, err := Login(fresh.URL, handle, bob.Password)
	if err != nil {
		t.Fatalf("after the restore, logging in as %s: %v", handle, err)
	}
	if session.DID != bob.DID {
		t.Errorf("after the restore %s is %s, was %s", handle, session.DID, bob.DID)
	}
	cid, got, err := GetPost(fresh.URL, post.URI)
	if err != nil {
		t.Fatalf("after the restore, reading the post back: %v", err)
	}
	if cid != post.CID || got != text {
		t.Errorf("after the restore %s is %s %q, was %s %q", post.URI, cid, got, post.CID, text)
	}
	// A restored account must write again, not only read: its repository
	// signing key (actors/<prefix>/<did>/key) is a plain file, which the
	// backup has to carry beside the SQLite stores (backupFiles).
	if _, err := CreatePost(fresh.URL, session, "written after the restore"); err != nil {
		// pino writes asynchronously: give the error's log line a moment.
		logged := ""
		for i := 0; i < 20 && logged == ""; i++ {
			time.Sleep(100 * time.Millisecond)
			logged = lastError(fresh.Logs(), "com.atproto.repo.createRecord")
		}
		t.Errorf("after a restore into a fresh state directory the account cannot write: %v; the PDS logged: %s", err, logged)
	}
	if err := fresh.Stop(); err != nil {
		t.Fatal(err)
	}
}

// treeFiles lists the files under dir, relative to it.
func treeFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("listing %s: %v", dir, err)
	}
	sort.Strings(out)
	return out
}

// TestPDSKillMidWrite kills the PDS (SIGKILL, the whole process group)
// while four clients keep writing posts, starts it again from its unit,
// and requires every post whose write was acknowledged to read back with
// the acknowledged CID and text.
func TestPDSKillMidWrite(t *testing.T) {
	pg := StartPostgres(t)
	plc := StartPLC(t, pg, "")
	pds := StartPDS(t, PDSOptions{PLC: plc.URL})
	carol := CreateAccount(t, pds.URL, "carol"+RandomHex(t, 4)+".pds.example.com", "live-test-"+RandomHex(t, 8))

	type acked struct {
		Record
		text string
	}
	var (
		mu      sync.Mutex
		done    []acked
		failed  int
		stop    = make(chan struct{})
		writers sync.WaitGroup
	)
	for w := 0; w < 4; w++ {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				text := fmt.Sprintf("writer %d post %d %s", w, i, RandomHex(t, 4))
				r, err := CreatePost(pds.URL, carol, text)
				mu.Lock()
				if err == nil {
					done = append(done, acked{r, text})
				} else {
					failed++
				}
				mu.Unlock()
				if err != nil {
					// After the kill every write fails at once; do not spin.
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	// Kill once enough writes went through, while the writers go on.
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		n, f := len(done), failed
		mu.Unlock()
		if n >= 40 {
			break
		}
		if f > 0 || time.Now().After(deadline) {
			close(stop)
			writers.Wait()
			t.Fatalf("before the kill: %d writes acknowledged, %d failed within a minute\n%s", n, f, tail(pds.Logs(), 20))
		}
		time.Sleep(20 * time.Millisecond)
	}
	pds.Kill()
	mu.Lock()
	ackedAtKill := len(done)
	mu.Unlock()
	close(stop)
	writers.Wait()
	exited, waitErr := pds.Exited()
	if !exited || waitErr == nil {
		t.Fatalf("the PDS did not die of SIGKILL: exited %v, %v", exited, waitErr)
	}
	t.Logf("SIGKILL after %d acknowledged writes (%d acknowledged in all; %d writes failed, in flight at the kill or after it)", ackedAtKill, len(done), failed)

	if err := pds.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := pds.WaitHealthy(NodeHealthTimeout); err != nil {
		t.Fatalf("after SIGKILL: %v", err)
	}
	lost := 0
	for _, a := range done {
		cid, text, err := GetPost(pds.URL, a.URI)
		switch {
		case err != nil:
			lost++
			if lost <= 5 {
				t.Errorf("after SIGKILL the acknowledged post %s is gone: %v", a.URI, err)
			}
		case cid != a.CID || text != a.text:
			t.Errorf("after SIGKILL %s is %s %q, was acknowledged as %s %q", a.URI, cid, text, a.CID, a.text)
		}
	}
	if lost > 0 {
		t.Errorf("after SIGKILL %d of %d acknowledged posts are gone", lost, len(done))
	}
	// The repository still takes writes.
	if _, err := CreatePost(pds.URL, carol, "written after the restart"); err != nil {
		t.Errorf("after SIGKILL and a restart the account cannot write: %v", err)
	}
	if err := pds.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("after SIGKILL: healthy again in %s, all %d acknowledged posts read back", pds.StartToHealthy.Round(10*time.Millisecond), len(done)-lost)
}

// lastError is the message of the last error a pino logger wrote (level 50
// or above) whose message mentions about, "" when none.
func lastError(logs []byte, about string) string {
	lines := strings.Split(strings.TrimSpace(string(logs)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		var rec struct {
			Level int    `json:"level"`
			Msg   string `json:"msg"`
			Err   struct {
				Message string `json:"message"`
			} `json:"err"`
		}
		if json.Unmarshal([]byte(lines[i]), &rec) == nil && rec.Level >= 50 && strings.Contains(rec.Msg, about) {
			return strings.TrimSpace(rec.Msg + ": " + rec.Err.Message)
		}
	}
	return ""
}

// TestPLCBackupRestore runs the plc module's upgrade backup (pg_dump of the
// database.createLocally database) against a live PLC directory holding one
// DID, registers a second DID, then restores the backup with
// atproto-plc-restore (pg_restore as the postgres user): the first DID's
// document is served as before and the second, written after the backup,
// is gone.
//
// The cluster's socket is not at the default place the scripts' pg_dump
// and pg_restore look in (/run/postgresql on NixOS), so PGHOST points
// there; the backup runs with PGUSER set to the unit's User=, the OS user
// name peer authentication would see on NixOS. pg_dump and pg_restore are
// this machine's (Debian's postgresql-client), in place of the stand-in
// store paths.
func TestPLCBackupRestore(t *testing.T) {
	for _, p := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("skipped: %s not found (Debian: apt-get install postgresql-client), which the PLC's upgrade backup and restore run", p)
		}
	}
	pg := StartPostgres(t)
	plc := StartPLC(t, pg, "")
	pds := StartPDS(t, PDSOptions{PLC: plc.URL})
	kept := CreateAccount(t, pds.URL, "erin"+RandomHex(t, 4)+".pds.example.com", "live-test-"+RandomHex(t, 8))
	keptDoc := string(call(t, "GET", plc.URL+"/"+kept.DID, "", nil))

	recorded, err := os.ReadFile(filepath.Join(plc.StateDir, ".atproto-version"))
	if err != nil {
		t.Fatalf("the first start did not record the version: %v", err)
	}
	from := strings.TrimSpace(string(recorded))
	upgraded := renderRecovery(t, plc, from+"-next")
	out := runScript(t, plc.Process, upgraded.Backup, map[string]string{"PGHOST": pg.SocketDir, "PGUSER": plc.Unit.Value("User")})
	t.Logf("upgrade backup: %s", strings.TrimSpace(out))
	backups, _ := filepath.Glob(filepath.Join(plc.StateDir, ".backups", "*-from-"+from))
	if len(backups) != 1 {
		t.Fatalf("the upgrade backup made %d backups named *-from-%s: %v\n%s", len(backups), from, backups, out)
	}
	dump, err := os.Stat(filepath.Join(backups[0], "postgres.dump"))
	if err != nil {
		t.Fatalf("the upgrade backup of a createLocally database has no pg_dump: %v", err)
	}
	name := filepath.Base(backups[0])

	// Written after the backup: gone after the restore.
	lost := CreateAccount(t, pds.URL, "frank"+RandomHex(t, 4)+".pds.example.com", "live-test-"+RandomHex(t, 8))
	call(t, "GET", plc.URL+"/"+lost.DID, "", nil)

	control := &unitControl{procs: map[string]*Process{plc.Unit.Name: plc.Process}}
	shims := shimBin(t, control)
	restore := renderRecovery(t, plc, from).Restore
	out = runScript(t, plc.Process, restore, map[string]string{"PATH": shims, "PGHOST": pg.SocketDir}, name)
	t.Logf("atproto-plc-restore %s (pg_dump of %d bytes): %s (systemctl calls: %v)", name, dump.Size(), strings.TrimSpace(out), control.calls)
	if exited, _ := plc.Exited(); exited {
		t.Fatalf("the PLC server is not running after the restore\n%s", tail(plc.Logs(), 30))
	}
	if doc := string(call(t, "GET", plc.URL+"/"+kept.DID, "", nil)); doc != keptDoc {
		t.Errorf("after the restore the PLC directory answers for %s:\n%s\nbefore:\n%s", kept.DID, doc, keptDoc)
	}
	if body, err := httpGet(plc.URL + "/" + lost.DID); err == nil {
		t.Errorf("after the restore the PLC directory still has %s, registered after the backup: %s", lost.DID, body)
	}
	for _, s := range []*NodeService{pds, plc} {
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}

// httpGet fetches a URL, failing on any status but 200.
func httpGet(u string) ([]byte, error) {
	resp, err := xrpcClient.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("GET %s: HTTP %d: %s", u, resp.StatusCode, body)
	}
	return body, nil
}
