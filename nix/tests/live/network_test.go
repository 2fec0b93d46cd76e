package live

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// localNetwork is examples/local-network.nix, or a configuration that
// imports it, running on loopback: its PLC directory (PostgreSQL), its PDS,
// and its relay subscribed to the PDS. start adds the configuration's other
// services.
type localNetwork struct {
	pg     *Postgres
	units  map[string]*Unit
	builds map[string]fmt.Stringer
	procs  map[string]*Process
	order  []string // started modules, in order
	roles  map[string]bool
	// PLC, PDS and Relay are the services' http:// URLs.
	PLC, PDS, Relay string
}

// startLocalNetwork builds the local network's programs, renders file
// (examples/local-network.nix or a file that imports it) with those and
// more (module -> program, for the file's other services), and starts the
// PLC directory, the PDS and the relay, subscribed to the PDS.
func startLocalNetwork(t *testing.T, file string, more map[string]string) *localNetwork {
	t.Helper()
	n := &localNetwork{builds: map[string]fmt.Stringer{}, procs: map[string]*Process{}, roles: map[string]bool{}}
	exes := map[string]string{}
	for _, pkg := range []string{"plc", "pds"} {
		b := BuildNode(t, pkg)
		n.builds[pkg], exes[pkg] = b, b.Exe
		if b.Note != "" {
			t.Logf("%s: %s", pkg, b.Note)
		}
	}
	for _, pkg := range []string{"relay", "jetstream", "tap"} {
		b := BuildGo(t, pkg)
		n.builds[pkg], exes[pkg] = b, b.Exe
	}
	for m, exe := range more {
		exes[m] = exe
	}
	n.pg = StartPostgres(t)
	n.units = RenderSystem(t, file, exes, "")
	for _, want := range []string{"plc", "pds", "relay", "jetstream", "tap"} {
		if n.units[want] == nil {
			t.Fatalf("%s does not enable services.atproto.%s", file, want)
		}
	}
	plc, pds, relay := n.start(t, "plc", nil), n.start(t, "pds", nil), n.start(t, "relay", nil)
	n.PLC = "http://" + apiAddr(t, plc)
	n.PDS = "http://" + apiAddr(t, pds)
	n.Relay = "http://" + apiAddr(t, relay)

	// The relay subscribes to the PDS. The pinned relay checks a host
	// given to requestCrawl by fetching its describeServer through an
	// HTTP transport that refuses every non-public address, admin or not
	// (cmd/relay/relay/host_checker.go, ssrf.PublicOnlyTransport; no
	// setting turns it off), so it can never accept a loopback PDS that
	// way: the call below must fail for exactly that reason. The host goes
	// into the relay's database instead, as requestCrawl would have put it,
	// and the relay subscribes to it at its next start.
	relayPassword := string(relay.Opts.Credentials["adminPassword"])
	pdsHost := "localhost:" + strings.TrimPrefix(apiAddr(t, pds), "127.0.0.1:")
	crawl := postStatus(t, n.Relay+"/admin/pds/requestCrawl", fmt.Sprintf(`{"hostname":%q}`, pdsHost), "admin", relayPassword)
	if !strings.Contains(crawl, "is not a public IP address") {
		t.Fatalf("requestCrawl of %s answered %s; expected the relay's refusal of a non-public address (if the relay now accepts loopback hosts, use requestCrawl and drop the database insert)", pdsHost, crawl)
	}
	n.addRelayHost(t, pdsHost)
	return n
}

