package live

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// plcConsoleLines are the lines did-method-plc's bin.ts prints with
// console.log beside pino's JSON: its start-up steps ("[*] ..."), the
// address it serves, and "Shutting down..." after an empty line.
var plcConsoleLines = regexp.MustCompile(`^\[\*\] |^👤 PLC server is running at |^$|^Shutting down\.\.\.$`)

const plcConsoleWhy = "did-method-plc's bin.ts prints its start-up and shutdown steps with console.log as plain text; only its pino logger writes JSON, and the module cannot change that"

// TestNodeServices runs the PLC directory (with a real PostgreSQL made as
// database.createLocally makes it) and the PDS registering its accounts
// there, each from its rendered unit: its own health probe passes, its logs
// follow logFormat, it listens only where the module says (and on
// loopback), SIGTERM stops it within the unit's stop timeout, and a
// restart keeps its data: the DID in the PLC directory, the account and
// its post in the PDS.
func TestNodeServices(t *testing.T) {
	pg := StartPostgres(t)
	plc := StartPLC(t, pg, "")
	plcHealthy := plc.StartToHealthy
	checkListeners(t, plc.Process)

	pds := StartPDS(t, PDSOptions{PLC: plc.URL})
	pdsHealthy := pds.StartToHealthy
	checkListeners(t, pds.Process)
	version, err := PDSVersion(pds.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(pds.Build.Version, version) {
		t.Errorf("the PDS reports version %q, but the build installed %s", version, pds.Build.Version)
	}

	// Data in both: an account (a DID in the PLC directory) and a post.
	handle := "alice" + RandomHex(t, 4) + ".pds.example.com"
	alice := CreateAccount(t, pds.URL, handle, "live-test-"+RandomHex(t, 8))
	text := "kept across a restart " + RandomHex(t, 6)
	post, err := CreatePost(pds.URL, alice, text)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(call(t, "GET", plc.URL+"/"+alice.DID, "", nil))
	if !strings.Contains(doc, "at://"+handle) {
		t.Fatalf("the PLC directory's document of %s does not name its handle %s: %s", alice.DID, handle, doc)
	}
	// Let both write what they write in their first seconds before the
	// logs are read.
	time.Sleep(time.Second)

	for _, s := range []*NodeService{pds, plc} {
		if err := s.Stop(); err != nil {
			t.Fatalf("%v\n%s", err, tail(s.Logs(), 40))
		}
	}
	checkLogs(t, plc.Unit, plc.Logs(), plcConsoleLines, plcConsoleWhy)
	checkLogs(t, pds.Unit, pds.Logs(), nil, "")

	for _, s := range []*NodeService{plc, pds} {
		if err := s.Restart(); err != nil {
			t.Fatal(err)
		}
		if err := s.WaitHealthy(NodeHealthTimeout); err != nil {
			t.Fatalf("after a restart: %v", err)
		}
	}
	if again := string(call(t, "GET", plc.URL+"/"+alice.DID, "", nil)); again != doc {
		t.Errorf("after a restart the PLC directory answers for %s:\n%s\nbefore:\n%s", alice.DID, again, doc)
	}
	session, err := Login(pds.URL, handle, alice.Password)
	if err != nil {
		t.Fatalf("after a restart, logging in as %s: %v", handle, err)
	}
	if session.DID != alice.DID {
		t.Errorf("after a restart %s is %s, was %s", handle, session.DID, alice.DID)
	}
	cid, got, err := GetPost(pds.URL, post.URI)
	if err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	if cid != post.CID || got != text {
		t.Errorf("after a restart %s is %s %q, was %s %q", post.URI, cid, got, post.CID, text)
	}
	for _, s := range []*NodeService{pds, plc} {
		if err := s.Stop(); err != nil {
			t.Fatalf("after a restart: %v", err)
		}
	}

	t.Logf("LIVE plc: build %s, start-to-healthy %s, peak memory %.1f MiB, version %s (node %s), PostgreSQL %s",
		plc.Build, plcHealthy.Round(10*time.Millisecond), mib(plc.PeakMemory()), plc.Build.Version, plc.Build.Node, pg.Version)
	t.Logf("LIVE pds: build %s, start-to-healthy %s, peak memory %.1f MiB, version %s (node %s; the package uses %s)",
		pds.Build, pdsHealthy.Round(10*time.Millisecond), mib(pds.PeakMemory()), pds.Build.Version, pds.Build.Node, nixAttr(Package(t, "pds").Nodejs))
	if pds.Build.Note != "" {
		t.Logf("NOTE pds: %s", pds.Build.Note)
	}
	if pds.Build.Native == "" {
		t.Errorf("the pds build says nothing of its native module (nix/pkgs/pds lists better-sqlite3)")
	}
	t.Logf("pds native modules: %s", pds.Build.Native)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// nixAttr is the nixpkgs attribute a metadata-mode placeholder stands for
// (".../metadata-only-placeholder-nodejs_22" -> nodejs_22).
func nixAttr(path string) string {
	if _, name, ok := strings.Cut(path, "metadata-only-placeholder-"); ok {
		return name
	}
	if path == "" {
		return "the default nodejs"
	}
	return path
}

// The PostgreSQL cluster does what database.createLocally asks of NixOS.
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
	// Peer authentication: a role the ident map does not give the test's
	// OS user is refused.
	pg.Query(t, "postgres", `CREATE ROLE other LOGIN`)
	if _, err := pg.execAs("other", "postgres", "SELECT 1"); err == nil || !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("connecting as an unmapped role: %v; want a peer authentication failure", err)
	}
	t.Logf("%s, socket %s, server user %s", pg.Version, pg.SocketDir, pg.Superuser)
}

func TestNearestServed(t *testing.T) {
	served := []string{"0.4.207", "0.4.209", "0.4.217", "0.5.0", "0.4.210-rc.1"}
	for pinned, want := range map[string]string{"0.4.208": "0.4.209", "0.4.209": "0.4.209", "0.4.216": "0.4.217"} {
		if got, err := nearestServed(pinned, served); err != nil || got != want {
			t.Errorf("nearestServed(%s) = %q, %v; want %s", pinned, got, err, want)
		}
	}
	if got, err := nearestServed("0.4.218", served); err == nil {
		t.Errorf("nearestServed(0.4.218) = %q; want an error (no later 0.4 release)", got)
	}
}
