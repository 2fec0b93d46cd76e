package live

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// NodeHealthTimeout bounds a Node service's start: the PLC server migrates
// its database first, the PDS opens its databases.
const NodeHealthTimeout = 2 * time.Minute

// NodeService is a Node.js program of this repository run from its
// rendered unit.
type NodeService struct {
	*Process
	Build *NodeBuild
	URL   string // http://127.0.0.1:<port>, the module's first listener
	Nix   string // the module options the unit was rendered with (RenderUnit's extraNix)
}

// LoopbackNodeEnv is the environment that keeps a Node program without a
// bind-address setting on loopback: NODE_OPTIONS loads testdata/loopback.cjs,
// which binds listeners that ask for every address to 127.0.0.1 instead.
// The PDS and the PLC server listen on all addresses and have no setting
// to change that; test servers listen on loopback only.
func LoopbackNodeEnv(t testing.TB) map[string]string {
	t.Helper()
	preload := filepath.Join(RepoRoot(t), "nix", "tests", "live", "testdata", "loopback.cjs")
	return map[string]string{"NODE_OPTIONS": "--require=" + preload}
}

// FreePort is a TCP port on 127.0.0.1 that nothing listened on a moment ago.
// The live tests give their services such ports, not the modules' defaults,
// so that two test runs on one machine do not collide.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// RandomHex is n random bytes in hex.
func RandomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// StartPLC builds nix/pkgs/plc, renders services.atproto.plc with
// database.createLocally (minimal.nix) on a free port plus extraNix
// (module options, "" for none), creates the role and database the module
// asks for in pg, runs the unit with /run/postgresql mapped to pg's socket
// folder and waits for its health probe.
func StartPLC(t testing.TB, pg *Postgres, extraNix string) *NodeService {
	t.Helper()
	b := BuildNode(t, "plc")
	extra := fmt.Sprintf("[ { settings.PORT = %d; } %s ]", FreePort(t), parenthesized(extraNix))
	u := RenderUnit(t, "plc", b.Exe, extra)
	if !u.Postgres.Enable || len(u.Postgres.Users) == 0 {
		t.Fatalf("services.atproto.plc with database.createLocally asks for no PostgreSQL role")
	}
	for _, user := range u.Postgres.Users {
		pg.CreateLocally(t, user.Name)
	}
	creds := map[string][]byte{}
	for _, entry := range u.Strings("LoadCredential") {
		name, _, _ := strings.Cut(entry, ":")
		creds[name] = []byte(RandomHex(t, 32))
	}
	p := Start(t, u, Options{Paths: pg.Paths(), Credentials: creds, Env: LoopbackNodeEnv(t)})
	if err := p.WaitHealthy(NodeHealthTimeout); err != nil {
		t.Fatal(err)
	}
	return &NodeService{Process: p, Build: b, URL: "http://" + listenAddr(t, u), Nix: extra}
}

// PDSOptions adjust StartPDS.
type PDSOptions struct {
	PLC   string // the PLC directory's URL (PDS_DID_PLC_URL); required
	Extra string // more module options (a Nix attribute set), "" for none
	// Root is the temporary root of the unit's folders; reuse another
	// PDS's Root to start on its data. "" gives a fresh one.
	Root string
	// Credentials are the secret files' contents; nil makes fresh ones (a
	// JWT secret, an admin password, a secp256k1 PLC rotation key).
	Credentials map[string][]byte
	// Port of the PDS; 0 picks a free one.
	Port int
	// Build is the PDS to run; nil builds nix/pkgs/pds. Version is the
	// package version the unit is rendered with ("" for "live-test").
	Build   *NodeBuild
	Version string
}

// StartPDS builds nix/pkgs/pds and runs services.atproto.pds with
// minimal.nix's settings (hostname pds.example.com, so handles end in
// .pds.example.com), on a free port, registering its accounts with the
// given PLC directory and contacting nothing outside this machine (no
// crawlers, AppView or report service), and waits for its health probe.
func StartPDS(t testing.TB, o PDSOptions) *NodeService {
	t.Helper()
	if o.PLC == "" {
		t.Fatal("StartPDS: PDSOptions.PLC (the PLC directory's URL) is required")
	}
	b := o.Build
	if b == nil {
		b = BuildNode(t, "pds")
	}
	if o.Version == "" {
		o.Version = "live-test"
	}
	if o.Port == 0 {
		o.Port = FreePort(t)
	}
	extra := fmt.Sprintf(`[ { settings = {
		PDS_PORT = %d;
		PDS_DID_PLC_URL = %q;
		PDS_CRAWLERS = [ ];
		PDS_BSKY_APP_VIEW_URL = null;
		PDS_BSKY_APP_VIEW_DID = null;
		PDS_REPORT_SERVICE_URL = null;
		PDS_REPORT_SERVICE_DID = null;
	}; } %s ]`, o.Port, o.PLC, parenthesized(o.Extra))
	u := RenderUnitVersion(t, "pds", b.Exe, o.Version, extra)
	if o.Credentials == nil {
		o.Credentials = PDSCredentials(t, u)
	}
	p := Start(t, u, Options{Root: o.Root, Credentials: o.Credentials, Env: LoopbackNodeEnv(t)})
	if err := p.WaitHealthy(NodeHealthTimeout); err != nil {
		t.Fatal(err)
	}
	return &NodeService{Process: p, Build: b, URL: "http://" + listenAddr(t, u), Nix: extra}
}

func parenthesized(nix string) string {
	if nix == "" {
		return ""
	}
	return "(" + nix + ")"
}

