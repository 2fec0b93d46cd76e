package live

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// The relay with database.createLocally keeps its hosts, accounts and bans
// in the local PostgreSQL the module asks NixOS for, reached through the
// URL the module renders (a Unix socket, peer authentication), and finds
// them there again after a restart. The other relay test runs it on its
// default, SQLite.
func TestRelayPostgres(t *testing.T) {
	pg := StartPostgres(t)
	b := BuildGo(t, "relay")
	u := RenderUnit(t, "relay", b.Exe, `[ { networkIsolation.enable = true; database.createLocally = true;
		settings.RELAY_PLC_HOST = "http://`+refused+`"; } ]`)
	url := u.Environment["DATABASE_URL"]
	if !strings.HasPrefix(url, "postgres") {
		t.Fatalf("with database.createLocally the relay's DATABASE_URL is %q; want a PostgreSQL URL", url)
	}
	if !u.Postgres.Enable || len(u.Postgres.Users) != 1 {
		t.Fatalf("services.atproto.relay with database.createLocally asks for PostgreSQL roles %v; want one", u.Postgres.Users)
	}
	role := u.Postgres.Users[0].Name
	pg.CreateLocally(t, role)
	creds := map[string][]byte{}
	for _, entry := range u.Strings("LoadCredential") {
		name, _, _ := strings.Cut(entry, ":")
		creds[name] = randomHex(t)
	}
	p := Start(t, u, Options{Paths: pg.Paths(), Credentials: creds})
	if err := p.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	relayAdmin(t, p, http.MethodPost, "/admin/subs/banDomain", `{"domain":"banned.example"}`)

	// The ban is a row of the role's own database, and no SQLite file
	// stands in for it.
	if got := pg.Query(t, role, `SELECT domain FROM domain_bans`); got != "banned.example" {
		t.Errorf("domain_bans in PostgreSQL database %s holds %q; want the ban just written", role, got)
	}
	if owner := pg.Query(t, role, `SELECT tableowner FROM pg_tables WHERE tablename = 'domain_bans'`); owner != role {
		t.Errorf("the relay's tables are owned by %q; want its role %s", owner, role)
	}
	if matches, _ := filepath.Glob(filepath.Join(p.StateDir, "*.sqlite*")); len(matches) > 0 {
		t.Errorf("the relay wrote SQLite files beside PostgreSQL: %v", matches)
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
	body := relayAdmin(t, p, http.MethodGet, "/admin/subs/listDomainBans", "")
	if !bytes.Contains(body, []byte(`"banned.example"`)) {
		t.Errorf("relay: the domain ban written before the restart is gone: %s", body)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	t.Logf("LIVE relay on %s: start-to-healthy %s, database %s", pg.Version, p.StartToHealthy, role)
}
