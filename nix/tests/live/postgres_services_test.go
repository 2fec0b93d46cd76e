package live

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// postgresCases are the Go services whose modules offer
// database.createLocally, with the variable the module points at the
// local PostgreSQL and, where the write of their goCase leaves a row worth
// naming, a query that must find it.
var postgresCases = map[string]struct {
	urlVar string
	// row checks, in the role's database, what the case's write stored;
	// "" when the program's API after the restart is the only check.
	row func() (query, want string)
	// check replaces the goCase's check after the restart, for a case
	// whose check reads the SQLite file this configuration does not have.
	check func(t *testing.T, p *Process, pg *Postgres, role string)
}{
	"relay": {
		urlVar: "DATABASE_URL",
		row:    func() (string, string) { return `SELECT domain FROM domain_bans`, "banned.example" },
	},
	"tap": {urlVar: "TAP_DATABASE_URL"},
	"cocoon": {
		urlVar: "COCOON_DATABASE_URL",
		row:    func() (string, string) { return `SELECT code FROM invite_codes`, cocoonInvite },
		check: func(t *testing.T, p *Process, pg *Postgres, role string) {
			if got := pg.Query(t, role, `SELECT code FROM invite_codes`); got != cocoonInvite {
				t.Errorf("cocoon: invite_codes holds %q after the restart; want %s", got, cocoonInvite)
			}
		},
	},
}

// The services that can use PostgreSQL run on the local database that
// database.createLocally asks NixOS for, reached through the URL the module
// renders (a Unix socket, peer authentication, the service's own role),
// write through their API into it and find it there after a restart.
// TestGoServices runs the same programs on their default, SQLite.
func TestPostgresServices(t *testing.T) {
	for _, pkg := range []string{"relay", "tap", "cocoon"} {
		t.Run(pkg, func(t *testing.T) { runPostgresService(t, pkg) })
	}
}

func runPostgresService(t *testing.T, pkg string) {
	c, pc := goCases[pkg], postgresCases[pkg]
	pg := StartPostgres(t)
	b := BuildGo(t, pkg)
	u := RenderUnit(t, c.module, b.Exe, fmt.Sprintf("[ (%s) { networkIsolation.enable = true; database.createLocally = true; } ]", c.extra))
	if url := u.Environment[pc.urlVar]; !strings.HasPrefix(url, "postgres") {
		t.Fatalf("%s: with database.createLocally %s is %q; want a PostgreSQL URL", pkg, pc.urlVar, url)
	}
	if !u.Postgres.Enable || len(u.Postgres.Users) != 1 {
		t.Fatalf("%s: with database.createLocally the module asks for PostgreSQL roles %v; want one", pkg, u.Postgres.Users)
	}
	role := u.Postgres.Users[0].Name
	pg.CreateLocally(t, role)
	creds := c.makeCredentials(t, b, u)
	p := Start(t, u, Options{Paths: pg.Paths(), Credentials: creds})
	if err := p.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	if c.write != nil {
		c.write(t, p)
	}

	// The program's tables are in the role's own database, and no SQLite
	// file stands in for them.
	tables, err := strconv.Atoi(pg.Query(t, role, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = `+quoteLiteral(role)))
	if err != nil || tables == 0 {
		t.Errorf("%s: its role %s owns no tables in its database (%v)", pkg, role, err)
	}
	if pc.row != nil {
		if query, want := pc.row(); pg.Query(t, role, query) != want {
			t.Errorf("%s: %s in database %s does not give %q, the row just written", pkg, query, role, want)
		}
	}
	for _, pattern := range []string{"*.db", "*.sqlite", "*.db-wal", "*.sqlite-wal"} {
		if matches, _ := filepath.Glob(filepath.Join(p.StateDir, pattern)); len(matches) > 0 {
			t.Errorf("%s: SQLite files beside PostgreSQL: %v", pkg, matches)
		}
	}

	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitHealthy(healthTimeout); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	switch {
	case pc.check != nil:
		pc.check(t, p, pg, role)
	case c.check != nil:
		c.check(t, p)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	t.Logf("LIVE %s on %s: start-to-healthy %s, %d tables in database %s", pkg, pg.Version, p.StartToHealthy, tables, role)
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
