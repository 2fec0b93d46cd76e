package live

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// goServices are the Go programs packaged here whose sources are pinned in
// ../shared/upstream.
var goServices = []string{"relay", "rainbow", "tap", "hepa", "jetstream", "cocoon"}

// refused is a loopback URL nothing listens on: where a service under test
// would otherwise reach the internet (PLC directory, upstream relay,
// AppView), it is pointed here instead.
const refused = "127.0.0.1:9"

// goCase is what a Go service's test adds to the module's defaults and
// minimal.nix: the loopback settings, credentials the program can parse,
// and a write through its API that must survive a restart.
type goCase struct {
	module string
	// extra is a Nix attribute set merged into the module's options. Every
	// case turns on networkIsolation (listen on loopback) and metrics.
	extra string
	// needs are services (keys of goCases) started first, each as its own
	// test starts it.
	needs []string
	// files are files the configuration names outside the store (such as
	// environment files), by absolute path, with their content; their
	// folders are mapped into a temporary folder.
	files map[string]string
	// credentials makes the content of a LoadCredential entry; nil gives
	// 32 random hex bytes.
	credentials func(t *testing.T, b *Build, name string) []byte
	// foreignLines matches log lines that are not in logFormat for a reason
	// outside the module's control, named in foreignWhy; any other line
	// in another format fails the test.
	foreignLines *regexp.Regexp
	foreignWhy   string
	// observe checks something particular to the case while the program
	// runs (after the listeners are checked).
	observe func(t *testing.T, p *Process)
	// write stores something through the running program; check, after a
	// restart, that it is still there. Both nil: the state directory's files
	// must persist.
	write, check func(t *testing.T, p *Process)
}

