package live

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The PDS versions of the upgrade test: the npm registry serves these two
// of the 0.4 line (not 0.4.208, the package's pin). Generation A is the
// older, B the newer; both are the pds package's service/ with
// @atproto/pds set to the version.
const (
	pdsVersionA = "0.4.209"
	pdsVersionB = "0.4.217"
)

// TestPDSUpgradeRollback runs generation A of the PDS, writes an account, a
// post and a blob, then switches to generation B as the module orders it:
// the upgrade backup of B's unit runs first (while nothing runs), then B
// starts on the same state directory and migrates its databases itself.
// What A wrote reads back under B and B accepts writes. Then A comes back:
// first without restoring (the backup unit names the restore command; A
// must either serve or fail, not hang), then with atproto-pds-restore of the
// pre-upgrade backup, after which A serves A's data and accepts writes.
func TestPDSUpgradeRollback(t *testing.T) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("skipped: sqlite3 not found (Debian: apt-get install sqlite3), which the upgrade backup runs")
	}
	buildA := BuildNodeAt(t, "pds", "@atproto/pds", pdsVersionA)
	buildB := BuildNodeAt(t, "pds", "@atproto/pds", pdsVersionB)
	t.Logf("generation A: %s (%s); generation B: %s (%s)", buildA.Version, buildA.Note, buildB.Version, buildB.Note)
	pg := StartPostgres(t)
	plc := StartPLC(t, pg, "")
	root := t.TempDir()
	port := FreePort(t)

	// Generation A, with data.
	a := StartPDS(t, PDSOptions{PLC: plc.URL, Build: buildA, Version: pdsVersionA, Root: root, Port: port})
	creds := a.Opts.Credentials
	checkPDSVersion(t, a.URL, pdsVersionA)
	handle := "upgrade" + RandomHex(t, 4) + ".pds.example.com"
	alice := CreateAccount(t, a.URL, handle, "live-test-"+RandomHex(t, 8))
	blob := testPNG(t)
	ref := uploadBlob(t, a.URL, alice, blob)
	postA := createImagePost(t, a.URL, alice, "written by "+pdsVersionA+" "+RandomHex(t, 4), ref)
	schemaA := pdsSchema(t, a.StateDir)
	t.Logf("schema under %s: %s", pdsVersionA, schemaA)
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}

	// Generation B: its upgrade backup runs before it starts.
	b := StartPDS(t, PDSOptions{PLC: plc.URL, Build: buildB, Version: pdsVersionB, Root: root, Port: port, Credentials: creds})
	steps := string(b.StepOutput())
	if !strings.Contains(steps, "atproto-pds: version "+pdsVersionA+" -> "+pdsVersionB+", backing up to ") {
		t.Fatalf("B's start did not run the upgrade backup first; the steps before it printed:\n%s", steps)
	}
	t.Logf("upgrade backup before B: %s", strings.TrimSpace(steps))
	backup := onlyBackup(t, b.StateDir, pdsVersionA)
	// The backup holds A's schema: it was taken before B migrated.
	if got := pdsSchema(t, filepath.Join(b.StateDir, ".backups", backup, "sqlite")); got.String() != schemaA.String() {
		t.Errorf("the pre-upgrade backup holds schema %s; A's was %s (was it taken after B migrated?)", got, schemaA)
	}
	checkPDSVersion(t, b.URL, pdsVersionB)
	schemaB := pdsSchema(t, b.StateDir)
	t.Logf("schema under %s: %s", pdsVersionB, schemaB)
	t.Logf("PDSSCHEMA %s -> %s: %s", pdsVersionA, pdsVersionB, schemaA.diff(schemaB))
	// A's session and data, under B.
	checkPost(t, b.URL, postA, "the post written under "+pdsVersionA+", read under "+pdsVersionB)
	checkBlob(t, b.URL, alice.DID, ref, blob)
	if _, err := XRPC(b.URL, "com.atproto.server.getSession", alice, nil, nil); err != nil {
		t.Errorf("the access token %s issued is not valid under %s: %v", pdsVersionA, pdsVersionB, err)
	}
	relogged, err := Login(b.URL, handle, alice.Password)
	if err != nil {
		t.Fatalf("logging in under %s: %v", pdsVersionB, err)
	}
	postB, err := CreatePost(b.URL, relogged, "written by "+pdsVersionB)
	if err != nil {
		t.Fatalf("%s does not accept writes: %v", pdsVersionB, err)
	}
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}

	// Back to A without restoring: the backup unit names the command.
	back := Prepare(t, RenderUnitVersion(t, "pds", buildA.Exe, pdsVersionA, a.Nix), Options{Root: root, Credentials: creds, Env: LoopbackNodeEnv(t)})
	err = back.Begin()
	steps = string(back.StepOutput())
	restoreCmd := "atproto-pds-restore " + backup
	if !strings.Contains(steps, restoreCmd) {
		t.Errorf("going back to %s without restoring: the upgrade backup's output does not name %q:\n%s", pdsVersionA, restoreCmd, steps)
	}
	t.Logf("ROLLBACK: the upgrade backup before %s printed:\n%s", pdsVersionA, strings.TrimSpace(steps))
	if err != nil {
		t.Fatalf("going back to %s without restoring: a step failed: %v", pdsVersionA, err)
	}
	if err := back.WaitHealthy(NodeHealthTimeout); err != nil {
		// It refuses B's data: it must have exited, saying why.
		if exited, _ := back.Exited(); !exited {
			t.Fatalf("%s on %s's data neither serves nor exits: %v", pdsVersionA, pdsVersionB, err)
		}
		t.Logf("ROLLBACK without restore: %s refuses %s's data and exits; its last lines:\n%s", pdsVersionA, pdsVersionB, tail(back.Logs(), 8))
	} else {
		// It serves: the data must be whole.
		checkPost(t, a.URL, postA, "the post written under "+pdsVersionA+", read by "+pdsVersionA+" on "+pdsVersionB+"'s data")
		checkPost(t, a.URL, postB, "the post written under "+pdsVersionB+", read by "+pdsVersionA+" on "+pdsVersionB+"'s data")
		if _, err := CreatePost(a.URL, relogged, "written by "+pdsVersionA+" on "+pdsVersionB+"'s data"); err != nil {
			t.Errorf("%s on %s's data serves but does not accept writes: %v", pdsVersionA, pdsVersionB, err)
		}
		t.Logf("ROLLBACK without restore: %s serves %s's data (reads and writes)", pdsVersionA, pdsVersionB)
		if err := back.Stop(); err != nil {
			t.Fatal(err)
		}
	}

	// Back to A with the pre-upgrade backup, as the message says.
	back.Kill()
	control := &unitControl{procs: map[string]*Process{"atproto-pds": back}}
	bin := shimBin(t, control)
	scripts := renderRecovery(t, &NodeService{Process: back, Build: buildA, Nix: a.Nix}, pdsVersionA)
	list := runScript(t, back, scripts.Restore, map[string]string{"PATH": bin})
	if !strings.Contains(list, backup+"  (data of version "+pdsVersionA+")") {
		t.Errorf("atproto-pds-restore without a name does not list %s as data of %s:\n%s", backup, pdsVersionA, list)
	}
	t.Logf("atproto-pds-restore (no name):\n%s", list)
	out := runScript(t, back, scripts.Restore, map[string]string{"PATH": bin}, backup)
	t.Logf("%s: %s", restoreCmd, strings.TrimSpace(out))
	checkPDSVersion(t, a.URL, pdsVersionA)
	if got := pdsSchema(t, back.StateDir); got.String() != schemaA.String() {
		t.Errorf("after the restore the schema is %s; A's was %s", got, schemaA)
	}
	checkPost(t, a.URL, postA, "the post written under "+pdsVersionA+", after the restore")
	checkBlob(t, a.URL, alice.DID, ref, blob)
	if _, _, err := GetPost(a.URL, postB.URI); err == nil {
		t.Errorf("the post written under %s is still there after restoring the backup from before the upgrade", pdsVersionB)
	}
	again, err := Login(a.URL, handle, alice.Password)
	if err != nil {
		t.Fatalf("logging in after the restore: %v", err)
	}
	if _, err := CreatePost(a.URL, again, "written by "+pdsVersionA+" after the rollback"); err != nil {
		t.Errorf("%s after the restore does not accept writes: %v", pdsVersionA, err)
	}
	if err := back.Stop(); err != nil {
		t.Fatal(err)
	}
}

