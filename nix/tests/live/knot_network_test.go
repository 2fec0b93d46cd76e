package live

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// knotHostname is KNOT_SERVER_HOSTNAME in examples/local-tangled.nix: the
// knot's did:web, the audience of the service tokens it accepts.
const knotHostname = "knot.example.com"

// testKnotOnTheNetwork runs examples/local-tangled.nix's knot and spindle,
// owned by an account of the local PDS, and uses them as Tangled does: the repository
// record on the PDS and sh.tangled.repo.create with a service token the PDS
// issued, an SSH key published as a record that reaches the knot through
// relay and jetstream, a push through the module's AuthorizedKeysCommand
// and `knot guard` (run as sshd would run it), a clone over HTTP; the
// spindle named in the repository's record adds the repository.
//
// knot verifies the account's handle before it creates a repository or
// lets a git command through (DNS, or https://<handle>/.well-known/atproto-did),
// so the test does what an operator of a private network would: a
// host-table entry for the handle and a TLS reverse proxy to the PDS on
// 127.0.0.1:443, with a certificate of a local CA the knot trusts
// (SSL_CERT_FILE, as security.pki.certificateFiles would).
func testKnotOnTheNetwork(t *testing.T, n *localNetwork, acct networkAccount) {
	caFile := serveHandleOverTLS(t, acct.Handle, n.PDS)

	b := BuildGo(t, "knot")
	file := filepath.Join(RepoRoot(t), "examples", "local-tangled.nix")
	exes := map[string]string{"knot": b.Exe, "spindle": BuildGo(t, "spindle").Exe}
	owner := fmt.Sprintf(`let inherit (import <nixpkgs/lib>) mkForce; in {
		services.atproto.knot.settings.KNOT_SERVER_OWNER = mkForce %q;
		services.atproto.spindle.settings.SPINDLE_SERVER_OWNER = mkForce %q; }`, acct.Did, acct.Did)
	units := RenderSystem(t, file, exes, owner)
	if units["knot"] == nil || units["knot"].Environment["KNOT_SERVER_HOSTNAME"] != knotHostname || units["spindle"] == nil {
		t.Fatalf("examples/local-tangled.nix does not enable services.atproto.knot with KNOT_SERVER_HOSTNAME %s and services.atproto.spindle", knotHostname)
	}
	start := func(module string) *Process {
		p := Start(t, units[module], Options{Env: map[string]string{"SSL_CERT_FILE": caFile}})
		if err := p.WaitHealthy(healthTimeout); err != nil {
			t.Fatal(err)
		}
		checkOwner(t, "http://"+apiAddr(t, p), acct.Did)
		return p
	}
	p, spindle := start("knot"), start("spindle")
	base := "http://" + apiAddr(t, p)
	auth := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+acct.AccessJwt) }

	// The repository, as the Tangled AppView creates one: its record on
	// the owner's PDS, then sh.tangled.repo.create on the knot with a
	// service token for the knot's did:web, which the knot checks against
	// the owner's key in the PLC directory before it reads the record.
	now := time.Now().UTC().Format(time.RFC3339)
	spindleHost := spindle.Unit.Environment["SPINDLE_SERVER_HOSTNAME"]
	_, _, rkey := n.createRecord(t, acct, "sh.tangled.repo", fmt.Sprintf(`{"$type":"sh.tangled.repo","name":"hello","knot":%q,"spindle":%q,"createdAt":%q}`, knotHostname, spindleHost, now))
	var token struct {
		Token string `json:"token"`
	}
	q := url.Values{"aud": {"did:web:" + knotHostname}, "lxm": {"sh.tangled.repo.create"}}
	if body := call(t, http.MethodGet, n.PDS+"/xrpc/com.atproto.server.getServiceAuth?"+q.Encode(), "", auth); json.Unmarshal(body, &token) != nil || token.Token == "" {
		t.Fatalf("getServiceAuth answered %s", body)
	}
	call(t, http.MethodPost, base+"/xrpc/sh.tangled.repo.create", fmt.Sprintf(`{"rkey":%q}`, rkey), func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+token.Token)
	})
	scan := p.rewrite.Replace(p.Unit.Environment["KNOT_REPO_SCAN_PATH"])
	repo := filepath.Join(scan, acct.Did, "hello")
	if _, err := os.Stat(filepath.Join(repo, "hooks", "post-receive.d", "40-notify.sh")); err != nil {
		t.Fatalf("sh.tangled.repo.create succeeded, but %s is not a repository with knot's hook: %v", repo, err)
	}
	t.Logf("knot created %s/hello through sh.tangled.repo.create", acct.Did)

	// The repository names the spindle as its CI runner: the spindle
	// learns it from the record, through relay and jetstream, and keeps it
	// (the knot whose events it will follow, the owner, the name).
	spindleDB := spindle.rewrite.Replace(spindle.Unit.Environment["SPINDLE_SERVER_DB_PATH"])
	waitFor(t, "the spindle to add the repository whose record names it", 2*time.Minute, func() (bool, string) {
		out, err := exec.Command("sqlite3", "-readonly", spindleDB, "SELECT knot, owner, name FROM repos").CombinedOutput()
		return err == nil && strings.TrimSpace(string(out)) == knotHostname+"|"+acct.Did+"|hello", fmt.Sprintf("repos: %q (%v)", out, err)
	})
	t.Logf("hop PDS -> relay -> jetstream -> spindle: the spindle watches %s/hello on %s", acct.Did, knotHostname)

	// The owner's SSH key, published as a record: PDS -> relay ->
	// jetstream -> knot.
	pubKey := newSSHPublicKey(t)
	n.createRecord(t, acct, "sh.tangled.publicKey", fmt.Sprintf(`{"$type":"sh.tangled.publicKey","name":"live test","key":%q,"createdAt":%q}`, pubKey, now))
	waitFor(t, "the knot to list the key published on the PDS", 2*time.Minute, func() (bool, string) {
		body := call(t, http.MethodGet, base+"/xrpc/sh.tangled.knot.listKeys", "", nil)
		return strings.Contains(string(body), pubKey), string(body)
	})
	t.Logf("hop PDS -> relay -> jetstream -> knot: sh.tangled.knot.listKeys lists the owner's key")

	// sshd asks the module's AuthorizedKeysCommand for the git user's
	// keys; each line's command runs `knot guard` for the client's git
	// command. Here a GIT_SSH_COMMAND plays sshd for the key's line.
	keysScript := RenderEtc(t, file, exes, owner, "ssh/atproto-knot-keys")
	out, err := exec.Command("sh", "-c", p.rewrite.Replace(keysScript)).CombinedOutput()
	if err != nil {
		t.Fatalf("the module's /etc/ssh/atproto-knot-keys: %v\n%s", err, out)
	}
	forced := forcedCommand(t, string(out), pubKey)
	sshd := filepath.Join(t.TempDir(), "sshd")
	if err := os.WriteFile(sshd, []byte("#!/bin/sh\n# $1: the host; $2: the command the client asks for.\nSSH_ORIGINAL_COMMAND=$2 exec sh -c "+shellQuote(forced)+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	runGit(t, "", "init", "--quiet", "--initial-branch=main", work)
	commit := commitFile(t, work, "README.md", "# pushed over SSH through knot guard\n")
	push := exec.Command("git", "push", "--quiet", "git@"+knotHostname+":"+acct.Did+"/hello", "main")
	push.Dir = work
	push.Env = append(os.Environ(), "GIT_SSH_COMMAND="+sshd, "GIT_SSH_VARIANT=simple", "GIT_TERMINAL_PROMPT=0")
	if out, err := push.CombinedOutput(); err != nil {
		guardLog, _ := os.ReadFile(filepath.Join(p.StateDir, "guard.log"))
		t.Fatalf("git push through the key's command %q: %v\n%s\nguard.log:\n%s\nknot:\n%s", forced, err, out, guardLog, tail(p.Logs(), 20))
	}
	// guard logs where the module tells `knot keys` to point it.
	if guardLog, err := os.ReadFile(filepath.Join(p.StateDir, "guard.log")); err != nil || !strings.Contains(string(guardLog), `"msg":"command completed"`) {
		t.Errorf("knot guard's log in the state directory has no completed command (%v):\n%s", err, guardLog)
	}
	checkClone(t, base+"/"+acct.Did+"/hello", commit, "README.md", "# pushed over SSH through knot guard\n")
	t.Logf("git push over (stand-in) SSH through knot guard, git clone over HTTP: %s", commit)

	for _, p := range []*Process{spindle, p} {
		if err := p.Stop(); err != nil {
			t.Error(err)
		}
		t.Logf("LIVE network %s: start-to-healthy %s, peak memory %.1f MiB",
			p.Unit.Name, p.StartToHealthy.Round(10*time.Millisecond), float64(p.PeakMemory())/(1<<20))
	}
}

// RenderEtc is the text of /etc/<name> in the configuration file, rendered
// as RenderSystem renders its units.
func RenderEtc(t testing.TB, file string, exes map[string]string, extraNix, name string) string {
	t.Helper()
	var text string
	nixEvalJSON(t, "system.nix", &text, append(systemArgs(t, file, exes, extraNix), "--argstr", "etc", name)...)
	return text
}

// newSSHPublicKey is a new Ed25519 public key in OpenSSH's
// authorized_keys format (the knot stores and lists it; sshd is not run).
func newSSHPublicKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var blob []byte
	for _, part := range [][]byte{[]byte("ssh-ed25519"), pub} {
		blob = binary.BigEndian.AppendUint32(blob, uint32(len(part)))
		blob = append(blob, part...)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " live-test"
}

var keyLine = regexp.MustCompile(`^command="([^"]*)",\S+ (.*)$`)

// forcedCommand finds the authorized_keys line of key and returns its command.
func forcedCommand(t *testing.T, authorizedKeys, key string) string {
	t.Helper()
	fields := strings.Fields(key)
	for _, line := range strings.Split(authorizedKeys, "\n") {
		m := keyLine.FindStringSubmatch(line)
		if m != nil && strings.HasPrefix(m[2], fields[0]+" "+fields[1]) {
			return m[1]
		}
	}
	t.Fatalf("the keys command printed no authorized_keys line with a command for %s:\n%s", key, authorizedKeys)
	return ""
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// serveHandleOverTLS serves https://<handle>/.well-known/atproto-did on
// this machine from the PDS (serveOverTLS) and returns the CA's
// certificate file.
func serveHandleOverTLS(t *testing.T, handle, pds string) string {
	t.Helper()
	caFile, _ := serveOverTLS(t, handle, pds, "knot verifies the owner's handle over HTTPS")
	// The proxy answers as the knot will ask.
	client := trustingClient(t, caFile)
	resp, err := client.Get("https://" + handle + "/.well-known/atproto-did")
	if err != nil {
		t.Fatalf("https://%s/.well-known/atproto-did through the host entry and the proxy: %v", handle, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("https://%s/.well-known/atproto-did answered %s", handle, resp.Status)
	}
	return caFile
}

// serveOverTLS makes name resolve to 127.0.0.1 (a line in /etc/hosts,
// removed when the test ends) and serves https://<name>/ there from target
// (an http:// URL, asked with Host: name) through a TLS reverse proxy with
// a certificate of a new CA, as an operator of a private network would for
// a name a program has built in. It returns the CA's certificate file and
// the log of the paths asked for. It skips the test, saying why with
// needs, when it cannot edit /etc/hosts or listen on port 443 (not root).
func serveOverTLS(t *testing.T, name, target, needs string) (caFile string, asked *pathLog) {
	t.Helper()
	caFile, logs := serveNamesOverTLS(t, map[string]string{name: target}, needs)
	return caFile, logs[name]
}

// serveNamesOverTLS is serveOverTLS for several names on one port 443: one
// certificate names them all, and each request goes to the target of the
// name it was sent to (its Host), WebSocket upgrades included. "localhost"
// needs no host entry.
func serveNamesOverTLS(t *testing.T, targets map[string]string, needs string) (caFile string, asked map[string]*pathLog) {
	t.Helper()
	var names []string
	for name := range targets {
		names = append(names, name)
	}
	sort.Strings(names)
	ln, err := net.Listen("tcp", "127.0.0.1:443")
	if err != nil {
		t.Skipf("skipped: %s, and this test cannot listen on 127.0.0.1:443 to serve https://%s (%v)", needs, strings.Join(names, ", https://"), err)
	}
	t.Cleanup(func() { ln.Close() })
	for _, name := range names {
		if name != "localhost" {
			addHostsEntry(t, name, needs)
		}
	}

	caKey, caCert, caPEM := newCA(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	asked = map[string]*pathLog{}
	proxies := map[string]*httputil.ReverseProxy{}
	for _, name := range names {
		u, err := url.Parse(targets[name])
		if err != nil {
			t.Fatal(err)
		}
		name, log := name, &pathLog{}
		asked[name] = log
		proxy := httputil.NewSingleHostReverseProxy(u)
		director := proxy.Director
		proxy.Director = func(r *http.Request) {
			log.add(r.URL.Path)
			director(r)
			r.Host = name // a PDS answers for the handle named by Host
		}
		proxies[name] = proxy
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host := r.Host
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			proxy, ok := proxies[host]
			if !ok {
				http.Error(w, "this test serves no "+host, http.StatusMisdirectedRequest)
				return
			}
			proxy.ServeHTTP(w, r)
		}),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
	}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })

	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return caFile, asked
}