// automaxprocs is imported for its side effect by relay and rainbow; it
// reports GOMAXPROCS through the standard log package before the program
// sets up its JSON logger, and has no setting to silence it.
var automaxprocs = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d maxprocs: `)

const automaxprocsWhy = "go.uber.org/automaxprocs, imported by upstream's main package, logs one plain line at start"

var goCases = map[string]goCase{
	"relay": {
		module:       "relay",
		extra:        `{ settings.RELAY_PLC_HOST = "http://` + refused + `"; }`,
		foreignLines: automaxprocs,
		foreignWhy:   automaxprocsWhy,
		write: func(t *testing.T, p *Process) {
			relayAdmin(t, p, http.MethodPost, "/admin/subs/banDomain", `{"domain":"banned.example"}`)
		},
		check: func(t *testing.T, p *Process) {
			body := relayAdmin(t, p, http.MethodGet, "/admin/subs/listDomainBans", "")
			if !bytes.Contains(body, []byte(`"banned.example"`)) {
				t.Errorf("relay: the domain ban written before the restart is gone: %s", body)
			}
		},
	},
	"rainbow": {
		module:       "rainbow",
		extra:        `{ settings.ATP_RELAY_HOST = "http://` + refused + `"; }`,
		foreignLines: regexp.MustCompile(automaxprocs.String() + `|^⇨ http server started on `),
		foreignWhy:   automaxprocsWhy + "; labstack/echo prints its start banner, which rainbow does not hide",
	},
	"tap": {
		module: "tap",
		extra:  `{ settings = { TAP_PLC_URL = "http://` + refused + `"; TAP_RELAY_URL = "http://` + refused + `"; }; }`,
		write: func(t *testing.T, p *Process) {
			call(t, http.MethodPost, "http://"+apiAddr(t, p)+"/repos/add", `{"dids":["did:plc:livetestpersisted"]}`, nil)
		},
		check: func(t *testing.T, p *Process) {
			body := call(t, http.MethodGet, "http://"+apiAddr(t, p)+"/info/did:plc:livetestpersisted", "", nil)
			if !bytes.Contains(body, []byte(`"did:plc:livetestpersisted"`)) {
				t.Errorf("tap: the repository added before the restart is gone: %s", body)
			}
		},
	},
	"hepa": {
		module: "hepa",
		// hepa exits when it cannot subscribe to its relay, so a real relay
		// (this package's relay test's configuration) runs upstream.
		needs: []string{"relay"},
		extra: `{ settings = {
			ATP_RELAY_HOST = "ws://127.0.0.1:2470"; ATP_PLC_HOST = "http://` + refused + `";
			ATP_BSKY_HOST = "http://` + refused + `"; ATP_OZONE_HOST = "http://` + refused + `";
			ATP_PDS_HOST = "http://` + refused + `"; }; }`,
	},
	"jetstream": {
		module: "jetstream",
		// The log level comes from an environment file, which overrides
		// the module's setting as systemd's EnvironmentFile does. (The
		// program writes no debug line while idle, so the program's
		// environment is what is checked.)
		extra: `{ settings = { JETSTREAM_RELAY_URL = "http://` + refused + `"; JETSTREAM_PLC_URL = "http://` + refused + `"; };
			environmentFiles = [ "/run/secrets/jetstream.env" ]; }`,
		files: map[string]string{"/run/secrets/jetstream.env": "# read at start\nJETSTREAM_LOG_LEVEL=debug\n"},
		observe: func(t *testing.T, p *Process) {
			environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", p.Pid()))
			if err != nil {
				t.Fatal(err)
			}
			vars := strings.Split(string(environ), "\x00")
			if !slices.Contains(vars, "JETSTREAM_LOG_LEVEL=debug") || slices.Contains(vars, "JETSTREAM_LOG_LEVEL=info") {
				t.Errorf("jetstream: JETSTREAM_LOG_LEVEL from its EnvironmentFile (debug) should replace the module's (info); the program's environment has %q", slices.DeleteFunc(vars, func(v string) bool { return !strings.HasPrefix(v, "JETSTREAM_LOG_LEVEL=") }))
			}
		},
	},
	"cocoon": {
		module: "cocoon",
		extra:  `{ settings.COCOON_RELAYS = [ "http://` + refused + `" ]; }`,
		// gorm's default logger writes a query that finds no row as
		// coloured text (at every start on an empty event table); cocoon
		// does not replace that logger.
		foreignLines: regexp.MustCompile(`^\r?$|^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \x1b\[31;1m\S+ \x1b\[35;1mrecord not found$|^\x1b\[0m\x1b\[33m\[[0-9.]+ms\] `),
		foreignWhy:   "gorm's default logger prints \"record not found\" with the query as coloured text",
		// An invite code made through the admin API must still be in the
		// database after a restart (cocoon has no API that lists them).
		write: func(t *testing.T, p *Process) {
			var answer struct {
				Code string `json:"code"`
			}
			body := call(t, http.MethodPost, "http://"+apiAddr(t, p)+"/xrpc/com.atproto.server.createInviteCode", `{"useCount":1}`, func(r *http.Request) {
				r.SetBasicAuth("admin", string(p.Opts.Credentials["adminPassword"]))
			})
			if err := json.Unmarshal(body, &answer); err != nil || answer.Code == "" {
				t.Fatalf("cocoon: createInviteCode answered %s (%v)", body, err)
			}
			cocoonInvite = answer.Code
		},
		check: func(t *testing.T, p *Process) {
			db := p.Unit.Environment["COCOON_DB_NAME"]
			db = filepath.Join(p.StateDir, filepath.Base(db))
			out, err := exec.Command("sqlite3", "-readonly", db, "SELECT code FROM invite_codes").CombinedOutput()
			if err != nil {
				t.Fatalf("reading cocoon's database %s: %v\n%s", db, err, out)
			}
			if !strings.Contains(string(out), cocoonInvite) {
				t.Errorf("cocoon: the invite code %s made before the restart is not in %s: %s", cocoonInvite, db, out)
			}
		},
		// The rotation key and the JWK are made by the program itself, as
		// the module's descriptions tell an operator to.
		credentials: func(t *testing.T, b *Build, name string) []byte {
			sub := map[string]string{"rotationKey": "create-rotation-key", "jwk": "create-private-jwk"}[name]
			if sub == "" {
				return randomHex(t)
			}
			out := filepath.Join(t.TempDir(), name)
			if msg, err := exec.Command(b.Exe, sub, "--out", out).CombinedOutput(); err != nil {
				t.Fatalf("cocoon %s --out %s: %v\n%s", sub, out, err, msg)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			return data
		},
	},
}

func TestGoServices(t *testing.T) {
	for _, pkg := range goServices {
		t.Run(pkg, func(t *testing.T) { runGoService(t, pkg, goCases[pkg]) })
	}
}

// cocoonInvite passes the invite code from cocoon's write to its check.
var cocoonInvite string

// healthTimeout bounds every wait for a health probe.
const healthTimeout = 2 * time.Minute

// startGoService builds pkg, renders its unit with its case's settings,
// networkIsolation (loopback listeners) and metrics on, starts it with
// fresh credentials and waits until its own health probe passes.
func startGoService(t *testing.T, pkg string) (*Build, *Process) {
	t.Helper()
	c := goCases[pkg]
	for _, dep := range c.needs {
		startGoService(t, dep)
	}
	b := BuildGo(t, pkg)
	u := RenderUnit(t, c.module, b.Exe, fmt.Sprintf("[ (%s) { networkIsolation.enable = true; metrics.enable = true; } ]", c.extra))
	creds := c.makeCredentials(t, b, u)
	paths := map[string]string{}
	for path, content := range c.files {
		dir := filepath.Dir(path)
		if paths[dir] == "" {
			paths[dir] = t.TempDir()
		}
		if err := os.WriteFile(filepath.Join(paths[dir], filepath.Base(path)), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := Start(t, u, Options{Credentials: creds, Paths: paths})
	if err := p.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	return b, p
}

// makeCredentials makes the content of every credential the unit loads:
// the case's own, or 32 random hex bytes.
func (c goCase) makeCredentials(t *testing.T, b *Build, u *Unit) map[string][]byte {
	creds := map[string][]byte{}
	for _, entry := range u.Strings("LoadCredential") {
		name, _, _ := strings.Cut(entry, ":")
		if c.credentials != nil {
			creds[name] = c.credentials(t, b, name)
		} else {
			creds[name] = randomHex(t)
		}
	}
	return creds
}

func runGoService(t *testing.T, pkg string, c goCase) {
	b, p := startGoService(t, pkg)
	u := p.Unit
	healthy := p.StartToHealthy

	checkMetrics(t, u)
	checkListeners(t, p)
	if c.observe != nil {
		c.observe(t, p)
	}
	checkRestartKeepsState(t, pkg, b, p, healthy, restartChecks{
		write: c.write, check: c.check, foreignLines: c.foreignLines, foreignWhy: c.foreignWhy})
}

func randomHex(t *testing.T) []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return []byte(hex.EncodeToString(b))
}

// stateFiles lists the top-level entries of the state directory: the
// databases and folders a program keeps. (Files inside a store, such as an
// LSM tree's logs, are replaced as it compacts; the store itself stays.)
func stateFiles(t *testing.T, dir string) map[string]bool {
	files := map[string]bool{}
	if dir == "" {
		return files
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("listing the state directory: %v", err)
	}
	for _, e := range entries {
		files[e.Name()] = true
	}
	return files
}

// checkMetrics requires the module's metrics endpoint to answer in the
// Prometheus text format.
func checkMetrics(t *testing.T, u *Unit) {
	t.Helper()
	if u.MetricsURL == "" {
		t.Errorf("%s: metrics.enable is set, but the unit declares no metrics endpoint", u.Name)
		return
	}
	body := call(t, http.MethodGet, u.MetricsURL, "", nil)
	if err := parsePrometheusText(body); err != nil {
		t.Errorf("%s: %s is not Prometheus text: %v", u.Name, u.MetricsURL, err)
	}
}

var (
	metricLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?[0-9]+)?$`)
	typeLine   = regexp.MustCompile(`^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$`)
)

// parsePrometheusText checks the text exposition format: comments, TYPE
// lines and samples `name{labels} value [timestamp]`, at least one sample.
func parsePrometheusText(body []byte) error {
	samples := 0
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case line == "":
		case strings.HasPrefix(line, "# TYPE "):
			if !typeLine.MatchString(line) {
				return fmt.Errorf("line %d: bad TYPE line %q", n, line)
			}
		case strings.HasPrefix(line, "#"):
		default:
			m := metricLine.FindStringSubmatch(line)
			if m == nil {
				return fmt.Errorf("line %d: not a sample: %q", n, line)
			}
			if _, err := strconv.ParseFloat(m[3], 64); err != nil && m[3] != "NaN" && m[3] != "+Inf" && m[3] != "-Inf" {
				return fmt.Errorf("line %d: bad value %q", n, m[3])
			}
			samples++
		}
	}
	if samples == 0 {
		return fmt.Errorf("no samples in %d bytes", len(body))
	}
	return sc.Err()
}