// addRelayHost puts a loopback PDS host into the relay's database, as
// requestCrawl would have (which the pinned relay refuses for a
// non-public address, see startLocalNetwork), restarts the relay and waits
// until it subscribes to the host.
func (n *localNetwork) addRelayHost(t *testing.T, host string) {
	t.Helper()
	relay := n.procs["relay"]
	if err := relay.Stop(); err != nil {
		t.Fatal(err)
	}
	relayDB := filepath.Join(relay.StateDir, filepath.Base(strings.TrimPrefix(relay.Unit.Environment["DATABASE_URL"], "sqlite://")))
	insert := fmt.Sprintf(`INSERT INTO host (created_at, updated_at, hostname, no_ssl, account_limit, trusted, status, last_seq) VALUES (datetime('now'), datetime('now'), '%s', 1, 100, 0, 'active', -1)`, host)
	if out, err := exec.Command("sqlite3", relayDB, insert).CombinedOutput(); err != nil {
		t.Fatalf("adding host %s to the relay's database %s: %v\n%s", host, relayDB, err, out)
	}
	if err := relay.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := relay.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the relay subscribes to "+host, time.Minute, func() (bool, string) {
		return logLineHas(relay.Logs(), `"msg":"re-subscribing to active host"`, `"hostname":"`+host+`"`),
			"the relay's log never says it re-subscribes to " + host
	})
}

// start starts module's unit (its database roles first, random
// credentials, env added to its environment) and waits for its health
// probe. The relay's followers start after startLocalNetwork: jetstream
// started before the relay's restart sometimes never delivered a post
// afterwards.
func (n *localNetwork) start(t *testing.T, module string, env map[string]string) *Process {
	t.Helper()
	u := n.units[module]
	if u == nil {
		t.Fatalf("the network's configuration does not enable services.atproto.%s", module)
	}
	if u.Postgres.Enable {
		for _, user := range u.Postgres.Users {
			if !n.roles[user.Name] {
				n.pg.CreateLocally(t, user.Name)
				n.roles[user.Name] = true
			}
		}
	}
	creds := map[string][]byte{}
	for _, entry := range u.Strings("LoadCredential") {
		name, _, _ := strings.Cut(entry, ":")
		creds[name] = randomHex(t)
	}
	p := Start(t, u, Options{Credentials: creds, Paths: n.pg.Paths(), Env: env})
	if err := p.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	n.procs[module] = p
	n.order = append(n.order, module)
	return p
}

// stop stops the started services, last started first, and logs each
// one's build, start-up time and peak memory.
func (n *localNetwork) stop(t *testing.T) {
	t.Helper()
	for i := len(n.order) - 1; i >= 0; i-- {
		m := n.order[i]
		p := n.procs[m]
		if err := p.Stop(); err != nil {
			t.Errorf("%v", err)
		}
		build := "built here"
		if b := n.builds[m]; b != nil {
			build = b.String()
		}
		t.Logf("LIVE network %s: build %s, start-to-healthy %s, peak memory %.1f MiB",
			m, build, p.StartToHealthy.Round(10*time.Millisecond), float64(p.PeakMemory())/(1<<20))
	}
}

// networkAccount is an account on the local network's PDS.
type networkAccount struct {
	Did, Handle, AccessJwt string
}

// createAccount creates an account on the PDS and checks that the PLC
// directory holds its DID document, naming the PDS and the handle.
func (n *localNetwork) createAccount(t *testing.T) networkAccount {
	t.Helper()
	handle := "alice" + string(randomHex(t)[:8]) + ".test"
	var account struct {
		Did       string `json:"did"`
		AccessJwt string `json:"accessJwt"`
	}
	body := call(t, http.MethodPost, n.PDS+"/xrpc/com.atproto.server.createAccount",
		fmt.Sprintf(`{"handle":%q,"email":"%s@example.com","password":"live-test-password"}`, handle, strings.TrimSuffix(handle, ".test")), nil)
	if err := json.Unmarshal(body, &account); err != nil || !strings.HasPrefix(account.Did, "did:plc:") {
		t.Fatalf("createAccount answered %s (%v); want a did:plc", body, err)
	}
	doc := string(call(t, http.MethodGet, n.PLC+"/"+account.Did, "", nil))
	if !strings.Contains(doc, "at://"+handle) || !strings.Contains(doc, `"http://localhost:`) {
		t.Fatalf("hop PDS -> PLC: the DID document of %s does not name handle %s and the PDS at http://localhost:<port>: %s", account.Did, handle, doc)
	}
	return networkAccount{Did: account.Did, Handle: handle, AccessJwt: account.AccessJwt}
}

