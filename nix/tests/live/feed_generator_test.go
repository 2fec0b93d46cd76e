package live

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFeedGenerator runs nix/pkgs/feed-generator (the package builds the
// repository's Go port, so BuildGo builds it) from its rendered unit,
// following a live PDS's firehose: a post with "alf" in its text reaches
// the example feed whats-alf, the unit's own probe passes, it listens only
// on its declared loopback port, SIGTERM stops it within its stop timeout,
// and after a restart the feed still holds the post (its SQLite database
// in the state directory).
func TestFeedGenerator(t *testing.T) {
	b := BuildGo(t, "feed-generator")
	pg := StartPostgres(t)
	plc := StartPLC(t, pg, "")
	pds := StartPDS(t, PDSOptions{PLC: plc.URL})

	port := FreePort(t)
	// networkIsolation binds FEEDGEN_LISTENHOST to 127.0.0.1; the firehose
	// is the PDS's own com.atproto.sync.subscribeRepos.
	u := RenderUnit(t, "feed-generator", b.Exe, fmt.Sprintf(`{
		networkIsolation.enable = true;
		settings.FEEDGEN_PORT = %d;
		settings.FEEDGEN_SUBSCRIPTION_ENDPOINT = "ws://%s";
	}`, port, strings.TrimPrefix(pds.URL, "http://")))
	p := Start(t, u, Options{})
	if err := p.WaitHealthy(NodeHealthTimeout); err != nil {
		t.Fatal(err)
	}
	healthy := p.StartToHealthy
	checkListeners(t, p)
	feedURL := fmt.Sprintf("http://127.0.0.1:%d", port)

	// The feed's URI, as the generator describes it.
	var desc struct {
		Feeds []struct {
			URI string `json:"uri"`
		} `json:"feeds"`
	}
	body := call(t, "GET", feedURL+"/xrpc/app.bsky.feed.describeFeedGenerator", "", nil)
	if err := json.Unmarshal(body, &desc); err != nil || len(desc.Feeds) == 0 {
		t.Fatalf("describeFeedGenerator answered %s (%v); want a feed", body, err)
	}
	feed := desc.Feeds[0].URI
	skeleton := func() []string {
		body, err := XRPC(feedURL, "app.bsky.feed.getFeedSkeleton", nil, url.Values{"feed": {feed}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Feed []struct {
				Post string `json:"post"`
			} `json:"feed"`
		}
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatalf("getFeedSkeleton answered %s: %v", body, err)
		}
		var uris []string
		for _, e := range s.Feed {
			uris = append(uris, e.Post)
		}
		return uris
	}

	dave := CreateAccount(t, pds.URL, "dave"+RandomHex(t, 4)+".pds.example.com", "live-test-"+RandomHex(t, 8))
	other, err := CreatePost(pds.URL, dave, "a post the example feed leaves out "+RandomHex(t, 4))
	if err != nil {
		t.Fatal(err)
	}
	post, err := CreatePost(pds.URL, dave, "a post for the alf feed "+RandomHex(t, 4))
	if err != nil {
		t.Fatal(err)
	}
	posted := time.Now()
	pollFor(t, "the post in the feed "+feed, time.Minute, func() (bool, string) {
		uris := skeleton()
		return slices.Contains(uris, post.URI), fmt.Sprintf("feed holds %v", uris)
	})
	if slices.Contains(skeleton(), other.URI) {
		t.Errorf("the feed holds %s, whose text has no \"alf\"", other.URI)
	}
	t.Logf("PDS firehose -> feed generator: %s is in %s (%s after the post)", post.URI, feed, time.Since(posted).Round(time.Millisecond))

	if err := p.Stop(); err != nil {
		t.Fatalf("%v\n%s", err, tail(p.Logs(), 30))
	}
	checkLogs(t, u, p.Logs(), nil, "")
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitHealthy(NodeHealthTimeout); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	if uris := skeleton(); !slices.Contains(uris, post.URI) {
		t.Errorf("after a restart the feed no longer holds %s: %v", post.URI, uris)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	t.Logf("LIVE feed-generator: build %s, start-to-healthy %s, peak memory %.1f MiB, version %s (Go port in go/)",
		b, healthy.Round(10*time.Millisecond), mib(p.PeakMemory()), Package(t, "feed-generator").Version)
}

// pollFor polls cond every half second until it holds, failing after
// timeout with cond's last explanation.
func pollFor(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
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