// PDSCredentials makes the contents of the PDS unit's secret files: hex
// secrets as the module's descriptions generate them (openssl rand --hex),
// the PLC rotation key as 32 random bytes in hex (a secp256k1 private key).
func PDSCredentials(t testing.TB, u *Unit) map[string][]byte {
	t.Helper()
	creds := map[string][]byte{}
	for _, entry := range u.Strings("LoadCredential") {
		name, _, _ := strings.Cut(entry, ":")
		n := 16
		if name == "plcRotationKey" || name == "dpopSecret" {
			n = 32
		}
		creds[name] = []byte(RandomHex(t, n))
	}
	return creds
}

// listenAddr is the loopback address of the module's first listener.
func listenAddr(t testing.TB, u *Unit) string {
	t.Helper()
	if len(u.Listeners) == 0 {
		t.Fatalf("%s declares no listener", u.Name)
	}
	return fmt.Sprintf("127.0.0.1:%d", u.Listeners[0].Port)
}

// Account is a PDS account and its session.
type Account struct {
	DID       string `json:"did"`
	Handle    string `json:"handle"`
	AccessJwt string `json:"accessJwt"`
	Password  string `json:"-"`
}

// xrpcClient bounds every request of the helpers below.
var xrpcClient = &http.Client{Timeout: 30 * time.Second}

// XRPC calls a PDS method: a GET with query parameters when body is nil,
// else a POST of body as JSON, with the account's token when a is not nil.
// It returns the answer's body, or an error with the status and body.
func XRPC(base, method string, a *Account, query url.Values, body any) ([]byte, error) {
	u := base + "/xrpc/" + method
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var req *http.Request
	var err error
	if body == nil {
		req, err = http.NewRequest(http.MethodGet, u, nil)
	} else {
		var data []byte
		if data, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("%s: encoding the request: %w", method, err)
		}
		req, err = http.NewRequest(http.MethodPost, u, bytes.NewReader(data))
		if req != nil {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	if a != nil {
		req.Header.Set("Authorization", "Bearer "+a.AccessJwt)
	}
	resp, err := xrpcClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", method, err)
	}
	if resp.StatusCode != http.StatusOK {
		return data, fmt.Errorf("%s: HTTP %d: %s", method, resp.StatusCode, data)
	}
	return data, nil
}

// CreateAccount creates an account (com.atproto.server.createAccount):
// the PDS registers a did:plc for it with its PLC directory.
func CreateAccount(t testing.TB, pdsURL, handle, password string) *Account {
	t.Helper()
	local, _, _ := strings.Cut(handle, ".")
	body, err := XRPC(pdsURL, "com.atproto.server.createAccount", nil, nil, map[string]string{
		"handle": handle, "email": local + "@example.com", "password": password,
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &Account{Password: password}
	if err := json.Unmarshal(body, a); err != nil || !strings.HasPrefix(a.DID, "did:plc:") || a.AccessJwt == "" {
		t.Fatalf("createAccount answered %s (%v); want a did:plc and a session", body, err)
	}
	return a
}

// Login opens a session with a handle (or DID) and password
// (com.atproto.server.createSession).
func Login(pdsURL, identifier, password string) (*Account, error) {
	body, err := XRPC(pdsURL, "com.atproto.server.createSession", nil, nil, map[string]string{
		"identifier": identifier, "password": password,
	})
	if err != nil {
		return nil, err
	}
	a := &Account{Password: password}
	if err := json.Unmarshal(body, a); err != nil {
		return nil, fmt.Errorf("createSession answered %s: %w", body, err)
	}
	return a, nil
}

// Record is a repository record's address and content identifier.
type Record struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// CreatePost writes an app.bsky.feed.post record with text
// (com.atproto.repo.createRecord); the PDS acknowledges it with the
// record's URI and CID once it is committed.
func CreatePost(pdsURL string, a *Account, text string) (Record, error) {
	body, err := XRPC(pdsURL, "com.atproto.repo.createRecord", a, nil, map[string]any{
		"repo":       a.DID,
		"collection": "app.bsky.feed.post",
		"record": map[string]string{
			"$type":     "app.bsky.feed.post",
			"text":      text,
			"createdAt": time.Now().UTC().Format(time.RFC3339Nano),
		},
	})
	if err != nil {
		return Record{}, err
	}
	var r Record
	if err := json.Unmarshal(body, &r); err != nil || r.CID == "" {
		return Record{}, fmt.Errorf("createRecord answered %s (%v)", body, err)
	}
	return r, nil
}

// GetPost reads a post back (com.atproto.repo.getRecord): its CID and text.
func GetPost(pdsURL, uri string) (cid, text string, err error) {
	// at://<did>/<collection>/<rkey>
	parts := strings.Split(strings.TrimPrefix(uri, "at://"), "/")
	if len(parts) != 3 {
		return "", "", fmt.Errorf("not a record URI: %q", uri)
	}
	body, err := XRPC(pdsURL, "com.atproto.repo.getRecord", nil,
		url.Values{"repo": {parts[0]}, "collection": {parts[1]}, "rkey": {parts[2]}}, nil)
	if err != nil {
		return "", "", err
	}
	var r struct {
		CID   string `json:"cid"`
		Value struct {
			Text string `json:"text"`
		} `json:"value"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", "", fmt.Errorf("getRecord answered %s: %w", body, err)
	}
	return r.CID, r.Value.Text, nil
}

// PDSVersion is the version the PDS reports at /xrpc/_health.
func PDSVersion(pdsURL string) (string, error) {
	body, err := XRPC(pdsURL, "_health", nil, nil, nil)
	if err != nil {
		return "", err
	}
	var h struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(body, &h); err != nil {
		return "", fmt.Errorf("/xrpc/_health answered %s: %w", body, err)
	}
	return h.Version, nil
}
