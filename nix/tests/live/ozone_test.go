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

// TestOzone runs examples/local-labeler.nix, the labeler on the
// one-machine network the guides show: the PLC directory (with a real
// PostgreSQL made as database.createLocally makes it), the PDS and Ozone,
// each from the unit the file renders:
//
//  1. ozone (nix/pkgs/ozone, built from its pinned source and Yarn 4
//     lockfiles with the Next.js UI) starts and answers its health probe;
//     the UI is served;
//  2. the labeler account announces it: its DID document gets the
//     #atproto_label key ozone signs with and the #atproto_labeler service
//     (a PLC operation signed by the PDS), and its repository the
//     app.bsky.labeler.service record;
//  3. a moderator (the admin password) labels an account with
//     tools.ozone.moderation.emitEvent, and the label, signed by the
//     labeler, is read back with com.atproto.label.queryLabels, also after
//     a restart; the daemon runs from its own unit.
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
	exes := map[string]string{"ozone": build.Exe}
	for _, pkg := range []string{"plc", "pds"} {
		exes[pkg] = BuildNode(t, pkg).Exe
	}
	file := filepath.Join(RepoRoot(t), "examples", "local-labeler.nix")

	// The PLC directory and the PDS, from the file.
	pg := StartPostgres(t)
	units := RenderSystem(t, file, exes, "")
	var network []*Process
	// The PostgreSQL wishes are the system's (every unit reports them all).
	roles := map[string]bool{}
	createRoles := func(u *Unit) {
		for _, user := range u.Postgres.Users {
			if !roles[user.Name] {
				pg.CreateLocally(t, user.Name)
				roles[user.Name] = true
			}
		}
	}
	for _, m := range []string{"plc", "pds", "ozone"} {
		if units[m] == nil {
			t.Fatalf("examples/local-labeler.nix does not enable services.atproto.%s", m)
		}
	}
	for _, m := range []string{"plc", "pds"} {
		u := units[m]
		createRoles(u)
		p := Start(t, u, Options{Paths: pg.Paths(), Credentials: PDSCredentials(t, u), Env: LoopbackNodeEnv(t)})
		if err := p.WaitHealthy(NodeHealthTimeout); err != nil {
			t.Fatal(err)
		}
		network = append(network, p)
	}
	plcURL, pdsURL := "http://"+listenAddr(t, units["plc"]), "http://"+listenAddr(t, units["pds"])

	// The labeler account and an account to label.
	password := "live-test-" + RandomHex(t, 8)
	labeler := CreateAccount(t, pdsURL, "labeler"+RandomHex(t, 4)+".test", password)
	alice := CreateAccount(t, pdsURL, "alice"+RandomHex(t, 4)+".test", password)

	// Ozone, from the file with the labeler account's DID in place of the
	// one written there.
	units = RenderSystem(t, file, exes, fmt.Sprintf(`let force = (import <nixpkgs/lib>).mkForce; in {
		services.atproto.ozone.settings.OZONE_SERVER_DID = force %q;
		services.atproto.ozone.settings.OZONE_ADMIN_DIDS = force [ %q ];
	}`, labeler.DID, labeler.DID))
	u := units["ozone"]
	ozoneURL := u.Environment["OZONE_PUBLIC_URL"]
	if !u.Postgres.Enable || !strings.Contains(fmt.Sprint(u.Postgres.Users), "atproto-ozone") {
		t.Fatalf("services.atproto.ozone with database.createLocally asks for no PostgreSQL role atproto-ozone: %+v", u.Postgres.Users)
	}
	createRoles(u)
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
	announceLabeler(t, pdsURL, network[1].StateDir, labeler, "atproto_label", meta.PublicKey, "atproto_labeler", "AtprotoLabeler", ozoneURL)
	var doc struct {
		VerificationMethods map[string]string `json:"verificationMethods"`
		Services            map[string]struct {
			Type     string `json:"type"`
			Endpoint string `json:"endpoint"`
		} `json:"services"`
	}
	if err := json.Unmarshal(call(t, http.MethodGet, plcURL+"/"+labeler.DID+"/data", "", nil), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.VerificationMethods["atproto_label"] != meta.PublicKey || doc.Services["atproto_labeler"].Endpoint != ozoneURL {
		t.Fatalf("the PLC directory's data for %s lacks the labeler key %s or the service %s: %+v", labeler.DID, meta.PublicKey, ozoneURL, doc)
	}
	const labelValue = "live-test-label"
	record, err := XRPC(pdsURL, "com.atproto.repo.putRecord", labeler, nil, map[string]any{
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
	if _, err := XRPC(pdsURL, "com.atproto.repo.getRecord", nil, url.Values{"repo": {labeler.DID}, "collection": {"app.bsky.labeler.service"}, "rkey": {"self"}}, nil); err != nil {
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
	for i := len(network) - 1; i >= 0; i-- {
		if err := network[i].Stop(); err != nil {
			t.Errorf("%v", err)
		}
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
func announceLabeler(t *testing.T, pdsURL, pdsStateDir string, a *Account, keyID, key, serviceID, serviceType, endpoint string) {
	t.Helper()
	// A procedure without input: a POST without a body.
	call(t, http.MethodPost, pdsURL+"/xrpc/com.atproto.identity.requestPlcOperationSignature", "", func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+a.AccessJwt)
	})
	db := filepath.Join(pdsStateDir, "account.sqlite")
	out, err := exec.Command("sqlite3", db, fmt.Sprintf(`SELECT token FROM email_token WHERE purpose = 'plc_operation' AND did = '%s'`, a.DID)).CombinedOutput()
	token := strings.TrimSpace(string(out))
	if err != nil || token == "" {
		t.Fatalf("reading the PLC operation token of %s from %s: %v %s", a.DID, db, err, out)
	}

	var creds map[string]any
	body, err := XRPC(pdsURL, "com.atproto.identity.getRecommendedDidCredentials", a, nil, nil)
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

	body, err = XRPC(pdsURL, "com.atproto.identity.signPlcOperation", a, nil, creds)
	if err != nil {
		t.Fatal(err)
	}
	var signed struct {
		Operation json.RawMessage `json:"operation"`
	}
	if err := json.Unmarshal(body, &signed); err != nil || len(signed.Operation) == 0 {
		t.Fatalf("signPlcOperation answered %s (%v)", body, err)
	}
	if _, err := XRPC(pdsURL, "com.atproto.identity.submitPlcOperation", a, nil, map[string]any{"operation": signed.Operation}); err != nil {
		t.Fatal(err)
	}
}
