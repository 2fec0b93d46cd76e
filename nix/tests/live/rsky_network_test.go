package live

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNetworkRsky runs examples/local-rsky.nix: the local network of
// TestNetwork with rsky-pds as a second PDS. An account created on
// rsky-pds is registered in the local PLC directory with rsky-pds as its
// PDS, and a post it writes reaches the local relay: the relay holds the
// same latest commit of the account as rsky-pds.
func TestNetworkRsky(t *testing.T) {
	b := BuildRust(t, "rsky-pds") // skips with one line without the rsky workspace
	n := startLocalNetwork(t, filepath.Join(RepoRoot(t), "examples", "local-rsky.nix"), map[string]string{"rsky-pds": b.Exe})
	n.builds["rsky-pds"] = b
	defer n.stop(t)
	rskyProc := n.start(t, "rsky-pds", nil)
	rsky := "http://" + apiAddr(t, rskyProc)
	n.addRelayHost(t, "localhost:"+strings.TrimPrefix(apiAddr(t, rskyProc), "127.0.0.1:"))

	// Hop rsky-pds -> PLC: the account's DID document names rsky-pds.
	handle := "carol" + string(randomHex(t)[:8]) + ".rsky.test"
	account := CreateAccount(t, rsky, handle, "live-test-password")
	doc := string(call(t, http.MethodGet, n.PLC+"/"+account.DID, "", nil))
	if !strings.Contains(doc, "at://"+handle) || !strings.Contains(doc, `"`+strings.Replace(rsky, "http://127.0.0.1", "https://localhost", 1)+`"`) {
		t.Fatalf("hop rsky-pds -> PLC: the DID document of %s does not name handle %s and rsky-pds at %s: %s", account.DID, handle, rsky, doc)
	}

	// A post on rsky-pds.
	var created struct {
		URI string `json:"uri"`
		Cid string `json:"cid"`
	}
	body := call(t, http.MethodPost, rsky+"/xrpc/com.atproto.repo.createRecord",
		fmt.Sprintf(`{"repo":%q,"collection":"app.bsky.feed.post","record":%s}`, account.DID, postRecord("a post on the second PDS")), func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+account.AccessJwt)
		})
	if err := json.Unmarshal(body, &created); err != nil || created.Cid == "" {
		t.Fatalf("rsky-pds: createRecord answered %s (%v)", body, err)
	}
	posted := time.Now()

	// Hop rsky-pds -> relay: the relay holds rsky-pds' latest commit.
	relay := n.procs["relay"]
	waitFor(t, "the relay has the rsky-pds account's latest commit", 2*time.Minute, func() (bool, string) {
		ok, what := relayHasLatestCommit(t, n.Relay, rsky, account.DID)
		return ok, what + "; relay log:\n" + tail(relay.Logs(), 15)
	})
	t.Logf("hop rsky-pds -> relay: the relay has the post's commit (%s after the post)", time.Since(posted).Round(time.Millisecond))
}
