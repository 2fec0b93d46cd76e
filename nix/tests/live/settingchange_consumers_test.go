package live

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSettingChangeConsumersResume runs the local network of
// examples/local-network.nix (PLC, PDS, relay, jetstream, tap) and changes
// one setting of jetstream and one of tap through the module. Each switch
// restarts its service once; a post made while both are down and one made
// after reach their consumers, who reconnect with their cursors: jetstream
// resumes its upstream cursor and a /subscribe client resuming from the
// last cursor it saw gets every later post once (and, as jetstream
// documents its at-least-once cursor, that last event again, at the same
// cursor); tap delivers each post once, the acknowledged one not again.
func TestSettingChangeConsumersResume(t *testing.T) {
	pg := StartPostgres(t)
	exes := map[string]string{}
	for _, pkg := range []string{"plc", "pds"} {
		exes[pkg] = BuildNode(t, pkg).Exe
	}
	for _, pkg := range []string{"relay", "jetstream", "tap"} {
		exes[pkg] = BuildGo(t, pkg).Exe
	}
	file := filepath.Join(RepoRoot(t), "examples", "local-network.nix")
	units := RenderSystem(t, file, exes, "")
	changed := RenderSystem(t, file, exes, `[ {
		services.atproto.jetstream.settings.JETSTREAM_SUBSCRIBE_READ_BATCH = 512;
		services.atproto.tap.logLevel = "debug";
	} ]`)
	for module, want := range map[string]string{"jetstream": "JETSTREAM_SUBSCRIBE_READ_BATCH", "tap": "TAP_LOG_LEVEL"} {
		if d := environDiff(units[module].Environment, changed[module].Environment); !reflect.DeepEqual(d, []string{want}) {
			t.Fatalf("the change of %s's setting changes its environment in %v; want %s only", module, d, want)
		}
	}
	for _, module := range []string{"plc", "pds", "relay"} {
		if !reflect.DeepEqual(unitFile(units[module]), unitFile(changed[module])) {
			t.Fatalf("changing jetstream's and tap's settings changes %s's unit", module)
		}
	}

	procs := map[string]*Process{}
	roles := map[string]bool{} // the system's PostgreSQL roles, made once
	start := func(module string) *Process {
		t.Helper()
		u := units[module]
		for _, user := range u.Postgres.Users {
			if !roles[user.Name] {
				pg.CreateLocally(t, user.Name)
				roles[user.Name] = true
			}
		}
		creds := map[string][]byte{}
		for _, entry := range u.Strings("LoadCredential") {
			name, _, _ := strings.Cut(entry, ":")
			creds[name] = randomHex(t)
		}
		p := Start(t, u, Options{Credentials: creds, Paths: pg.Paths()})
		if err := p.WaitHealthy(healthTimeout); err != nil {
			t.Fatal(err)
		}
		procs[module] = p
		return p
	}
	start("plc")
	pds, relay := start("pds"), start("relay")
	pdsURL := "http://" + apiAddr(t, pds)

	// The relay takes the loopback PDS as a host through its database
	// (requestCrawl refuses non-public addresses; see TestNetwork).
	if err := relay.Stop(); err != nil {
		t.Fatal(err)
	}
	pdsHost := "localhost:" + strings.TrimPrefix(apiAddr(t, pds), "127.0.0.1:")
	relayDB := filepath.Join(relay.StateDir, filepath.Base(strings.TrimPrefix(relay.Unit.Environment["DATABASE_URL"], "sqlite://")))
	insert := fmt.Sprintf(`INSERT INTO host (created_at, updated_at, hostname, no_ssl, account_limit, trusted, status, last_seq) VALUES (datetime('now'), datetime('now'), '%s', 1, 100, 0, 'active', -1)`, pdsHost)
	if out, err := exec.Command("sqlite3", relayDB, insert).CombinedOutput(); err != nil {
		t.Fatalf("adding host %s to the relay's database: %v\n%s", pdsHost, err, out)
	}
	if err := relay.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := relay.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the relay subscribes to the PDS", time.Minute, func() (bool, string) {
		return logLineHas(relay.Logs(), `"msg":"re-subscribing to active host"`, `"hostname":"`+pdsHost+`"`), "no re-subscribe line"
	})
	jetstream, tap := start("jetstream"), start("tap")

	alice := CreateAccount(t, pdsURL, "resume"+RandomHex(t, 4)+".test", "live-test-"+RandomHex(t, 8))
	tapURL := func() string { return "http://" + apiAddr(t, tap) }
	call(t, http.MethodPost, tapURL()+"/repos/add", fmt.Sprintf(`{"dids":[%q]}`, alice.DID), nil)
	waitFor(t, "tap to finish copying the new repository", time.Minute, func() (bool, string) {
		b := call(t, http.MethodGet, tapURL()+"/info/"+alice.DID, "", nil)
		return strings.Contains(string(b), `"state":"active"`), string(b)
	})
	post := func(text string) string {
		t.Helper()
		r, err := CreatePost(pdsURL, alice, text)
		if err != nil {
			t.Fatal(err)
		}
		return r.URI[strings.LastIndex(r.URI, "/")+1:]
	}
	jsURL := func() string {
		return wsURL("http://"+apiAddr(t, jetstream)) + "/subscribe?wantedCollections=app.bsky.feed.post"
	}

	// Post 1 reaches both consumers; tap's event is acknowledged.
	js, err := dialWebSocket(jsURL(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := dialWebSocket(wsURL(tapURL())+"/channel", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	first := post("before the change " + RandomHex(t, 4))
	jsSeen := readJetstream(t, js, alice.DID, []string{first})
	lastCursor := jsSeen[len(jsSeen)-1].Cursor
	readTap(t, tc, alice.DID, []string{first})
	js.Close()
	tc.Close()

	// tap deletes acknowledged events from its outbox in batches every
	// 10 s and drops the pending batch when it stops (cmd/tap/outbox.go,
	// runBatchedDeletes), so an event acknowledged less than 10 s before a
	// restart is delivered again, with the same id (its documented
	// at-least-once delivery; the upgrades guide says so). The switch here
	// comes after that window.
	time.Sleep(11 * time.Second)

	// The switch: both restart once. Post 2 is made while they are down.
	for _, module := range []string{"jetstream", "tap"} {
		if err := procs[module].Stop(); err != nil {
			t.Fatal(err)
		}
	}
	second := post("while jetstream and tap restart " + RandomHex(t, 4))
	for _, module := range []string{"jetstream", "tap"} {
		o := procs[module].Opts
		o.Root = procs[module].Root
		p := Start(t, changed[module], o)
		if err := p.WaitHealthy(healthTimeout); err != nil {
			t.Fatal(err)
		}
		procs[module] = p
	}
	jetstream, tap = procs["jetstream"], procs["tap"]
	if !slices.Contains(programEnv(t, jetstream), "JETSTREAM_SUBSCRIBE_READ_BATCH=512") || !slices.Contains(programEnv(t, tap), "TAP_LOG_LEVEL=debug") {
		t.Fatal("after the switch jetstream and tap do not run with the changed settings")
	}
	third := post("after the change " + RandomHex(t, 4))

	// jetstream: resume from the last cursor seen.
	js, err = dialWebSocket(fmt.Sprintf("%s&cursor=%d", jsURL(), lastCursor), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	resumed := readJetstream(t, js, alice.DID, []string{second, third})
	var got []string
	for _, e := range resumed {
		got = append(got, fmt.Sprintf("%s@%d", e.Rkey, e.Cursor))
		if e.Cursor <= lastCursor && !(e.Cursor == lastCursor && e.Rkey == first) {
			t.Errorf("jetstream delivered %s at cursor %d, not after the resumed cursor %d", e.Rkey, e.Cursor, lastCursor)
		}
	}
	t.Logf("SETTINGCHANGE jetstream: JETSTREAM_SUBSCRIBE_READ_BATCH changed, one restart; a client resuming at cursor %d got %v (post 1 = %s at %d, post 2 made while it was down, post 3 after)", lastCursor, got, first, lastCursor)

	// tap: a new channel gets posts 2 and 3, each once, post 1 not again.
	tc, err = dialWebSocket(wsURL(tapURL())+"/channel", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	rkeys := readTap(t, tc, alice.DID, []string{second, third})
	if slices.ContainsFunc(rkeys, func(k string) bool { return strings.HasPrefix(k, first+"#") }) {
		t.Errorf("tap delivered post 1, acknowledged more than 10 s before its restart, again: %v", rkeys)
	}
	t.Logf("SETTINGCHANGE tap: TAP_LOG_LEVEL changed, one restart; its channel delivered %v (post 1 %s acknowledged before)", rkeys, first)

	for _, m := range []string{"tap", "jetstream", "relay", "pds", "plc"} {
		if err := procs[m].Stop(); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// jetstreamEvent is what the consumer keeps of a /subscribe event.
type jetstreamEvent struct {
	Rkey   string
	Cursor int64
}

// readJetstream reads /subscribe events of did until every rkey in want
// has arrived, failing on a post delivered twice and on cursors that do not
// increase. It returns the account's post events in order.
func readJetstream(t *testing.T, c *wsConn, did string, want []string) []jetstreamEvent {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	var out []jetstreamEvent
	seen := map[string]int{}
	var last int64
	for {
		missing := 0
		for _, w := range want {
			if seen[w] == 0 {
				missing++
			}
		}
		if missing == 0 {
			return out
		}
		msg, err := c.Read(deadline)
		if err != nil {
			t.Fatalf("jetstream: waiting for %v (seen %v): %v", want, out, err)
		}
		var ev struct {
			Did    string `json:"did"`
			Kind   string `json:"kind"`
			Cursor int64  `json:"cursor"`
			Commit struct {
				Collection string `json:"collection"`
				Rkey       string `json:"rkey"`
			} `json:"commit"`
		}
		if err := json.Unmarshal(msg, &ev); err != nil {
			t.Fatalf("jetstream: not JSON: %v: %q", err, msg)
		}
		if ev.Kind != "commit" || ev.Did != did || ev.Commit.Collection != "app.bsky.feed.post" {
			continue
		}
		if ev.Cursor <= last {
			t.Errorf("jetstream: cursor %d after %d: cursors must increase", ev.Cursor, last)
		}
		last = ev.Cursor
		seen[ev.Commit.Rkey]++
		if seen[ev.Commit.Rkey] > 1 {
			t.Errorf("jetstream: post %s delivered twice", ev.Commit.Rkey)
		}
		out = append(out, jetstreamEvent{Rkey: ev.Commit.Rkey, Cursor: ev.Cursor})
	}
}

// readTap reads tap's channel, acknowledging every event, until each rkey
// in want has arrived; it fails on a post delivered twice and returns the
// account's posts in order, as rkey#event id.
func readTap(t *testing.T, c *wsConn, did string, want []string) []string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	var out []string
	seen := map[string]int{}
	for {
		missing := 0
		for _, w := range want {
			if seen[w] == 0 {
				missing++
			}
		}
		if missing == 0 {
			// Anything already queued behind them (a duplicate) shows
			// within a moment.
			if msg, err := c.Read(time.Now().Add(2 * time.Second)); err == nil {
				var ev struct {
					Record struct {
						Did  string `json:"did"`
						Rkey string `json:"rkey"`
					} `json:"record"`
				}
				if json.Unmarshal(msg, &ev) == nil && ev.Record.Did == did && seen[ev.Record.Rkey] > 0 {
					t.Errorf("tap: post %s delivered again", ev.Record.Rkey)
				}
			}
			return out
		}
		msg, err := c.Read(deadline)
		if err != nil {
			t.Fatalf("tap: waiting for %v (seen %v): %v", want, out, err)
		}
		var ev struct {
			ID     uint   `json:"id"`
			Type   string `json:"type"`
			Record struct {
				Did        string `json:"did"`
				Collection string `json:"collection"`
				Rkey       string `json:"rkey"`
			} `json:"record"`
		}
		if err := json.Unmarshal(msg, &ev); err != nil {
			t.Fatalf("tap: not JSON: %v: %q", err, msg)
		}
		if err := c.WriteText(fmt.Sprintf(`{"type":"ack","id":%d}`, ev.ID)); err != nil {
			t.Fatalf("acknowledging tap's event %d: %v", ev.ID, err)
		}
		if ev.Type != "record" || ev.Record.Did != did || ev.Record.Collection != "app.bsky.feed.post" {
			continue
		}
		seen[ev.Record.Rkey]++
		if seen[ev.Record.Rkey] > 1 {
			t.Errorf("tap: post %s delivered twice", ev.Record.Rkey)
		}
		out = append(out, fmt.Sprintf("%s#%d", ev.Record.Rkey, ev.ID))
	}
}