// checkListeners requires the program to listen exactly on the ports the
// module declares, on the declared addresses, and (as every test server
// here) on loopback only.
func checkListeners(t *testing.T, p *Process) {
	t.Helper()
	u := p.Unit
	// Listeners open a moment after the health endpoint may answer.
	var addrs []netip.AddrPort
	var err error
	for i := 0; i < 20; i++ {
		if addrs, err = p.Listening(); err != nil {
			t.Fatal(err)
		}
		if len(uniquePorts(addrs)) >= len(u.Ports) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	got := uniquePorts(addrs)
	for _, a := range addrs {
		if !a.Addr().IsLoopback() {
			t.Errorf("%s listens on %s, not loopback", u.Name, a)
		}
		var declared *Listener
		for i := range u.Listeners {
			if u.Listeners[i].Port == int(a.Port()) {
				declared = &u.Listeners[i]
			}
		}
		switch {
		case declared == nil:
			t.Errorf("%s listens on %s, a port the module does not declare (declared: %v)", u.Name, a, u.Ports)
		case declared.Host != nil && !hostMatches(*declared.Host, a.Addr()):
			t.Errorf("%s listens on %s, but the module declares %s:%d (%s)", u.Name, a, *declared.Host, declared.Port, declared.Option)
		}
	}
	for _, port := range u.Ports {
		if !got[port] {
			t.Errorf("%s does not listen on port %d, which the module declares (it listens on %v)", u.Name, port, addrs)
		}
	}
	t.Logf("%s listens on %v (declared ports %v)", u.Name, addrs, u.Ports)
}

func uniquePorts(addrs []netip.AddrPort) map[int]bool {
	ports := map[int]bool{}
	for _, a := range addrs {
		ports[int(a.Port())] = true
	}
	return ports
}

func hostMatches(host string, addr netip.Addr) bool {
	if host == "localhost" {
		return addr.IsLoopback()
	}
	h, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && h.Unmap() == addr.Unmap()
}

// checkLogs requires the program's output to follow logFormat: with json,
// every line is a JSON object.
func checkLogs(t *testing.T, u *Unit, logs []byte, foreign *regexp.Regexp, why string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(logs)), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Logf("%s wrote no log lines", u.Name)
		return
	}
	if u.LogFormat != "json" {
		t.Logf("%s: logFormat %q, %d lines, not checked further", u.Name, u.LogFormat, len(lines))
		return
	}
	bad, allowed := 0, 0
	for i, line := range lines {
		if foreign != nil && foreign.MatchString(line) {
			allowed++
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			bad++
			if bad <= 5 {
				t.Errorf("%s: logFormat is json, but log line %d is not a JSON object: %q", u.Name, i+1, line)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d log lines are not JSON", u.Name, bad, len(lines))
	}
	if allowed > 0 {
		t.Logf("%s: %d of %d log lines are not JSON, as expected: %s", u.Name, allowed, len(lines), why)
	}
}

// apiAddr is the address of the module's first (public) listener.
func apiAddr(t *testing.T, p *Process) string {
	t.Helper()
	if len(p.Unit.Listeners) == 0 {
		t.Fatalf("%s declares no listener", p.Unit.Name)
	}
	l := p.Unit.Listeners[0]
	host := "127.0.0.1"
	if l.Host != nil {
		host = *l.Host
	}
	return fmt.Sprintf("%s:%d", host, l.Port)
}

func relayAdmin(t *testing.T, p *Process, method, path, body string) []byte {
	t.Helper()
	pw := p.Opts.Credentials["adminPassword"]
	return call(t, method, "http://"+apiAddr(t, p)+path, body, func(r *http.Request) {
		r.SetBasicAuth("admin", string(pw))
	})
}

// call makes one HTTP request and requires a 2xx answer.
func call(t *testing.T, method, url, body string, prepare func(*http.Request)) []byte {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if prepare != nil {
		prepare(req)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, url, err)
	}
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s\n%s", method, url, resp.Status, data)
	}
	return data
}

