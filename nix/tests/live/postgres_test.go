package live

import (
	"strings"
	"testing"
)

// The cluster does what database.createLocally asks of NixOS: a role and a
// database of that name, owned by it, over the Unix socket only.
func TestPostgresCreateLocally(t *testing.T) {
	pg := StartPostgres(t)
	pg.CreateLocally(t, "atproto-plc")
	owner := pg.Query(t, "postgres", `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'atproto-plc'`)
	if owner != "atproto-plc" {
		t.Errorf("database atproto-plc is owned by %q, want the role atproto-plc", owner)
	}
	who, err := pg.execAs("atproto-plc", "atproto-plc", "CREATE TABLE t (x int); SELECT current_user")
	if err != nil || who != "atproto-plc" {
		t.Errorf("the role cannot use its database: %q, %v", who, err)
	}
	if la := pg.Query(t, "postgres", "SHOW listen_addresses"); la != "" {
		t.Errorf("listen_addresses = %q; the cluster must not listen on TCP", la)
	}
	// Peer authentication: a role the map does not give the test's user is refused.
	pg.Query(t, "postgres", `CREATE ROLE other LOGIN`)
	if _, err := pg.execAs("other", "postgres", "SELECT 1"); err == nil || !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("connecting as an unmapped role: %v; want a peer authentication failure", err)
	}
	t.Logf("%s, socket %s, superuser %s", pg.Version, pg.SocketDir, pg.Superuser)
}
