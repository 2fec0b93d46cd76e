package live

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNetworkHydrant runs examples/local-hydrant.nix: hydrant follows the
// one-machine network's relay, backfills the repository of an account that
// posts on the network's PDS (its DID resolved in the network's PLC
// directory) and returns the post through its own
// com.atproto.repo.getRecord and listRecords, still after a restart.
func TestNetworkHydrant(t *testing.T) {
	hydrant := BuildRust(t, "hydrant") // skips with one line without the hydrant workspace
	n := startLocalNetwork(t, filepath.Join(RepoRoot(t), "examples", "local-hydrant.nix"), map[string]string{"hydrant": hydrant.Exe})
	n.builds["hydrant"] = hydrant
	u := n.units["hydrant"]
	if got, want := u.Environment["HYDRANT_RELAY_HOST"], "ws://"+strings.TrimPrefix(n.Relay, "http://"); got != want {
		t.Fatalf("examples/local-hydrant.nix: hydrant follows %s, but the network's relay is %s", got, want)
	}
	if got := u.Environment["HYDRANT_PLC_URL"]; got != n.PLC {
		t.Fatalf("examples/local-hydrant.nix: hydrant resolves DIDs at %s, but the network's PLC directory is %s", got, n.PLC)
	}
	p := n.start(t, "hydrant", nil)
	api := "http://" + apiAddr(t, p)
	// Without a cursor hydrant tails the relay from the moment it
	// connects, which can be a second after its API answers: a post
	// written before then is never sent to it (seen on a cold, busy run).
	waitFor(t, "hydrant to connect to the relay's firehose", time.Minute, func() (bool, string) {
		return bytes.Contains(p.Logs(), []byte("firehose connected")), "hydrant's log never says \"firehose connected\""
	})

	account := n.createAccount(t)
	text := "a post hydrant indexes " + string(randomHex(t)[:12])
	_, cid, rkey := n.createRecord(t, account, "app.bsky.feed.post", postRecord(text))
	q := url.Values{"repo": {account.Did}, "collection": {"app.bsky.feed.post"}, "rkey": {rkey}}
	getRecord := api + "/xrpc/com.atproto.repo.getRecord?" + q.Encode()
	hasPost := func() (bool, string) {
		resp, err := http.Get(getRecord)
		if err != nil {
			return false, err.Error()
		}
		defer resp.Body.Close()
		var rec struct {
			Cid   string `json:"cid"`
			Value struct {
				Text string `json:"text"`
			} `json:"value"`
		}
		var raw json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
			return false, fmt.Sprintf("%s: %v", resp.Status, err)
		}
		json.Unmarshal(raw, &rec)
		return resp.StatusCode == http.StatusOK && rec.Cid == cid && rec.Value.Text == text,
			fmt.Sprintf("%s %s (want cid %s, text %q)", resp.Status, raw, cid, text)
	}
	waitFor(t, "hydrant to serve the post written on the PDS", 90*time.Second, hasPost)
	t.Logf("hop PDS -> relay -> hydrant: %s/app.bsky.feed.post/%s served by hydrant's getRecord with the PDS's CID %s", account.Did, rkey, cid)

	list := call(t, http.MethodGet, api+"/xrpc/com.atproto.repo.listRecords?"+url.Values{"repo": {account.Did}, "collection": {"app.bsky.feed.post"}}.Encode(), "", nil)
	if !strings.Contains(string(list), text) {
		t.Errorf("hydrant: listRecords of %s does not hold the post: %s", account.Did, list)
	}

	// The index is kept: after a restart the post is served again.
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	if ok, got := hasPost(); !ok {
		t.Errorf("hydrant: after a restart getRecord answers %s", got)
	}
	n.stop(t)
}
