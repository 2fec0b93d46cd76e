package live

import (
	"bytes"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNetworkRskyRelay runs examples/local-rsky-relay.nix: the local
// network of TestNetwork with rsky-relay crawling the PDS and rsky-feedgen
// indexing what rsky-relay re-serves, through rsky-firehose. The names
// rsky-relay has built in (https://plc.directory, wss://<PDS host>) are
// this machine, behind one TLS proxy with a test CA that rsky-relay trusts
// through SSL_CERT_FILE (the package's patch; the module points it at the
// system bundle). A post written on the PDS, with a hashtag of Blacksky's
// feed, is re-served on rsky-relay's subscribeRepos and listed in
// rsky-feedgen's skeleton of that feed.
func TestNetworkRskyRelay(t *testing.T) {
	relayBuild := BuildRust(t, "rsky-relay") // skips with one line without the rsky workspace
	feedgenBuild := BuildRust(t, "rsky-feedgen")
	firehoseBuild := BuildRust(t, "rsky-firehose")
	n := startLocalNetwork(t, filepath.Join(RepoRoot(t), "examples", "local-rsky-relay.nix"), map[string]string{
		"rsky-relay":            relayBuild.Exe,
		"rsky-feedgen":          feedgenBuild.Exe,
		"rsky-feedgen.firehose": firehoseBuild.Exe,
	})
	n.builds["rsky-relay"], n.builds["rsky-feedgen"] = relayBuild, feedgenBuild
	defer n.stop(t)

	// The example's nginx: https://plc.directory and https://localhost
	// (the PDS's name) on 127.0.0.1:443.
	caFile, asked := serveNamesOverTLS(t, map[string]string{"plc.directory": n.PLC, "localhost": n.PDS},
		"rsky-relay resolves DIDs at https://plc.directory and reads PDSes over wss:// on port 443")
	relayProc := n.start(t, "rsky-relay", map[string]string{"SSL_CERT_FILE": caFile})
	if got := relayProc.Unit.Environment["SSL_CERT_FILE"]; got != "/etc/ssl/certs/ca-certificates.crt" {
		t.Errorf("the rsky-relay unit sets SSL_CERT_FILE=%q; want the system bundle, which security.pki extends", got)
	}
	rskyRelay := "http://" + apiAddr(t, relayProc)
	if !logLineHas(relayProc.Logs(), "trusting the certificates of SSL_CERT_FILE") {
		t.Fatalf("rsky-relay does not say it trusts SSL_CERT_FILE's certificates (is the package's patch applied?):\n%s", tail(relayProc.Logs(), 20))
	}

	// rsky-feedgen and its indexer, which reads rsky-relay.
	feedgen := n.start(t, "rsky-feedgen", nil)
	feedgenURL := "http://" + apiAddr(t, feedgen)
	fu := feedgen.Unit.Others["atproto-rsky-feedgen-firehose"]
	if fu == nil {
		t.Fatal("services.atproto.rsky-feedgen renders no atproto-rsky-feedgen-firehose unit")
	}
	if got, want := fu.Environment["FEEDGEN_QUEUE_ENDPOINT"], feedgenURL; got != want {
		t.Fatalf("rsky-firehose queues into %s, but rsky-feedgen listens at %s", got, want)
	}
	firehose := Start(t, fu, Options{Root: feedgen.Root, Paths: n.pg.Paths(), Credentials: feedgen.Opts.Credentials})
	defer func() {
		if err := firehose.Stop(); err != nil {
			t.Errorf("%v\n%s", err, tail(firehose.Logs(), 20))
		}
	}()
	waitFor(t, "rsky-firehose to connect to rsky-relay", time.Minute, func() (bool, string) {
		if exited, err := firehose.Exited(); exited {
			t.Fatalf("rsky-firehose exited (%v):\n%s", err, tail(firehose.Logs(), 30))
		}
		return bytes.Contains(firehose.Logs(), []byte("Connected to ws://127.0.0.1:9000")), "its log:\n" + tail(firehose.Logs(), 10)
	})

	// Hop PDS -> rsky-relay: the account's first write makes the PDS ask
	// rsky-relay to crawl it (PDS_CRAWLERS), and rsky-relay subscribes to
	// wss://localhost through the proxy.
	account := n.createAccount(t)
	waitFor(t, "rsky-relay to subscribe to the PDS at wss://localhost", time.Minute, func() (bool, string) {
		return asked["localhost"].count("/xrpc/com.atproto.sync.subscribeRepos") > 0,
			"the PDS's proxy was never asked for subscribeRepos; rsky-relay's log:\n" + tail(relayProc.Logs(), 20)
	})
	sub := subscribeRelay(t, rskyRelay, -1)
	defer sub.Close()

	text := "a post for the feed #blacksky " + string(randomHex(t)[:12])
	uri, _, rkey := n.createRecord(t, account, "app.bsky.feed.post", postRecord(text))
	posted := time.Now()
	sub.until(t, account.Did, rkey)
	t.Logf("hop PDS -> rsky-relay: subscribeRepos re-serves the post's commit %s (%s after the post)", uri, time.Since(posted).Round(time.Millisecond))
	if asked["plc.directory"].count("/export") == 0 {
		t.Errorf("rsky-relay relayed the post without reading the PLC directory's export at https://plc.directory (it resolves the account's key there)")
	}

	// Hop rsky-relay -> rsky-firehose -> rsky-feedgen: the post is in the
	// skeleton of Blacksky's feed, whose hashtag it carries.
	key := rskyFeedgenKey(feedgen)
	skeleton := feedgenURL + "/xrpc/app.bsky.feed.getFeedSkeleton?feed=" + url.QueryEscape(rskyFeedgenBlacksky)
	waitFor(t, "rsky-feedgen to list the post in its feed", time.Minute, func() (bool, string) {
		body := call(t, http.MethodGet, skeleton, "", key)
		return bytes.Contains(body, []byte(`"post":"`+uri+`"`)), "the skeleton: " + string(body) + "\nrsky-firehose's log:\n" + tail(firehose.Logs(), 10)
	})
	t.Logf("hop rsky-relay -> rsky-firehose -> rsky-feedgen: the feed skeleton lists %s (%s after the post)", uri, time.Since(posted).Round(time.Millisecond))
	if strings.Contains(string(firehose.Logs()), "Records failed to queue") {
		t.Errorf("rsky-firehose could not queue records:\n%s", tail(firehose.Logs(), 20))
	}
}