// restartChecks are what a case adds to checkRestartKeepsState.
type restartChecks struct {
	write, check func(t *testing.T, p *Process) // make data, and read it back after the restart
	foreignLines *regexp.Regexp                 // log lines not in the unit's logFormat, and why
	foreignWhy   string
}

// checkRestartKeepsState writes the case's data into a healthy program,
// stops it (a clean SIGTERM), checks its logs, restarts it, requires its
// health again, the data read back and every state file kept, stops it
// again and logs the LIVE line with the start-to-healthy time given.
func checkRestartKeepsState(t *testing.T, pkg string, b *Build, p *Process, healthy time.Duration, c restartChecks) {
	t.Helper()
	if c.write != nil {
		c.write(t, p)
	}
	// Let the program write what it writes in its first seconds (cursors,
	// database pages) before the state is listed and the logs are read.
	time.Sleep(2 * time.Second)
	before := stateFiles(t, p.StateDir)
	if err := p.Stop(); err != nil {
		t.Fatalf("%v\n%s", err, tail(p.Logs(), 40))
	}
	checkLogs(t, p.Unit, p.Logs(), c.foreignLines, c.foreignWhy)

	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitHealthy(healthTimeout); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	if c.check != nil {
		c.check(t, p)
	}
	after := stateFiles(t, p.StateDir)
	for f := range before {
		if !after[f] {
			t.Errorf("%s: %s was in the state directory before the restart and is gone", pkg, f)
		}
	}
	if len(before) == 0 && c.check == nil {
		t.Logf("%s: the state directory stays empty (the program keeps no state on disk in this configuration)", pkg)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	t.Logf("LIVE %s: build %s, start-to-healthy %s, peak memory %.1f MiB, state files %d",
		pkg, b, healthy.Round(10*time.Millisecond), float64(p.PeakMemory())/(1<<20), len(before))
}
