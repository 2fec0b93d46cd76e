package live

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRelayUpgradeFirehoseSeq follows a consumer of the relay's firehose
// (com.atproto.sync.subscribeRepos) through an upgrade of the relay from
// indigo 7b995a5 to the pinned 4b983a7 and a rollback with
// atproto-relay-restore, with a PDS posting before, during and after each
// switch. The consumer reconnects with the last sequence number it saw:
// every event it then gets has a higher one, in increasing order, and the
// posts made while the relay was down arrive.
func TestRelayUpgradeFirehoseSeq(t *testing.T) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("skipped: sqlite3 not found, which the upgrade backup runs")
	}
	oldBuild := buildOldRelay(t)
	newBuild := BuildGo(t, "relay")
	newVersion := Package(t, "relay").Version
	pg := StartPostgres(t)
	plc := StartPLC(t, pg, "")
	// The relay checks that an account's DID document names the host its
	// events come from: the PDS calls itself localhost (dev mode, plain
	// HTTP with its port), as in examples/local-network.nix. (The override
	// is lib.mkForce's value: minimal.nix names another host.)
	pds := StartPDS(t, PDSOptions{PLC: plc.URL, Extra: `{ settings = { PDS_HOSTNAME = { _type = "override"; priority = 50; content = "localhost"; }; PDS_DEV_MODE = true; PDS_SERVICE_HANDLE_DOMAINS = ".test"; }; }`})
	extra := fmt.Sprintf(`{ networkIsolation.enable = true; settings = { RELAY_PLC_HOST = %q; RELAY_ALLOW_INSECURE_HOSTS = true; }; }`, plc.URL)
	opts := Options{Root: t.TempDir()}
	start := func(b *Build, version string) *Process {
		t.Helper()
		u := RenderUnitVersion(t, "relay", b.Exe, version, extra)
		if opts.Credentials == nil {
			opts.Credentials = goCases["relay"].makeCredentials(t, b, u)
		}
		p := Start(t, u, opts)
		if err := p.WaitHealthy(healthTimeout); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// Generation A with the PDS as a host (through the database, as
	// TestNetwork explains).
	a := start(oldBuild, oldRelayVersion)
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	pdsHost := "localhost:" + strings.TrimPrefix(pds.URL, "http://127.0.0.1:")
	relaySQL(t, a, nil, fmt.Sprintf(`INSERT INTO host (created_at, updated_at, hostname, no_ssl, account_limit, trusted, status, last_seq) VALUES (datetime('now'), datetime('now'), '%s', 1, 100, 0, 'active', -1)`, pdsHost))
	if err := a.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := a.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	relayURL := "http://" + apiAddr(t, a)
	waitFor(t, "the relay subscribes to the PDS", time.Minute, func() (bool, string) {
		return logLineHas(a.Logs(), `"hostname":"`+pdsHost+`"`), "no log line names " + pdsHost
	})

	alice := CreateAccount(t, pds.URL, "seq"+RandomHex(t, 4)+".test", "live-test-"+RandomHex(t, 8))
	post := func(text string) string {
		t.Helper()
		r, err := CreatePost(pds.URL, alice, text)
		if err != nil {
			t.Fatal(err)
		}
		return r.URI[strings.LastIndex(r.URI, "/")+1:]
	}
	// Post 1 under A: the consumer's last sequence number.
	c := subscribeRelay(t, relayURL, -1)
	p1 := post("under the old relay " + RandomHex(t, 3))
	seen := c.until(t, alice.DID, p1)
	c.Close()
	last := seen[len(seen)-1].seq
	t.Logf("firehose under %s: %v", oldRelayVersion, seen)

	// The upgrade; post 2 while the relay is down.
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	p2 := post("while the relay is upgraded " + RandomHex(t, 3))
	b := start(newBuild, newVersion)
	backup := onlyBackup(t, b.StateDir, oldRelayVersion)
	p3 := post("under the new relay " + RandomHex(t, 3))
	c = subscribeRelay(t, relayURL, last)
	seen = c.until(t, alice.DID, p2, p3)
	c.Close()
	checkSeqAfter(t, seen, last, "after the upgrade")
	t.Logf("RELAYSEQ upgrade: a consumer reconnecting at seq %d got %v", last, seen)
	last = seen[len(seen)-1].seq

	// The rollback with the pre-upgrade backup; post 4 after it.
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	back := Prepare(t, RenderUnitVersion(t, "relay", oldBuild.Exe, oldRelayVersion, extra), opts)
	control := &unitControl{procs: map[string]*Process{"atproto-relay": back}}
	var scripts recoveryScripts
	nixEvalJSON(t, "recovery.nix", &scripts, "--argstr", "module", "relay", "--argstr", "exe", oldBuild.Exe,
		"--argstr", "version", oldRelayVersion, "--arg", "extra", extra)
	out := runScript(t, back, scripts.Restore, map[string]string{"PATH": shimBin(t, control)}, backup)
	t.Logf("atproto-relay-restore %s: %s", backup, strings.TrimSpace(out))
	p4 := post("after the rollback " + RandomHex(t, 3))
	c = subscribeRelay(t, relayURL, last)
	seen = c.until(t, alice.DID, p4)
	c.Close()
	checkSeqAfter(t, seen, last, "after the rollback")
	var again []string
	for _, e := range seen {
		if e.rkey == p2 || e.rkey == p3 {
			again = append(again, e.rkey)
		}
	}
	t.Logf("RELAYSEQ rollback: a consumer reconnecting at seq %d got %v (posts of before the rollback delivered again, with new sequence numbers: %v)", last, seen, again)
	if err := back.Stop(); err != nil {
		t.Fatal(err)
	}
}

