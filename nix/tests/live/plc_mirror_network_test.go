package live

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"testing"
)

// TestNetworkPLCMirror runs examples/local-plc-mirror.nix beside the
// one-machine network of examples/local-network.nix, as a second machine
// with a PostgreSQL cluster of its own: allegedly mirrors the network's
// PLC directory into its own PLC server, and a DID created through the
// network's PDS becomes resolvable from allegedly, with the same document
// the network's directory serves.
func TestNetworkPLCMirror(t *testing.T) {
	allegedly := BuildRust(t, "allegedly") // skips with one line without the allegedly workspace
	plc := BuildNode(t, "plc")
	n := startLocalNetwork(t, filepath.Join(RepoRoot(t), "examples", "local-network.nix"), nil)
	file := filepath.Join(RepoRoot(t), "examples", "local-plc-mirror.nix")
	m := &localNetwork{
		pg:     StartPostgres(t),
		units:  RenderSystem(t, file, map[string]string{"plc": plc.Exe, "allegedly": allegedly.Exe}, ""),
		builds: map[string]fmt.Stringer{"plc": plc, "allegedly": allegedly},
		procs:  map[string]*Process{},
		roles:  map[string]bool{},
	}
	if upstream := m.units["allegedly"].Environment["ALLEGEDLY_UPSTREAM"]; upstream != n.PLC {
		t.Fatalf("%s mirrors %s, but the network's PLC directory is %s", file, upstream, n.PLC)
	}
	mirrorPLC := m.start(t, "plc", nil)

	// allegedly refuses an empty database and follows the upstream from
	// the newest operation it holds: the mirror starts from a copy of the
	// network directory's operations, made after a first account.
	n.createAccount(t)
	upstreamDB := n.units["plc"].Postgres.Users[0].Name
	mirrorDB := mirrorPLC.Unit.Postgres.Users[0].Name
	copyPLCOperations(t, n.pg, upstreamDB, m.pg, mirrorDB)
	mirror := m.start(t, "allegedly", nil)

	account := n.createAccount(t)
	got := waitMirrored(t, mirror, account.Did, m.pg, mirrorDB)
	want := call(t, http.MethodGet, n.PLC+"/"+account.Did, "", nil)
	var gotDoc, wantDoc any
	if err := json.Unmarshal(got, &gotDoc); err != nil {
		t.Fatalf("allegedly: the document of %s is not JSON: %v: %s", account.Did, err, got)
	}
	if err := json.Unmarshal(want, &wantDoc); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotDoc, wantDoc) {
		t.Fatalf("allegedly serves %s as\n%s\nbut the network's PLC directory as\n%s", account.Did, got, want)
	}
	if !bytes.Contains(got, []byte("at://"+account.Handle)) {
		t.Fatalf("allegedly: the document of %s does not name its handle %s: %s", account.Did, account.Handle, got)
	}
	t.Logf("hop PDS -> PLC -> allegedly: %s (created through the PDS after the copy) resolves from the mirror, sequenced by its PLC server", account.Did)

	m.stop(t)
	n.stop(t)
}