func checkPDSVersion(t *testing.T, base, want string) {
	t.Helper()
	got, err := PDSVersion(base)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("the PDS reports version %q; want %s", got, want)
	}
}

// onlyBackup is the name of the one upgrade backup of version from.
func onlyBackup(t *testing.T, stateDir, from string) string {
	t.Helper()
	found, _ := filepath.Glob(filepath.Join(stateDir, ".backups", "*-from-"+from))
	if len(found) != 1 {
		t.Fatalf("want one backup *-from-%s in %s/.backups, found %v", from, stateDir, found)
	}
	return filepath.Base(found[0])
}

// schema is the migrations each SQLite database under a folder has run,
// by path relative to the folder (per-account stores grouped as
// actors/*/store.sqlite).
type schema map[string][]string

func (s schema) String() string {
	var parts []string
	for _, db := range sortedKeys(s) {
		m := s[db]
		last := "none"
		if len(m) > 0 {
			last = m[len(m)-1]
		}
		parts = append(parts, fmt.Sprintf("%s: %d migrations, last %s", db, len(m), last))
	}
	return strings.Join(parts, "; ")
}

// diff says which migrations next ran that s had not.
func (s schema) diff(next schema) string {
	var parts []string
	for _, db := range sortedKeys(next) {
		had := map[string]bool{}
		for _, m := range s[db] {
			had[m] = true
		}
		var added []string
		for _, m := range next[db] {
			if !had[m] {
				added = append(added, m)
			}
		}
		if len(added) == 0 {
			parts = append(parts, db+": unchanged")
		} else {
			parts = append(parts, db+": + "+strings.Join(added, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// pdsSchema reads the kysely_migration table of every SQLite database
// under dir.
func pdsSchema(t *testing.T, dir string) schema {
	t.Helper()
	s := schema{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".backups" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".sqlite") {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		if strings.HasPrefix(rel, "actors/") {
			rel = "actors/*/" + filepath.Base(rel)
		}
		out, err := exec.Command("sqlite3", "-readonly", path, "SELECT name FROM kysely_migration ORDER BY name").CombinedOutput()
		if err != nil {
			if bytes.Contains(out, []byte("no such table")) {
				s[rel] = nil
				return nil
			}
			return fmt.Errorf("reading the migrations of %s: %v: %s", path, err, out)
		}
		s[rel] = strings.Fields(string(out))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(s) == 0 {
		t.Fatalf("no SQLite databases under %s", dir)
	}
	return s
}

// testPNG is a small real PNG (the PDS sniffs an upload's type).
func testPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	img.Set(0, 0, color.RGBA{R: 1, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// blobRef is the reference uploadBlob answers with.
type blobRef = json.RawMessage

func uploadBlob(t *testing.T, base string, a *Account, data []byte) blobRef {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/xrpc/com.atproto.repo.uploadBlob", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "image/png")
	req.Header.Set("Authorization", "Bearer "+a.AccessJwt)
	resp, err := xrpcClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out struct {
		Blob json.RawMessage `json:"blob"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil || len(out.Blob) == 0 {
		t.Fatalf("uploadBlob answered HTTP %d: %s", resp.StatusCode, body)
	}
	return out.Blob
}

func createImagePost(t *testing.T, base string, a *Account, text string, ref blobRef) Record {
	t.Helper()
	body, err := XRPC(base, "com.atproto.repo.createRecord", a, nil, map[string]any{
		"repo": a.DID, "collection": "app.bsky.feed.post",
		"record": map[string]any{
			"$type": "app.bsky.feed.post", "text": text,
			"createdAt": time.Now().UTC().Format(time.RFC3339Nano),
			"embed": map[string]any{
				"$type":  "app.bsky.embed.images",
				"images": []any{map[string]any{"alt": "a test image", "image": ref}},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var r Record
	if err := json.Unmarshal(body, &r); err != nil || r.CID == "" {
		t.Fatalf("createRecord answered %s (%v)", body, err)
	}
	return r
}

func checkPost(t *testing.T, base string, r Record, what string) {
	t.Helper()
	cid, _, err := GetPost(base, r.URI)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if cid != r.CID {
		t.Errorf("%s: CID %s, want %s", what, cid, r.CID)
	}
}

func checkBlob(t *testing.T, base, did string, ref blobRef, want []byte) {
	t.Helper()
	var r struct {
		Ref struct {
			Link string `json:"$link"`
		} `json:"ref"`
	}
	if err := json.Unmarshal(ref, &r); err != nil || r.Ref.Link == "" {
		t.Fatalf("blob reference %s: %v", ref, err)
	}
	resp, err := xrpcClient.Get(base + "/xrpc/com.atproto.sync.getBlob?" + url.Values{"did": {did}, "cid": {r.Ref.Link}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
		t.Errorf("getBlob %s: HTTP %d, %d bytes; want the %d bytes uploaded", r.Ref.Link, resp.StatusCode, len(got), len(want))
	}
}

// TestPLCUpgradeRestore: the PLC server's upgrade backup (pg_dump of its
// createLocally database) runs when a new package version first starts;
// here the new version is the same program (the package's revision under
// another version string), so the server re-runs its migrations on a
// migrated database, which must be a no-op: the directory answers as
// before. A DID registered afterwards is gone after atproto-plc-restore of
// the backup; the one from before is there.
func TestPLCUpgradeRestore(t *testing.T) {
	for _, p := range []string{"pg_dump", "pg_restore", "sqlite3"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("skipped: %s not found, which the upgrade backup and restore run", p)
		}
	}
	pg := StartPostgres(t)
	b := BuildNode(t, "plc")
	extra := fmt.Sprintf("{ settings.PORT = %d; }", FreePort(t))
	render := func(version string) *Unit { return RenderUnitVersion(t, "plc", b.Exe, version, extra) }
	first := render("1.0")
	for _, user := range first.Postgres.Users {
		pg.CreateLocally(t, user.Name)
	}
	env := LoopbackNodeEnv(t)
	env["PGHOST"] = pg.SocketDir
	// The backup runs as the unit's user under systemd (peer authentication).
	env["PGUSER"] = first.Value("User")
	opts := Options{Root: t.TempDir(), Paths: pg.Paths(), Env: env, Credentials: map[string][]byte{}}
	for _, entry := range first.Strings("LoadCredential") {
		name, _, _ := strings.Cut(entry, ":")
		opts.Credentials[name] = []byte(RandomHex(t, 32))
	}
	plc := Start(t, first, opts)
	if err := plc.WaitHealthy(NodeHealthTimeout); err != nil {
		t.Fatal(err)
	}
	plcURL := "http://" + listenAddr(t, first)
	pds := StartPDS(t, PDSOptions{PLC: plcURL})
	kept := CreateAccount(t, pds.URL, "plcup"+RandomHex(t, 4)+".pds.example.com", "live-test-"+RandomHex(t, 8))
	keptDoc := string(call(t, "GET", plcURL+"/"+kept.DID, "", nil))
	role := first.Value("User")
	migrationsBefore := pg.Query(t, role, `SELECT count(*) FROM kysely_migration`)
	if err := plc.Stop(); err != nil {
		t.Fatal(err)
	}

	next := Start(t, render("1.0-next"), opts)
	if err := next.WaitHealthy(NodeHealthTimeout); err != nil {
		t.Fatal(err)
	}
	steps := string(next.StepOutput())
	if !strings.Contains(steps, "atproto-plc: version 1.0 -> 1.0-next, backing up to ") {
		t.Fatalf("the new version's start did not run the upgrade backup:\n%s", steps)
	}
	backup := onlyBackup(t, next.StateDir, "1.0")
	if _, err := os.Stat(filepath.Join(next.StateDir, ".backups", backup, "postgres.dump")); err != nil {
		t.Fatalf("the PLC's upgrade backup has no pg_dump: %v", err)
	}
	if got := string(call(t, "GET", plcURL+"/"+kept.DID, "", nil)); got != keptDoc {
		t.Errorf("after the upgrade the PLC directory answers for %s:\n%s\nbefore:\n%s", kept.DID, got, keptDoc)
	}
	if after := pg.Query(t, role, `SELECT count(*) FROM kysely_migration`); after != migrationsBefore {
		t.Errorf("the migrations re-ran into %s rows of kysely_migration; before %s", after, migrationsBefore)
	}
	t.Logf("PLC upgrade 1.0 -> 1.0-next (same program): backup %s, migrations re-run as a no-op (%s rows of kysely_migration)", backup, strings.TrimSpace(migrationsBefore))
	lost := CreateAccount(t, pds.URL, "plclost"+RandomHex(t, 4)+".pds.example.com", "live-test-"+RandomHex(t, 8))

	// Rolled back to the "1.0" generation, then restored.
	if err := next.Stop(); err != nil {
		t.Fatal(err)
	}
	old := Prepare(t, render("1.0"), opts)
	control := &unitControl{procs: map[string]*Process{"atproto-plc": old}}
	var scripts recoveryScripts
	nixEvalJSON(t, "recovery.nix", &scripts, "--argstr", "module", "plc", "--argstr", "exe", b.Exe, "--argstr", "version", "1.0", "--arg", "extra", extra)
	out := runScript(t, old, scripts.Restore, map[string]string{"PATH": shimBin(t, control), "PGHOST": pg.SocketDir, "PGUSER": "postgres"}, backup)
	t.Logf("atproto-plc-restore %s: %s", backup, strings.TrimSpace(out))
	if got := string(call(t, "GET", plcURL+"/"+kept.DID, "", nil)); got != keptDoc {
		t.Errorf("after the restore the PLC directory answers for %s:\n%s", kept.DID, got)
	}
	if body, err := httpGet(plcURL + "/" + lost.DID); err == nil {
		t.Errorf("after the restore the PLC directory still has %s, registered after the backup: %s", lost.DID, body)
	}
	for _, p := range []*Process{pds.Process, old} {
		if err := p.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}
