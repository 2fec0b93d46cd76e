package live

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestNetworkMicrocosm runs examples/local-microcosm.nix: the local network
// of TestNetwork with microcosm's four consumers on its jetstream, and
// checks that what one account writes on the PDS reaches each of them by
// content: constellation answers the backlinks of a like and a reply,
// spacedust streams the like's link, ufos samples the post, and slingshot
// serves the post through com.atproto.repo.getRecord, fetched from the PDS
// it found in the local PLC directory.
func TestNetworkMicrocosm(t *testing.T) {
	microcosm := []string{"constellation", "slingshot", "spacedust", "ufos"}
	exes := map[string]string{}
	builds := map[string]*Build{}
	for _, pkg := range microcosm {
		b := BuildRust(t, pkg) // skips with one line without the microcosm workspace
		exes[pkg], builds[pkg] = b.Exe, b
	}
	n := startLocalNetwork(t, filepath.Join(RepoRoot(t), "examples", "local-microcosm.nix"), exes)
	for _, pkg := range microcosm {
		n.builds[pkg] = builds[pkg]
	}
	n.start(t, "jetstream", nil)
	constellationProc := n.start(t, "constellation", nil)
	constellation := "http://" + apiAddr(t, constellationProc)
	spacedust := n.start(t, "spacedust", nil)
	ufos := n.start(t, "ufos", nil)

	alice, bob := n.createAccount(t), n.createAccount(t)
	text := "a post microcosm sees " + string(randomHex(t)[:12])
	postURI, postCID, postRkey := n.createRecord(t, alice, "app.bsky.feed.post", postRecord(text))
	t.Logf("alice (%s) posted %s", alice.Did, postURI)

	// spacedust streams links to the post to a subscriber that asks for
	// them (instant: without its 21 s hold-back of new links).
	sub, err := dialWebSocket(wsURL("http://"+apiAddr(t, spacedust))+"/subscribe?instant=true&wantedSubjects="+url.QueryEscape(postURI), 10*time.Second)
	if err != nil {
		t.Fatalf("subscribing to spacedust: %v", err)
	}
	defer sub.Close()

	// bob likes and answers the post.
	now := time.Now().UTC().Format(time.RFC3339Nano)
	ref := fmt.Sprintf(`{"uri":%q,"cid":%q}`, postURI, postCID)
	likeURI, _, likeRkey := n.createRecord(t, bob, "app.bsky.feed.like", fmt.Sprintf(`{"$type":"app.bsky.feed.like","subject":%s,"createdAt":%q}`, ref, now))
	replyURI, _, replyRkey := n.createRecord(t, bob, "app.bsky.feed.post",
		fmt.Sprintf(`{"$type":"app.bsky.feed.post","text":"an answer","reply":{"root":%s,"parent":%s},"createdAt":%q}`, ref, ref, now))

	// constellation: the post's backlinks are the like and the reply.
	backlinks := func(source string) []string {
		q := url.Values{"subject": {postURI}, "source": {source}}
		body := call(t, http.MethodGet, constellation+"/xrpc/blue.microcosm.links.getBacklinks?"+q.Encode(), "", func(r *http.Request) {
			r.Header.Set("Accept", "application/json")
		})
		var got struct {
			Records []struct{ Did, Collection, Rkey string } `json:"records"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("constellation: getBacklinks answered %s, not JSON: %v", body, err)
		}
		var ids []string
		for _, r := range got.Records {
			ids = append(ids, "at://"+r.Did+"/"+r.Collection+"/"+r.Rkey)
		}
		return ids
	}
	for source, want := range map[string]string{
		"app.bsky.feed.like:subject.uri":      likeURI,
		"app.bsky.feed.post:reply.parent.uri": replyURI,
	} {
		waitFor(t, "constellation to list "+want+" as a backlink of the post from "+source, time.Minute, func() (bool, string) {
			ids := backlinks(source)
			return slices.Contains(ids, want), fmt.Sprintf("getBacklinks lists %q", ids)
		})
	}
	t.Logf("hop jetstream -> constellation: getBacklinks lists bob's like (%s) and reply (%s) of the post", likeRkey, replyRkey)

	// constellation keeps its index (RocksDB in its state directory)
	// across a restart.
	if err := constellationProc.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := constellationProc.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := constellationProc.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	if ids := backlinks("app.bsky.feed.like:subject.uri"); !slices.Contains(ids, likeURI) {
		t.Fatalf("constellation: after a restart getBacklinks no longer lists the like %s: %q", likeURI, ids)
	}
	t.Logf("constellation still lists the like after a restart")

	// spacedust: the like's link to the post.
	deadline := time.Now().Add(time.Minute)
	for {
		msg, err := sub.Read(deadline)
		if err != nil {
			t.Fatalf("hop jetstream -> spacedust: no link event for the like %s (%v)\n%s", likeURI, err, tail(spacedust.Logs(), 20))
		}
		var ev struct {
			Kind string `json:"kind"`
			Link struct {
				Operation    string `json:"operation"`
				Source       string `json:"source"`
				SourceRecord string `json:"source_record"`
				Subject      string `json:"subject"`
			} `json:"link"`
		}
		if err := json.Unmarshal(msg, &ev); err != nil {
			t.Fatalf("hop jetstream -> spacedust: a message is not JSON: %v: %q", err, msg)
		}
		if ev.Kind == "link" && ev.Link.SourceRecord == likeURI {
			if ev.Link.Subject != postURI || ev.Link.Source != "app.bsky.feed.like:subject.uri" || ev.Link.Operation != "create" {
				t.Fatalf("hop jetstream -> spacedust: the like's link arrived changed: %s", msg)
			}
			break
		}
	}
	t.Logf("hop jetstream -> spacedust: a subscriber to the post received the like's link")

	// ufos: a sample of the post, written with its next batch (30 s after
	// the last event on a quiet jetstream).
	waitFor(t, "ufos to sample the post", 90*time.Second, func() (bool, string) {
		return ufosHasPost(t, ufos, text)
	})
	t.Logf("hop jetstream -> ufos: /records holds the post's text")

	// slingshot resolves DIDs at https://plc.directory (built in): that
	// name points at the local PLC directory through a host entry and a
	// TLS proxy with a certificate slingshot trusts (SSL_CERT_FILE, as
	// security.pki.certificateFiles would). It starts after the post, so
	// its jetstream cache never saw it: the record comes from the PDS.
	caFile, plcAsked := serveOverTLS(t, "plc.directory", n.PLC, "slingshot resolves DIDs at https://plc.directory")
	slingshotProc := n.start(t, "slingshot", map[string]string{"SSL_CERT_FILE": caFile})
	slingshot := "http://" + apiAddr(t, slingshotProc)
	getPost := func() {
		t.Helper()
		q := url.Values{"repo": {alice.Did}, "collection": {"app.bsky.feed.post"}, "rkey": {postRkey}}
		body := call(t, http.MethodGet, slingshot+"/xrpc/com.atproto.repo.getRecord?"+q.Encode(), "", nil)
		var record struct {
			URI   string `json:"uri"`
			Cid   string `json:"cid"`
			Value struct {
				Text string `json:"text"`
			} `json:"value"`
		}
		if err := json.Unmarshal(body, &record); err != nil {
			t.Fatalf("slingshot: getRecord answered %s, not JSON: %v", body, err)
		}
		if record.URI != postURI || record.Cid != postCID || record.Value.Text != text {
			t.Fatalf("slingshot: getRecord of %s answered %s; want the post's CID %s and text %q", postURI, body, postCID, text)
		}
	}
	getPost()
	didDoc := "/" + alice.Did
	if plcAsked.count(didDoc) == 0 {
		t.Fatalf("slingshot served the post without asking https://plc.directory%s (the local PLC directory) for alice's PDS", didDoc)
	}
	t.Logf("hop PDS -> slingshot: getRecord serves the post, its PDS found in the local PLC directory as https://plc.directory")

	// slingshot starts again on the caches it left in its state
	// directory and serves the post again. (In the runs that added this,
	// the identity it had resolved did not survive the restart: it asked
	// the PLC directory again. The log line says how often.)
	asked := plcAsked.count(didDoc)
	if err := slingshotProc.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := slingshotProc.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := slingshotProc.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	getPost()
	t.Logf("slingshot serves the post again after a restart (the PLC directory was asked for alice's DID %d time(s) before, %d after)", asked, plcAsked.count(didDoc))

	n.stop(t)
}
