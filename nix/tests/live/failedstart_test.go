package live

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A service that cannot start must fail, not hang and not loop forever, and
// what it leaves in the journal must say why in words an operator
// understands. Each case below breaks one thing a real host gets wrong
// (another program on the port, a read-only state directory, an empty secret
// file, a database that does not answer or a URL with a typo), starts the
// unit as it renders, and asserts the text of the journal: the output of the
// steps before the program (the upgrade backup, the module's pre-start
// checks), the program's own output and the health probe's last answer.

// failStartTimeout is the health probe's start timeout the failure cases
// render (healthCheck.startTimeout): a program that neither exits nor
// answers is failed by the probe after this long, as systemd fails a unit
// whose ExecStartPost does not finish.
const failStartTimeout = 20

// failSubject is one service as the failure cases start it.
type failSubject struct {
	module string
	exe    func(t *testing.T) string
	// base is the module options of a configuration that starts (the
	// service's ordinary live test's), as a Nix expression.
	base func(t *testing.T) string
	// options gives the credentials, folders and environment for a unit.
	options func(t *testing.T, u *Unit) Options
	// secret is a required secret (a LoadCredential name) whose file the
	// empty-secret case empties; "" when the service has none required.
	// secretNix sets its file when the minimal configuration does not.
	secret, secretNix string
	// database is the setting holding a PostgreSQL URL; "" for services
	// without one. The database cases render database.createLocally (a
	// socket under /run/postgresql, mapped to an empty folder: nothing
	// answers) or a URL with a typo, and expect the program's own words,
	// or the module's check, in dbUnreachable and dbMalformed.
	database                   string
	dbUnreachable, dbMalformed *regexp.Regexp
}