// createRecord writes record (JSON) into collection of a's repository on
// the PDS and returns its at:// URI, CID and record key.
func (n *localNetwork) createRecord(t *testing.T, a networkAccount, collection, record string) (uri, cid, rkey string) {
	t.Helper()
	var created struct {
		URI string `json:"uri"`
		Cid string `json:"cid"`
	}
	body := call(t, http.MethodPost, n.PDS+"/xrpc/com.atproto.repo.createRecord",
		fmt.Sprintf(`{"repo":%q,"collection":%q,"record":%s}`, a.Did, collection, record), func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+a.AccessJwt)
		})
	if err := json.Unmarshal(body, &created); err != nil || created.Cid == "" {
		t.Fatalf("createRecord answered %s (%v)", body, err)
	}
	return created.URI, created.Cid, created.URI[strings.LastIndex(created.URI, "/")+1:]
}

// relayHasLatestCommit reports whether the relay at relayURL holds the
// same latest commit (CID and revision) of did as its PDS at pdsURL, and
// what each answered.
func relayHasLatestCommit(t *testing.T, relayURL, pdsURL, did string) (bool, string) {
	t.Helper()
	q := "?did=" + url.QueryEscape(did)
	want := call(t, http.MethodGet, pdsURL+"/xrpc/com.atproto.sync.getLatestCommit"+q, "", nil)
	resp, err := http.Get(relayURL + "/xrpc/com.atproto.sync.getLatestCommit" + q)
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	var got, wanted struct{ Cid, Rev string }
	json.Unmarshal(want, &wanted)
	json.NewDecoder(resp.Body).Decode(&got)
	return got.Cid != "" && got == wanted, fmt.Sprintf("relay %+v, PDS %+v", got, wanted)
}

// postRecord is an app.bsky.feed.post record with text, written now.
func postRecord(text string) string {
	return fmt.Sprintf(`{"$type":"app.bsky.feed.post","text":%q,"createdAt":%q}`, text, time.Now().UTC().Format(time.RFC3339Nano))
}