func checkSeqAfter(t *testing.T, seen []relayEvent, after int64, when string) {
	t.Helper()
	prev := after
	for _, e := range seen {
		if e.seq <= prev {
			t.Errorf("%s: seq %d (%s) follows %d: the firehose went backwards for a consumer resuming at %d", when, e.seq, e.rkey, prev, after)
		}
		prev = e.seq
	}
}

// relayEvent is a #commit of the followed account: its sequence number and
// the rkey of the post it creates ("" for other commits).
type relayEvent struct {
	seq  int64
	rkey string
}

func (e relayEvent) String() string { return fmt.Sprintf("%d:%s", e.seq, e.rkey) }

type relaySubscription struct{ *wsConn }

// subscribeRelay connects to the relay's firehose, from cursor when it is
// not negative.
func subscribeRelay(t *testing.T, relayURL string, cursor int64) relaySubscription {
	t.Helper()
	u := wsURL(relayURL) + "/xrpc/com.atproto.sync.subscribeRepos"
	if cursor >= 0 {
		u += fmt.Sprintf("?cursor=%d", cursor)
	}
	var c *wsConn
	var err error
	for i := 0; i < 20; i++ {
		if c, err = dialWebSocket(u, 10*time.Second); err == nil {
			return relaySubscription{c}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("subscribing to %s: %v", u, err)
	return relaySubscription{}
}

// until reads frames until commits creating each rkey in want arrived and
// returns the account's commits read.
func (c relaySubscription) until(t *testing.T, did string, want ...string) []relayEvent {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	got := map[string]bool{}
	var out []relayEvent
	for {
		done := true
		for _, w := range want {
			done = done && got[w]
		}
		if done {
			return out
		}
		frame, err := c.Read(deadline)
		if err != nil {
			t.Fatalf("firehose: waiting for %v (read %v): %v", want, out, err)
		}
		typ, seq, repo, texts, err := decodeFrame(frame)
		if err != nil {
			t.Fatalf("firehose: %v", err)
		}
		if typ != "#commit" || repo != did {
			continue
		}
		e := relayEvent{seq: seq}
		for _, s := range texts {
			if k, ok := strings.CutPrefix(s, "app.bsky.feed.post/"); ok {
				e.rkey = k
			}
		}
		got[e.rkey] = true
		out = append(out, e)
	}
}

// decodeFrame reads an event stream frame: a CBOR header map ({op, t})
// followed by a CBOR body map; it returns the type, the body's seq and
// repo, and every text string in the body (the ops' paths among them).
// DAG-CBOR has definite lengths only, which is all this reader handles.
func decodeFrame(b []byte) (typ string, seq int64, repo string, texts []string, err error) {
	r := &cborReader{b: b}
	header := map[string]any{}
	if err = r.mapInto(header, nil); err != nil {
		return "", 0, "", nil, fmt.Errorf("frame header: %w", err)
	}
	typ, _ = header["t"].(string)
	body := map[string]any{}
	if err = r.mapInto(body, &texts); err != nil {
		return "", 0, "", nil, fmt.Errorf("frame body of %s: %w", typ, err)
	}
	if v, ok := body["seq"].(uint64); ok {
		seq = int64(v)
	}
	repo, _ = body["repo"].(string)
	return typ, seq, repo, texts, nil
}

type cborReader struct {
	b []byte
	i int
}

var errShort = errors.New("CBOR item runs past the frame")

func (r *cborReader) head() (major byte, arg uint64, err error) {
	if r.i >= len(r.b) {
		return 0, 0, errShort
	}
	ib := r.b[r.i]
	r.i++
	major, ai := ib>>5, ib&0x1f
	n := 0
	switch {
	case ai < 24:
		return major, uint64(ai), nil
	case ai == 24:
		n = 1
	case ai == 25:
		n = 2
	case ai == 26:
		n = 4
	case ai == 27:
		n = 8
	default:
		return 0, 0, fmt.Errorf("CBOR additional information %d (indefinite length) at byte %d", ai, r.i-1)
	}
	if r.i+n > len(r.b) {
		return 0, 0, errShort
	}
	for _, c := range r.b[r.i : r.i+n] {
		arg = arg<<8 | uint64(c)
	}
	r.i += n
	return major, arg, nil
}

// item reads one data item: unsigned integers and text strings come back
// as values, everything else is skipped (nil); text strings at any depth
// are appended to texts when it is not nil.
func (r *cborReader) item(texts *[]string) (any, error) {
	major, arg, err := r.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case 0:
		return arg, nil
	case 1, 7:
		return nil, nil
	case 2, 3:
		if uint64(len(r.b)-r.i) < arg {
			return nil, errShort
		}
		s := string(r.b[r.i : r.i+int(arg)])
		r.i += int(arg)
		if major == 3 {
			if texts != nil {
				*texts = append(*texts, s)
			}
			return s, nil
		}
		return nil, nil
	case 4:
		for n := uint64(0); n < arg; n++ {
			if _, err := r.item(texts); err != nil {
				return nil, err
			}
		}
		return nil, nil
	case 5:
		for n := uint64(0); n < 2*arg; n++ {
			if _, err := r.item(texts); err != nil {
				return nil, err
			}
		}
		return nil, nil
	case 6:
		return r.item(texts)
	}
	return nil, fmt.Errorf("CBOR major type %d", major)
}

// mapInto reads a map whose keys are text strings into m (values as item
// returns them).
func (r *cborReader) mapInto(m map[string]any, texts *[]string) error {
	major, n, err := r.head()
	if err != nil {
		return err
	}
	if major != 5 {
		return fmt.Errorf("CBOR major type %d where a map was expected", major)
	}
	for ; n > 0; n-- {
		k, err := r.item(nil)
		if err != nil {
			return err
		}
		key, ok := k.(string)
		if !ok {
			return fmt.Errorf("CBOR map key is not a text string")
		}
		v, err := r.item(texts)
		if err != nil {
			return err
		}
		m[key] = v
	}
	return nil
}
