package live

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOzone runs the labeler as the labeler guide sets it up, on the local
// PLC directory and PDS, with a real PostgreSQL made as
// database.createLocally makes it:
//
//  1. ozone (nix/pkgs/ozone, built from its pinned source and Yarn 4
//     lockfiles with the Next.js UI) starts from its rendered unit and
//     answers its health probe; the UI is served;
//  2. the labeler account announces it: its DID document gets the
//     #atproto_label key ozone signs with and the #atproto_labeler service
//     (a PLC operation signed by the PDS), and its repository the
//     app.bsky.labeler.service record;
//  3. a moderator (the admin password) labels an account with
//     tools.ozone.moderation.emitEvent, and the label, signed by the
//     labeler, is read back with com.atproto.label.queryLabels, also after
//     a restart.
func TestOzone(t *testing.T) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("skipped: sqlite3 not found (reads the PLC operation token from the PDS's account database; Debian: apt-get install sqlite3)")
	}
	build := BuildYarnBerry(t, "ozone")
	version, err := installedVersion(build.AppDir, "@atproto/ozone")
	if err != nil {
		t.Fatal(err)
	}
	if version != "0.1.169" {
		t.Errorf("the build installed @atproto/ozone %s; nix/pkgs/ozone's patch pins 0.1.169", version)
	}

	pg := StartPostgres(t)
	plc := StartPLC(t, pg, "")
	pds := StartPDS(t, PDSOptions{PLC: plc.URL})

	// The labeler account and an account to label.
	password := "live-test-" + RandomHex(t, 8)
	labeler := CreateAccount(t, pds.URL, "labeler"+RandomHex(t, 4)+".pds.example.com", password)
	alice := CreateAccount(t, pds.URL, "alice"+RandomHex(t, 4)+".pds.example.com", password)

	port := FreePort(t)
	ozoneURL := fmt.Sprintf("http://localhost:%d", port)
	// minimal.nix's public URL and DID give way to this network's.
	extra := fmt.Sprintf(`let force = (import <nixpkgs/lib>).mkForce; in { settings = {
		OZONE_PORT = %d;
		OZONE_PUBLIC_URL = force %q;
		OZONE_SERVER_DID = force %q;
		OZONE_ADMIN_DIDS = [ %q ];
		OZONE_DID_PLC_URL = %q;
		# No AppView runs here: the PDS stands in (ozone asks it only for
		# the labeler's profile, and fails open).
		OZONE_APPVIEW_URL = %q;
		OZONE_APPVIEW_DID = "did:web:localhost";
	}; }`, port, ozoneURL, labeler.DID, labeler.DID, plc.URL, pds.URL)
	u := RenderUnit(t, "ozone", build.Exe, extra)
	if !u.Postgres.Enable || len(u.Postgres.Users) == 0 {
		t.Fatal("services.atproto.ozone with database.createLocally asks for no PostgreSQL role")
	}
	for _, user := range u.Postgres.Users {
		pg.CreateLocally(t, user.Name)
	}
	adminPassword := RandomHex(t, 16)
	creds := map[string][]byte{}
	for _, entry := range u.Strings("LoadCredential") {
		name, _, _ := strings.Cut(entry, ":")
		switch name {
		case "adminPassword":
			creds[name] = []byte(adminPassword)
		case "signingKey":
			// A secp256k1 private key is 32 random bytes (below the
			// group order with overwhelming probability), in hex as the
			// module's generate command writes it.
			creds[name] = []byte(RandomHex(t, 32))
		default:
			t.Fatalf("the ozone unit loads credential %q, which this test does not know", name)
		}
	}
	ozone := Start(t, u, Options{Paths: pg.Paths(), Credentials: creds, Env: LoopbackNodeEnv(t)})
	if err := ozone.WaitHealthy(NodeHealthTimeout); err != nil {
		t.Fatal(err)
	}
	healthy := ozone.StartToHealthy
	base := "http://" + listenAddr(t, u)
	checkListeners(t, ozone)
	var health struct{ Version string }
	if err := json.Unmarshal(call(t, http.MethodGet, base+"/xrpc/_health", "", nil), &health); err != nil || health.Version != "0.1.169" {
		t.Errorf("/xrpc/_health reports version %q (%v); want 0.1.169, the @atproto/ozone the package runs", health.Version, err)
	}
	// The web UI, from the Next.js build in the package.
	ui := string(call(t, http.MethodGet, base+"/", "", nil))
	if !strings.Contains(ui, "/_next/static/") {
		t.Errorf("GET / does not serve the Next.js UI (no /_next/static/ assets in the page):\n%.400s", ui)
	}

	// 2. The announcement. ozone says which key it signs labels with.
	var meta struct {
		DID       string `json:"did"`
		URL       string `json:"url"`
		PublicKey string `json:"publicKey"`
	}
	if err := json.Unmarshal(call(t, http.MethodGet, base+"/.well-known/ozone-metadata.json", "", nil), &meta); err != nil {
		t.Fatal(err)
	}
	if meta.DID != labeler.DID || !strings.HasPrefix(meta.PublicKey, "did:key:") {
		t.Fatalf("ozone-metadata.json = %+v; want the labeler's DID and a did:key", meta)
	}
	announceLabeler(t, pds, labeler, "atproto_label", meta.PublicKey, "atproto_labeler", "AtprotoLabeler", ozoneURL)
	var doc struct {
		VerificationMethods map[string]string `json:"verificationMethods"`
		Services            map[string]struct {
			Type     string `json:"type"`
			Endpoint string `json:"endpoint"`
		} `json:"services"`
	}
	if err := json.Unmarshal(call(t, http.MethodGet, plc.URL+"/"+labeler.DID+"/data", "", nil), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.VerificationMethods["atproto_label"] != meta.PublicKey || doc.Services["atproto_labeler"].Endpoint != ozoneURL {
		t.Fatalf("the PLC directory's data for %s lacks the labeler key %s or the service %s: %+v", labeler.DID, meta.PublicKey, ozoneURL, doc)
	}
	const labelValue = "live-test-label"
	record, err := XRPC(pds.URL, "com.atproto.repo.putRecord", labeler, nil, map[string]any{
		"repo": labeler.DID, "collection": "app.bsky.labeler.service", "rkey": "self",
		"record": map[string]any{
			"$type":     "app.bsky.labeler.service",
			"policies":  map[string]any{"labelValues": []string{labelValue}},
			"createdAt": time.Now().UTC().Format(time.RFC3339Nano),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := XRPC(pds.URL, "com.atproto.repo.getRecord", nil, url.Values{"repo": {labeler.DID}, "collection": {"app.bsky.labeler.service"}, "rkey": {"self"}}, nil); err != nil {
		t.Fatalf("the labeler's service record (%s) cannot be read back: %v", record, err)
	}
	t.Logf("labeler %s announced: key %s and service %s in its DID document, app.bsky.labeler.service/self in its repository", labeler.DID, meta.PublicKey, ozoneURL)

	// 3. A label, applied by the admin and read back.
	admin := func(r *http.Request) { r.SetBasicAuth("admin", adminPassword) }
	event := fmt.Sprintf(`{
		"event": {"$type": "tools.ozone.moderation.defs#modEventLabel", "createLabelVals": [%q], "negateLabelVals": []},
		"subject": {"$type": "com.atproto.admin.defs#repoRef", "did": %q},
		"createdBy": %q
	}`, labelValue, alice.DID, labeler.DID)
	call(t, http.MethodPost, base+"/xrpc/tools.ozone.moderation.emitEvent", event, admin)
	labeled := time.Now()
	check := func(when string) {
		t.Helper()
		var got struct {
			Labels []struct {
				Src, URI, Val, Cts string
				Sig                any `json:"sig"`
			} `json:"labels"`
		}
		q := url.Values{"uriPatterns": {alice.DID}}
		if err := json.Unmarshal(call(t, http.MethodGet, base+"/xrpc/com.atproto.label.queryLabels?"+q.Encode(), "", nil), &got); err != nil {
			t.Fatal(err)
		}
		for _, l := range got.Labels {
			if l.Val == labelValue && l.URI == alice.DID && l.Src == labeler.DID && l.Sig != nil {
				return
			}
		}
		t.Fatalf("%s: queryLabels for %s has no signed label %q from %s: %+v", when, alice.DID, labelValue, labeler.DID, got.Labels)
	}
	check("after emitEvent")
	t.Logf("label %q on %s applied and read back (%s)", labelValue, alice.DID, time.Since(labeled).Round(time.Millisecond))

	// The daemon: the same configuration, the other program.
	du := u.Others["atproto-ozone-daemon"]
	if du == nil {
		t.Fatal("services.atproto.ozone renders no atproto-ozone-daemon unit")
	}
	daemon := Start(t, du, Options{Root: ozone.Root, Paths: pg.Paths(), Credentials: creds, Env: LoopbackNodeEnv(t)})
	waitFor(t, "the ozone daemon to start its jobs", time.Minute, func() (bool, string) {
		if exited, err := daemon.Exited(); exited {
			t.Fatalf("the ozone daemon exited (%v):\n%s", err, tail(daemon.Logs(), 30))
		}
		return logLineHas(daemon.Logs(), `"msg":"Ozone daemon is running"`), "its log does not say it runs:\n" + tail(daemon.Logs(), 10)
	})
	time.Sleep(2 * time.Second)
	if exited, err := daemon.Exited(); exited {
		t.Fatalf("the ozone daemon exited after starting (%v):\n%s", err, tail(daemon.Logs(), 30))
	}
	if err := daemon.Stop(); err != nil {
		t.Fatalf("%v\n%s", err, tail(daemon.Logs(), 40))
	}
	// One configuration: the daemon logs as the server does.
	du.LogFormat = u.LogFormat
	checkLogs(t, du, daemon.Logs(), nil, "")
	t.Logf("the ozone daemon ran from atproto-ozone-daemon and stopped on SIGTERM")

	time.Sleep(time.Second)
	if err := ozone.Stop(); err != nil {
		t.Fatalf("%v\n%s", err, tail(ozone.Logs(), 40))
	}
	checkLogs(t, u, ozone.Logs(), nil, "")
	if err := ozone.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := ozone.WaitHealthy(NodeHealthTimeout); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	check("after a restart")
	if err := ozone.Stop(); err != nil {
		t.Fatal(err)
	}

	t.Logf("LIVE ozone: build %s (%s; %d tarballs from nix/pkgs/ozone/deps.nix, each checked against its sha512), start-to-healthy %s, peak memory %.1f MiB, @atproto/ozone %s (node %s; the package uses %s), PostgreSQL %s",
		build, build.StepsString(), build.Tarballs, healthy.Round(10*time.Millisecond), mib(ozone.PeakMemory()), version, build.Node, nixAttr(Package(t, "ozone").Nodejs), pg.Version)
	if build.Note != "" {
		t.Logf("NOTE ozone: %s; upstream's 99dce84 pins @atproto/ozone 0.1.167, which the npm registry does not serve", build.Note)
	}
}

// announceLabeler adds a verification method and a service to an account's
// DID document through its PDS, as ozone's UI does: the PDS mails a token
// (read here from its account database, as no mail is sent), signs the
// PLC operation with its rotation key and submits it.
func announceLabeler(t *testing.T, pds *NodeService, a *Account, keyID, key, serviceID, serviceType, endpoint string) {
	t.Helper()
	// A procedure without input: a POST without a body.
	call(t, http.MethodPost, pds.URL+"/xrpc/com.atproto.identity.requestPlcOperationSignature", "", func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+a.AccessJwt)
	})
	db := filepath.Join(pds.StateDir, "account.sqlite")
	out, err := exec.Command("sqlite3", db, fmt.Sprintf(`SELECT token FROM email_token WHERE purpose = 'plc_operation' AND did = '%s'`, a.DID)).CombinedOutput()
	token := strings.TrimSpace(string(out))
	if err != nil || token == "" {
		t.Fatalf("reading the PLC operation token of %s from %s: %v %s", a.DID, db, err, out)
	}

	var creds map[string]any
	body, err := XRPC(pds.URL, "com.atproto.identity.getRecommendedDidCredentials", a, nil, nil)
	if err == nil {
		err = json.Unmarshal(body, &creds)
	}
	if err != nil {
		t.Fatal(err)
	}
	methods, _ := creds["verificationMethods"].(map[string]any)
	services, _ := creds["services"].(map[string]any)
	if methods == nil || services == nil {
		t.Fatalf("getRecommendedDidCredentials answered %s", body)
	}
	methods[keyID] = key
	services[serviceID] = map[string]string{"type": serviceType, "endpoint": endpoint}
	creds["verificationMethods"], creds["services"], creds["token"] = methods, services, token

	body, err = XRPC(pds.URL, "com.atproto.identity.signPlcOperation", a, nil, creds)
	if err != nil {
		t.Fatal(err)
	}
	var signed struct {
		Operation json.RawMessage `json:"operation"`
	}
	if err := json.Unmarshal(body, &signed); err != nil || len(signed.Operation) == 0 {
		t.Fatalf("signPlcOperation answered %s (%v)", body, err)
	}
	if _, err := XRPC(pds.URL, "com.atproto.identity.submitPlcOperation", a, nil, map[string]any{"operation": signed.Operation}); err != nil {
		t.Fatal(err)
	}
}
