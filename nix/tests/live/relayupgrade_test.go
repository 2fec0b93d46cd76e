package live

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The older relay of the upgrade test: indigo at 7b995a5 (2026-04-21), in
// ../shared/upstream beside the pinned 4b983a7. Between the two the relay
// began to persist its account-limit alert state. No package pins it, so
// its tree hash is recorded here: `nix-hash --type sha256` of the unpacked
// tarball, computed on this project's machine when the test was written.
const (
	oldRelayTarball  = "indigo-7b995a5"
	oldRelayTreeHash = "c0bdd13bcf233d3ad702cc24a18cc30b9c2ace850dc77c919d75c6eb0ab06756"
	// The versions the two generations' packages carry (what the upgrade
	// backup compares): the package's scheme, 0-unstable-<commit date>.
	oldRelayVersion = "0-unstable-2026-04-21"
)

// buildOldRelay builds the relay from indigo-7b995a5 as BuildGo builds the
// pinned one (the package's build spec, the older tree).
func buildOldRelay(t *testing.T) *Build {
	t.Helper()
	shared := SharedDir(t)
	if shared == "" {
		t.Skip("skipped: ../shared/upstream not found")
	}
	tarball := filepath.Join(shared, "upstream", oldRelayTarball+".tar.gz")
	sum, err := fileSHA256(tarball)
	if err != nil {
		t.Skipf("skipped: %v", err)
	}
	dir, _ := Cached(t, "src", oldRelayTarball+"-"+shortHash(sum), func(dir string) error {
		if out, err := exec.Command("tar", "-xzf", tarball, "-C", dir).CombinedOutput(); err != nil {
			return fmt.Errorf("unpacking %s: %w\n%s", tarball, err, out)
		}
		return nil
	})
	tree := filepath.Join(dir, oldRelayTarball)
	out, err := exec.Command("nix-hash", "--type", "sha256", tree).Output()
	if err != nil {
		t.Fatalf("nix-hash of %s: %v", tree, err)
	}
	if got := strings.TrimSpace(string(out)); got != oldRelayTreeHash {
		t.Fatalf("%s unpacks to a tree with nix-hash %s; want %s (the tarball is not indigo at 7b995a5)", tarball, got, oldRelayTreeHash)
	}
	spec := Package(t, "relay")
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%v %v %s\n", oldRelayTreeHash, goVersion(t), spec.SubPackages, spec.Ldflags, spec.PostPatch)
	built, hit := Cached(t, "go", "relay-"+oldRelayTarball+"-"+shortHash(hex.EncodeToString(h.Sum(nil))), func(dir string) error {
		return buildGo(t, spec, tree, "", dir)
	})
	return &Build{Exe: filepath.Join(built, "bin", "relay"), Cached: hit}
}

// TestRelayUpgradeRollback upgrades the relay from 7b995a5 to the pinned
// 4b983a7 with a host and a domain ban in its database, on SQLite and on
// the PostgreSQL database of database.createLocally, as the module orders
// it (the upgrade backup first), then goes back: without restoring (the
// backup unit names the restore command; the old relay must serve or fail,
// not hang) and with atproto-relay-restore.
func TestRelayUpgradeRollback(t *testing.T) {
	for _, db := range []string{"sqlite", "postgresql"} {
		t.Run(db, func(t *testing.T) { runRelayUpgrade(t, db) })
	}
}