// TestNetwork runs examples/local-network.nix, the configuration the
// firehose guide shows, as one network on loopback, and follows one post through it:
// PLC directory (PostgreSQL) -> PDS -> relay -> jetstream and tap. Each hop
// is checked by content: the DID document in the PLC, the commit the relay
// holds, the post's text in jetstream's JSON and in tap's events.
func TestNetwork(t *testing.T) {
	n := startLocalNetwork(t, filepath.Join(RepoRoot(t), "examples", "local-network.nix"), nil)
	pdsURL, relayURL := n.PDS, n.Relay
	jetstream, tap := n.start(t, "jetstream", nil), n.start(t, "tap", nil)

	// Hop 1: an account on the PDS is a DID in the PLC directory whose
	// document names the PDS and the handle.
	account := n.createAccount(t)
	t.Logf("hop PDS -> PLC: %s registered with its handle and PDS", account.Did)

	// Subscribers first, so the post arrives live.
	js, err := dialWebSocket(wsURL("http://"+apiAddr(t, jetstream))+"/subscribe?wantedCollections=app.bsky.feed.post", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	tapURL := "http://" + apiAddr(t, tap)
	tc, err := dialWebSocket(wsURL(tapURL)+"/channel", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	// tap first copies the repository from the PDS itself (a resync);
	// only after that does an event come from the relay's firehose
	// ("live"), which is the hop this test follows.
	call(t, http.MethodPost, tapURL+"/repos/add", fmt.Sprintf(`{"dids":[%q]}`, account.Did), nil)
	waitFor(t, "tap to finish copying the new repository", time.Minute, func() (bool, string) {
		b := call(t, http.MethodGet, tapURL+"/info/"+account.Did, "", nil)
		return strings.Contains(string(b), `"state":"active"`), string(b)
	})

	// The post.
	text := "a post through the live network " + string(randomHex(t)[:12])
	posted := time.Now()
	_, _, rkey := n.createRecord(t, account, "app.bsky.feed.post", postRecord(text))

	// Hop 3: the relay holds the PDS's latest commit of the account.
	waitFor(t, "the relay has the account's latest commit", time.Minute, func() (bool, string) {
		return relayHasLatestCommit(t, relayURL, pdsURL, account.Did)
	})
	t.Logf("hop PDS -> relay: the relay has the post's commit (%s after the post)", time.Since(posted).Round(time.Millisecond))

	// Hop 4: jetstream emits the post as JSON.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		msg, err := js.Read(deadline)
		if err != nil {
			t.Fatalf("hop relay -> jetstream: no event with the post's text (%v)\n%s", err, tail(jetstream.Logs(), 30))
		}
		var ev struct {
			Did    string `json:"did"`
			Kind   string `json:"kind"`
			Commit struct {
				Operation  string `json:"operation"`
				Collection string `json:"collection"`
				Rkey       string `json:"rkey"`
				Record     struct {
					Text string `json:"text"`
				} `json:"record"`
			} `json:"commit"`
		}
		if err := json.Unmarshal(msg, &ev); err != nil {
			t.Fatalf("hop relay -> jetstream: a message is not JSON: %v: %q", err, msg)
		}
		if ev.Kind == "commit" && ev.Did == account.Did && ev.Commit.Rkey == rkey {
			if ev.Commit.Record.Text != text || ev.Commit.Collection != "app.bsky.feed.post" || ev.Commit.Operation != "create" {
				t.Fatalf("hop relay -> jetstream: the post arrived changed: %s", msg)
			}
			break
		}
	}
	t.Logf("hop relay -> jetstream: the post's text arrived as JSON (%s after the post)", time.Since(posted).Round(time.Millisecond))

	// Hop 5: tap passes the post on.
	deadline = time.Now().Add(2 * time.Minute)
	for {
		msg, err := tc.Read(deadline)
		if err != nil {
			t.Fatalf("hop relay -> tap: no event with the post's text (%v)\n%s", err, tail(tap.Logs(), 30))
		}
		var ev struct {
			ID     uint   `json:"id"`
			Type   string `json:"type"`
			Record struct {
				Live       bool   `json:"live"`
				Did        string `json:"did"`
				Collection string `json:"collection"`
				Rkey       string `json:"rkey"`
				Record     struct {
					Text string `json:"text"`
				} `json:"record"`
			} `json:"record"`
		}
		if err := json.Unmarshal(msg, &ev); err != nil {
			t.Fatalf("hop relay -> tap: a message is not JSON: %v: %q", err, msg)
		}
		if err := tc.WriteText(fmt.Sprintf(`{"type":"ack","id":%d}`, ev.ID)); err != nil {
			t.Fatalf("acknowledging tap's event %d: %v", ev.ID, err)
		}
		if ev.Type == "record" && ev.Record.Did == account.Did && ev.Record.Rkey == rkey {
			if ev.Record.Record.Text != text || !ev.Record.Live {
				t.Fatalf("hop relay -> tap: want the post's text, live from the relay's firehose; got %s", msg)
			}
			break
		}
	}
	t.Logf("hop relay -> tap: the post's text arrived (%s after the post)", time.Since(posted).Round(time.Millisecond))

	// Tangled's knot and spindle, owned by the account (knot_network_test.go).
	t.Run("tangled", func(t *testing.T) {
		testKnotOnTheNetwork(t, n, account)
	})

	n.stop(t)
}

// postStatus POSTs JSON with basic auth and returns the status and body,
// whatever the status.
func postStatus(t *testing.T, url, body, user, password string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(user, password)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.Status + ": " + string(data)
}

// logLineHas reports whether one line of logs holds every part.
func logLineHas(logs []byte, parts ...string) bool {
	for _, line := range strings.Split(string(logs), "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}

// waitFor polls cond until it holds, failing after timeout with cond's last
// explanation.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s: %s", timeout, what, why)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