// trustingClient is an HTTP client that trusts the CA in caFile.
func trustingClient(t *testing.T, caFile string) *http.Client {
	t.Helper()
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// pathLog records the paths a proxy was asked for.
type pathLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *pathLog) add(path string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.paths = append(l.paths, path)
}

// count is how often path was asked for.
func (l *pathLog) count(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, p := range l.paths {
		if p == path {
			n++
		}
	}
	return n
}

// addHostsEntry adds "127.0.0.1 <name>" to /etc/hosts until the test
// ends; needs says why, when the test must skip.
func addHostsEntry(t *testing.T, name, needs string) {
	t.Helper()
	const hosts = "/etc/hosts"
	line := "127.0.0.1 " + name + " # atproto-nur live test\n"
	f, err := os.OpenFile(hosts, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("skipped: %s, and this test cannot add a host entry for %s to %s (%v)", needs, name, hosts, err)
	}
	_, err = f.WriteString(line)
	f.Close()
	if err != nil {
		t.Fatalf("adding a host entry to %s: %v", hosts, err)
	}
	t.Cleanup(func() {
		data, err := os.ReadFile(hosts)
		if err != nil {
			t.Errorf("removing the host entry for %s: %v", name, err)
			return
		}
		if err := os.WriteFile(hosts, []byte(strings.Replace(string(data), line, "", 1)), 0o644); err != nil {
			t.Errorf("removing the host entry for %s: %v", name, err)
		}
	})
}

// newCA makes a certificate authority for one test.
func newCA(t *testing.T) (*ecdsa.PrivateKey, *x509.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "atproto-nur live test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