func runRelayUpgrade(t *testing.T, db string) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("skipped: sqlite3 not found, which the upgrade backup runs")
	}
	oldBuild := buildOldRelay(t)
	newBuild := BuildGo(t, "relay")
	newVersion := Package(t, "relay").Version
	c := goCases["relay"]
	extra := fmt.Sprintf("[ (%s) { networkIsolation.enable = true; } ]", c.extra)
	opts := Options{Root: t.TempDir()}
	var pg *Postgres
	if db == "postgresql" {
		for _, p := range []string{"pg_dump", "pg_restore"} {
			if _, err := exec.LookPath(p); err != nil {
				t.Skipf("skipped: %s not found, which the upgrade backup of a PostgreSQL relay runs", p)
			}
		}
		pg = StartPostgres(t)
		extra = fmt.Sprintf("[ (%s) { networkIsolation.enable = true; database.createLocally = true; } ]", c.extra)
		opts.Paths = pg.Paths()
		// The backup runs as the unit's user under systemd (peer authentication).
		opts.Env = map[string]string{"PGHOST": pg.SocketDir, "PGUSER": "atproto-relay"}
	}
	roles := map[string]bool{}
	render := func(b *Build, version string) *Unit {
		u := RenderUnitVersion(t, "relay", b.Exe, version, extra)
		if pg != nil {
			for _, user := range u.Postgres.Users {
				if !roles[user.Name] {
					pg.CreateLocally(t, user.Name)
					roles[user.Name] = true
				}
			}
		}
		return u
	}
	start := func(u *Unit) *Process {
		t.Helper()
		if opts.Credentials == nil {
			opts.Credentials = c.makeCredentials(t, newBuild, u)
		}
		p := Start(t, u, opts)
		if err := p.WaitHealthy(healthTimeout); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// Generation A with a host and a ban.
	a := start(render(oldBuild, oldRelayVersion))
	host := "pds-upgrade.example.com"
	relayAdmin(t, a, http.MethodPost, "/admin/subs/banDomain", `{"domain":"banned.example"}`)
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	insert := fmt.Sprintf(`INSERT INTO host (created_at, updated_at, hostname, no_ssl, account_limit, trusted, status, last_seq) VALUES (CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '%s', false, 100, false, 'active', 42)`, host)
	relaySQL(t, a, pg, insert)
	schemaA := relaySchema(t, a, pg)

	// Generation B.
	b := start(render(newBuild, newVersion))
	steps := string(b.StepOutput())
	if !strings.Contains(steps, "atproto-relay: version "+oldRelayVersion+" -> "+newVersion+", backing up to ") {
		t.Fatalf("B's start did not run the upgrade backup first:\n%s", steps)
	}
	backup := onlyBackup(t, b.StateDir, oldRelayVersion)
	if pg != nil {
		if _, err := os.Stat(filepath.Join(b.StateDir, ".backups", backup, "postgres.dump")); err != nil {
			t.Fatalf("the upgrade backup of the PostgreSQL relay has no dump: %v", err)
		}
	}
	checkRelayData(t, b, host, "under "+newVersion)
	schemaB := relaySchema(t, b, pg)
	t.Logf("RELAYSCHEMA %s %s -> %s: %s", db, oldRelayVersion, newVersion, schemaDiff(schemaA, schemaB))
	relayAdmin(t, b, http.MethodPost, "/admin/subs/banDomain", `{"domain":"banned-after-upgrade.example"}`)
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}

	// Back to A without restoring.
	back := Prepare(t, render(oldBuild, oldRelayVersion), opts)
	err := back.Begin()
	steps = string(back.StepOutput())
	restoreCmd := "atproto-relay-restore " + backup
	if !strings.Contains(steps, restoreCmd) {
		t.Errorf("going back without restoring: the upgrade backup's output does not name %q:\n%s", restoreCmd, steps)
	}
	if err != nil {
		t.Fatalf("going back without restoring: a step failed: %v", err)
	}
	if err := back.WaitHealthy(healthTimeout); err != nil {
		if exited, _ := back.Exited(); !exited {
			t.Fatalf("the old relay on the new data neither serves nor exits: %v", err)
		}
		t.Logf("ROLLBACK relay %s without restore: the old relay refuses the new data: %s", db, tail(back.Logs(), 5))
	} else {
		checkRelayData(t, back, host, "by the old relay on the new data")
		t.Logf("ROLLBACK relay %s without restore: the old relay serves the new data (host and bans read back)", db)
		if err := back.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	back.Kill()

	// With the backup.
	control := &unitControl{procs: map[string]*Process{"atproto-relay": back}}
	env := map[string]string{"PATH": shimBin(t, control)}
	if pg != nil {
		// pg_restore runs as the postgres user (runuser), as its role.
		env["PGHOST"], env["PGUSER"] = pg.SocketDir, "postgres"
	}
	var scripts recoveryScripts
	nixEvalJSON(t, "recovery.nix", &scripts, "--argstr", "module", "relay", "--argstr", "exe", oldBuild.Exe,
		"--argstr", "version", oldRelayVersion, "--arg", "extra", extra)
	out := runScript(t, back, scripts.Restore, env, backup)
	t.Logf("%s (%s): %s", restoreCmd, db, strings.TrimSpace(out))
	checkRelayData(t, back, host, "after the restore")
	bans := string(relayAdmin(t, back, http.MethodGet, "/admin/subs/listDomainBans", ""))
	if strings.Contains(bans, "banned-after-upgrade.example") {
		t.Errorf("the ban made after the upgrade is still there after restoring the backup from before it: %s", bans)
	}
	if got := relaySchema(t, back, pg); schemaDiff(schemaA, got) != "unchanged" {
		t.Errorf("after the restore the schema differs from A's: %s", schemaDiff(schemaA, got))
	}
	relayAdmin(t, back, http.MethodPost, "/admin/subs/banDomain", `{"domain":"banned-after-rollback.example"}`)
	if err := back.Stop(); err != nil {
		t.Fatal(err)
	}
}

// checkRelayData requires the host and the first ban to be there.
func checkRelayData(t *testing.T, p *Process, host, when string) {
	t.Helper()
	bans := relayAdmin(t, p, http.MethodGet, "/admin/subs/listDomainBans", "")
	if !bytes.Contains(bans, []byte(`"banned.example"`)) {
		t.Errorf("the domain ban is gone %s: %s", when, bans)
	}
	hosts := relayAdmin(t, p, http.MethodGet, "/admin/pds/list", "")
	if !bytes.Contains(hosts, []byte(host)) {
		t.Errorf("the host %s is gone %s: %s", host, when, hosts)
	}
}

// relaySQL runs SQL in the relay's database (the process is stopped).
func relaySQL(t *testing.T, p *Process, pg *Postgres, sql string) string {
	t.Helper()
	if pg != nil {
		return pg.Query(t, p.Unit.Value("User"), sql)
	}
	file := filepath.Join(p.StateDir, filepath.Base(strings.TrimPrefix(p.Unit.Environment["DATABASE_URL"], "sqlite://")))
	out, err := exec.Command("sqlite3", file, sql).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3 %s %q: %v\n%s", file, sql, err, out)
	}
	return string(out)
}

// relaySchema is every table's columns, one "table.column" a line.
func relaySchema(t *testing.T, p *Process, pg *Postgres) []string {
	t.Helper()
	var out string
	if pg != nil {
		out = relaySQL(t, p, pg, `SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`)
	} else {
		out = relaySQL(t, p, nil, `SELECT m.name || '.' || c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' ORDER BY 1`)
	}
	return strings.Fields(out)
}

func schemaDiff(a, b []string) string {
	had := map[string]bool{}
	for _, x := range a {
		had[x] = true
	}
	has := map[string]bool{}
	var added, removed []string
	for _, x := range b {
		has[x] = true
		if !had[x] {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !has[x] {
			removed = append(removed, x)
		}
	}
	if len(added) == 0 && len(removed) == 0 {
		return "unchanged"
	}
	return fmt.Sprintf("added %v, removed %v", added, removed)
}