func goSubject(pkg string) failSubject {
	c := goCases[pkg]
	return failSubject{
		module: c.module,
		exe:    func(t *testing.T) string { return BuildGo(t, pkg).Exe },
		base:   func(t *testing.T) string { return c.extra },
		options: func(t *testing.T, u *Unit) Options {
			paths := map[string]string{}
			for path, content := range c.files {
				dir := t.TempDir()
				paths[path[:strings.LastIndexByte(path, '/')]] = dir
				if err := os.WriteFile(dir+path[strings.LastIndexByte(path, '/'):], []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			return Options{Credentials: c.makeCredentials(t, &Build{Exe: BuildGo(t, pkg).Exe}, u), Paths: paths}
		},
	}
}

var failSubjects = map[string]failSubject{}

func init() {
	for _, pkg := range goServices {
		failSubjects[pkg] = goSubject(pkg)
	}
	relay := failSubjects["relay"]
	relay.secret = "adminPassword"
	relay.database = "DATABASE_URL"
	relay.dbUnreachable = regexp.MustCompile("\"msg\":\"exiting process\",\"err\":\"failed to connect to `user=atproto-relay database=atproto-relay`: .*connect: no such file or directory")
	relay.dbMalformed = regexp.MustCompile(`"msg":"exiting process","err":"unsupported or unrecognized DATABASE_URL value: `)
	failSubjects["relay"] = relay

	tap := failSubjects["tap"]
	tap.secret, tap.secretNix = "adminPassword", `{ adminPasswordFile = "/run/secrets/tap-admin"; }`
	tap.database = "TAP_DATABASE_URL"
	tap.dbUnreachable = regexp.MustCompile("\"msg\":\"exiting process\",\"error\":\"failed to connect to `user=atproto-tap database=atproto-tap`: .*connect: no such file or directory")
	tap.dbMalformed = regexp.MustCompile(`"msg":"exiting process","error":"unsupported database URL scheme: must start with sqlite://, postgres://, or postgresql://"`)
	failSubjects["tap"] = tap

	cocoon := failSubjects["cocoon"]
	cocoon.secret = "adminPassword"
	cocoon.database = "COCOON_DATABASE_URL"
	// cocoon's own line is gorm's coloured source position; the module's check says it plainly.
	cocoon.dbUnreachable = regexp.MustCompile(`^atproto-cocoon: the PostgreSQL server in COCOON_DATABASE_URL \(services\.atproto\.cocoon\.settings\.COCOON_DATABASE_URL\) does not accept connections: \S+:5432 - no response\. `)
	cocoon.dbMalformed = regexp.MustCompile(`^atproto-cocoon: COCOON_DATABASE_URL \(services\.atproto\.cocoon\.settings\.COCOON_DATABASE_URL\) is not a PostgreSQL URL: it must start with postgresql://`)
	failSubjects["cocoon"] = cocoon

	failSubjects["feed-generator"] = failSubject{
		module: "feed-generator",
		exe:    func(t *testing.T) string { return BuildGo(t, "feed-generator").Exe },
		base: func(t *testing.T) string {
			return fmt.Sprintf(`{ settings.FEEDGEN_PORT = %d; settings.FEEDGEN_SUBSCRIPTION_ENDPOINT = "ws://%s"; }`, FreePort(t), refused)
		},
		options: func(t *testing.T, u *Unit) Options { return Options{} },
	}
	failSubjects["pds"] = failSubject{
		module: "pds",
		exe:    func(t *testing.T) string { return BuildNode(t, "pds").Exe },
		base: func(t *testing.T) string {
			return fmt.Sprintf(`{ settings = {
				PDS_PORT = %d; PDS_DID_PLC_URL = "http://%s"; PDS_CRAWLERS = [ ];
				PDS_BSKY_APP_VIEW_URL = null; PDS_BSKY_APP_VIEW_DID = null;
				PDS_REPORT_SERVICE_URL = null; PDS_REPORT_SERVICE_DID = null; }; }`, FreePort(t), refused)
		},
		options: func(t *testing.T, u *Unit) Options {
			return Options{Credentials: PDSCredentials(t, u), Env: LoopbackNodeEnv(t)}
		},
		secret: "jwtSecret",
	}
	failSubjects["plc"] = failSubject{
		module: "plc",
		exe:    func(t *testing.T) string { return BuildNode(t, "plc").Exe },
		base:   func(t *testing.T) string { return fmt.Sprintf(`{ settings.PORT = %d; }`, FreePort(t)) },
		options: func(t *testing.T, u *Unit) Options {
			creds := map[string][]byte{}
			for _, entry := range u.Strings("LoadCredential") {
				name, _, _ := strings.Cut(entry, ":")
				creds[name] = []byte(RandomHex(t, 32))
			}
			// createLocally's socket folder: empty, so nothing answers.
			return Options{Credentials: creds, Env: LoopbackNodeEnv(t), Paths: map[string]string{"/run/postgresql": t.TempDir()}}
		},
		secret: "adminSecret", secretNix: `{ adminSecretFile = "/run/secrets/plc-admin"; }`,
		database: "DATABASE_URL",
		// The server itself waits without a word (the module's check).
		dbUnreachable: regexp.MustCompile(`^atproto-plc: the PostgreSQL server in DATABASE_URL \(services\.atproto\.plc\.settings\.DATABASE_URL\) does not accept connections: \S+:5432 - no response\. `),
		dbMalformed:   regexp.MustCompile(`^atproto-plc: DATABASE_URL \(services\.atproto\.plc\.settings\.DATABASE_URL\) is not a PostgreSQL URL: it must start with postgresql://`),
	}
}

// failSubjectOrder is the order the cases run in.
var failSubjectOrder = []string{"relay", "rainbow", "tap", "hepa", "jetstream", "cocoon", "feed-generator", "pds", "plc"}

// failureMode is one way a start goes wrong.
type failureMode struct {
	name string
	// applies says whether the service has what the mode breaks.
	applies func(s failSubject) bool
	// extra is module options added to the subject's base ("" for none).
	extra func(s failSubject) string
	// breakIt runs after the unit's folders exist and before it starts;
	// it returns what the journal must say.
	breakIt func(t *testing.T, s failSubject, p *Process) *regexp.Regexp
}

var failureModes = []failureMode{
	{
		name:    "port taken",
		applies: func(failSubject) bool { return true },
		breakIt: func(t *testing.T, s failSubject, p *Process) *regexp.Regexp {
			port := p.Unit.Listeners[0].Port
			squatPort(t, port)
			return regexp.MustCompile(fmt.Sprintf(`%s: TCP port %d \(127\.0\.0\.1:%d\) is already in use by another program, so .* cannot listen on it\. .* set services\.atproto\.%s\.\S+ to a free port\.`,
				p.Unit.Name, port, port, regexp.QuoteMeta(s.module)))
		},
	},
	{
		name:    "state directory not writable",
		applies: func(failSubject) bool { return true },
		breakIt: func(t *testing.T, s failSubject, p *Process) *regexp.Regexp {
			// The test runs as root, which file modes do not stop: the
			// immutable attribute does, as a read-only mount would.
			if out, err := exec.Command("chattr", "+i", p.StateDir).CombinedOutput(); err != nil {
				t.Skipf("skipped: cannot make %s immutable (chattr +i: %v %s), which this case needs to make it unwritable for root", p.StateDir, err, bytes.TrimSpace(out))
			}
			t.Cleanup(func() { exec.Command("chattr", "-i", p.StateDir).Run() })
			return regexp.MustCompile(regexp.QuoteMeta(p.Unit.Name + ": cannot write to its state directory " + p.StateDir + ": cannot touch '" + p.StateDir + "/.atproto-write-check': Operation not permitted."))
		},
	},
	{
		name:    "secret file empty",
		applies: func(s failSubject) bool { return s.secret != "" },
		extra:   func(s failSubject) string { return s.secretNix },
		breakIt: func(t *testing.T, s failSubject, p *Process) *regexp.Regexp {
			if err := os.WriteFile(p.CredentialsDir+"/"+s.secret, nil, 0o400); err != nil {
				t.Fatal(err)
			}
			return regexp.MustCompile(fmt.Sprintf(`%s: the secret file \S+ \(services\.atproto\.%s\.%sFile\) is empty; put .+ in it`,
				p.Unit.Name, regexp.QuoteMeta(s.module), s.secret))
		},
	},
	{
		name:    "database unreachable",
		applies: func(s failSubject) bool { return s.database != "" },
		extra: func(s failSubject) string {
			return `{ database.createLocally = true; }`
		},
		breakIt: func(t *testing.T, s failSubject, p *Process) *regexp.Regexp {
			return s.dbUnreachable
		},
	},
	{
		name:    "database URL malformed",
		applies: func(s failSubject) bool { return s.database != "" },
		extra: func(s failSubject) string {
			// A typo an operator makes: the scheme's colon left out (with
			// createLocally's other settings, such as cocoon's database type).
			return fmt.Sprintf(`{ database.createLocally = true; settings.%s = "postgresql//%s@localhost/%s"; }`, s.database, "atproto-"+s.module, "atproto-"+s.module)
		},
		breakIt: func(t *testing.T, s failSubject, p *Process) *regexp.Regexp {
			return s.dbMalformed
		},
	},
}

// squatPort listens on 127.0.0.1:port for the rest of the test, accepting
// connections and closing them at once, as an unrelated program that
// speaks another protocol would.
func squatPort(t *testing.T, port int) {
	t.Helper()
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("taking port %d for the case: %v", port, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

// failedStart is how one start attempt ended.
type failedStart struct {
	journal  string        // steps' output, program output, probe's last answer
	took     time.Duration // from start to the unit's failure
	exited   bool          // the program (or a step) exited; else the probe timed out
	started  bool          // the probe passed: the unit did NOT fail
	firstHit string        // the first journal line matching the expected text
}

// attemptStart starts a prepared unit and waits, at most as long as
// systemd would (the probe's start timeout), for it to fail.
func attemptStart(t *testing.T, p *Process) failedStart {
	t.Helper()
	var r failedStart
	begin := time.Now()
	if err := p.Begin(); err != nil {
		r.took, r.exited = time.Since(begin), true
		r.journal = string(p.StepOutput())
		return r
	}
	err := p.WaitHealthy(time.Duration(failStartTimeout) * time.Second)
	r.took = time.Since(begin)
	if err == nil {
		r.started = true
	}
	r.exited, _ = p.Exited()
	p.Kill()
	r.journal = string(p.StepOutput()) + string(p.Logs()) + probeAnswer(p)
	return r
}

// probeAnswer is what the unit's health probe printed on its last try, as
// curl writes it into the journal when the start times out.
func probeAnswer(p *Process) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd, err := p.command(ctx, strings.Join(quoteAll(withoutRetries(p.Unit.HealthCmd)), " "))
	if err != nil {
		return ""
	}
	out, _ := cmd.CombinedOutput()
	return string(out)
}

func TestFailedStart(t *testing.T) {
	RequireNix(t)
	for _, name := range failSubjectOrder {
		s := failSubjects[name]
		t.Run(name, func(t *testing.T) {
			exe := s.exe(t)
			for _, mode := range failureModes {
				if !mode.applies(s) {
					continue
				}
				t.Run(strings.ReplaceAll(mode.name, " ", "-"), func(t *testing.T) {
					runFailedStart(t, s, mode, exe)
				})
			}
		})
	}
}

func runFailedStart(t *testing.T, s failSubject, mode failureMode, exe string) {
	extra := fmt.Sprintf("[ (%s) { networkIsolation.enable = true; healthCheck.startTimeout = %d; } ", s.base(t), failStartTimeout)
	if mode.extra != nil {
		extra += parenthesized(mode.extra(s))
	}
	extra += " ]"
	u := RenderUnit(t, s.module, exe, extra)
	p := Prepare(t, u, s.options(t, u))
	want := mode.breakIt(t, s, p)
	r := attemptStart(t, p)
	if want == nil {
		t.Fatalf("%s, %s: no expected journal text is set for this case; the journal (exited %v, started %v, after %s):\n%s", s.module, mode.name, r.exited, r.started, r.took, tail([]byte(r.journal), 40))
	}
	if r.started {
		t.Fatalf("%s started and answered its health probe although %s:\n%s", u.Name, mode.name, tail([]byte(r.journal), 30))
	}
	for _, line := range strings.Split(r.journal, "\n") {
		if want.MatchString(line) {
			r.firstHit = line
			break
		}
	}
	if r.firstHit == "" {
		t.Fatalf("%s, %s: no journal line matches %q; the journal:\n%s", u.Name, mode.name, want, tail([]byte(r.journal), 40))
	}
	how := "exited"
	if !r.exited {
		how = "failed by its health probe's start timeout"
	}
	checkStartLimit(t, u, r.took)
	t.Logf("FAILEDSTART %s | %s | %s after %s | %s", s.module, mode.name, how, r.took.Round(100*time.Millisecond), strings.TrimSpace(r.firstHit))
}

// checkStartLimit asserts that systemd gives up restarting the unit when
// every start fails the way this one did (taking took): with
// Restart=on-failure it starts again after RestartSec, and refuses once
// StartLimitBurst starts fell within StartLimitIntervalSec.
func checkStartLimit(t *testing.T, u *Unit, took time.Duration) {
	t.Helper()
	if u.Value("Restart") != "on-failure" {
		t.Fatalf("%s: Restart=%q; the failure cases expect on-failure", u.Name, u.Value("Restart"))
	}
	restartSec, err := parseTimespan(u.Value("RestartSec"))
	if err != nil {
		t.Fatal(err)
	}
	interval, burst := u.StartLimit()
	n := startsBeforeGivingUp(interval, burst, restartSec, took, 1000)
	if n < 0 {
		t.Fatalf("%s: systemd would restart it forever: starts failing after %s, RestartSec=%s, StartLimitBurst=%d in StartLimitIntervalSec=%s", u.Name, took, restartSec, burst, interval)
	}
	// A start that uses the whole start timeout must be limited too.
	timeout, err := parseTimespan(u.Value("TimeoutStartSec"))
	if err != nil {
		t.Fatal(err)
	}
	if startsBeforeGivingUp(interval, burst, restartSec, timeout, 1000) < 0 {
		t.Fatalf("%s: systemd would restart it forever when every start times out (TimeoutStartSec=%s): RestartSec=%s, StartLimitBurst=%d in StartLimitIntervalSec=%s", u.Name, timeout, restartSec, burst, interval)
	}
}

// startsBeforeGivingUp is how many times systemd starts a unit whose every
// start fails after attempt, restarting after restartSec, before its start
// rate limit (burst starts within interval) stops it; -1 when it still
// restarts after max starts. systemd's limit counts starts in a window
// that opens at the first start and resets when interval has passed.
func startsBeforeGivingUp(interval time.Duration, burst int, restartSec, attempt time.Duration, max int) int {
	var now, windowStart time.Duration
	count := 0
	for starts := 0; starts < max; starts++ {
		if count == 0 || now-windowStart >= interval {
			windowStart, count = now, 0
		}
		count++
		if count > burst {
			return starts
		}
		now += attempt + restartSec
	}
	return -1
}

func TestStartsBeforeGivingUp(t *testing.T) {
	// systemd's defaults (5 starts in 10 s) never stop a unit restarted
	// every 5 s: two starts per window at most.
	if n := startsBeforeGivingUp(10*time.Second, 5, 5*time.Second, time.Second, 1000); n != -1 {
		t.Errorf("default limits with RestartSec=5s: gives up after %d starts; want never", n)
	}
	// The module's window for the default start timeout (90 s probe + 30 s).
	if n := startsBeforeGivingUp(685*time.Second, 5, 5*time.Second, time.Second, 1000); n != 5 {
		t.Errorf("5 starts in 685 s, failing after 1 s: gives up after %d starts; want 5", n)
	}
	if n := startsBeforeGivingUp(685*time.Second, 5, 5*time.Second, 120*time.Second, 1000); n != 5 {
		t.Errorf("5 starts in 685 s, failing after 120 s (the start timeout): gives up after %d starts; want 5", n)
	}
	// Exactly at the window's end it reopens: 5 x 125 s in 625 s never stops.
	if n := startsBeforeGivingUp(625*time.Second, 5, 5*time.Second, 120*time.Second, 1000); n != -1 {
		t.Errorf("5 starts in 625 s, failing after 120 s: gives up after %d starts; want never", n)
	}
}
