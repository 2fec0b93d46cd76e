package live

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// A setting changes through the module: `nixos-rebuild switch` restarts a
// unit whose unit file changed (switch-to-configuration compares the old
// and new files) and leaves an unchanged one running. switchUnit does the
// same for a running test process: it compares what the two renderings
// would write into the unit file and, when they differ, stops the old
// program and starts the new unit on the same state, once.
func switchUnit(t *testing.T, p *Process, next *Unit) (*Process, bool) {
	t.Helper()
	if reflect.DeepEqual(unitFile(p.Unit), unitFile(next)) {
		return p, false
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	o := p.Opts
	o.Root = p.Root
	q := Start(t, next, o)
	if err := q.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	return q, true
}

// unitFile is what a rendered unit puts into its unit file.
func unitFile(u *Unit) any {
	return []any{u.Environment, u.Script, u.PreStart, u.PostStart, u.ServiceConfig, u.UnitConfig, u.After, u.Requires}
}

// environDiff names the environment variables whose values differ.
func environDiff(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// programEnv is the running program's environment (the unit's, as the
// program got it).
func programEnv(t *testing.T, p *Process) []string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", p.Pid()))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(data), "\x00")
}

// TestSettingChangeRelay changes one value of the relay's settings and
// rotates its admin password file, with a domain ban in its database. The
// new value changes the unit, so the switch restarts it once and the
// program runs with the value; the ban survives. The rotated file does not
// change the unit (it is read at start, through LoadCredential): the switch
// leaves the relay running with the old password until it is restarted,
// which the upgrades guide tells the operator to do.
func TestSettingChangeRelay(t *testing.T) {
	c := goCases["relay"]
	b := BuildGo(t, "relay")
	render := func(more string) *Unit {
		return RenderUnit(t, c.module, b.Exe, fmt.Sprintf("[ (%s) { networkIsolation.enable = true; } %s ]", c.extra, more))
	}
	u := render("")
	p := Start(t, u, Options{Credentials: c.makeCredentials(t, b, u)})
	if err := p.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	c.write(t, p)

	// A new value: the unit changes in that variable only.
	next := render(`{ settings.RELAY_DEFAULT_ACCOUNT_LIMIT = 250; }`)
	if d := environDiff(u.Environment, next.Environment); !reflect.DeepEqual(d, []string{"RELAY_DEFAULT_ACCOUNT_LIMIT"}) {
		t.Fatalf("changing RELAY_DEFAULT_ACCOUNT_LIMIT changes the environment in %v", d)
	}
	oldPid := p.Pid()
	p, restarted := switchUnit(t, p, next)
	if !restarted {
		t.Fatal("the changed setting leaves the unit file as it was: a switch would not restart the relay")
	}
	if p.Pid() == oldPid {
		t.Fatal("the relay was not restarted")
	}
	if !slices.Contains(programEnv(t, p), "RELAY_DEFAULT_ACCOUNT_LIMIT=250") {
		t.Errorf("after the switch the relay does not run with RELAY_DEFAULT_ACCOUNT_LIMIT=250")
	}
	c.check(t, p)
	t.Logf("SETTINGCHANGE relay: RELAY_DEFAULT_ACCOUNT_LIMIT 100 -> 250 changed the unit, one restart, the domain ban kept")

	// The same configuration again: nothing to restart.
	if _, again := switchUnit(t, p, render(`{ settings.RELAY_DEFAULT_ACCOUNT_LIMIT = 250; }`)); again {
		t.Fatal("switching to the same configuration would restart the relay")
	}

	// A rotated secret file: the unit is unchanged.
	oldPassword := p.Opts.Credentials["adminPassword"]
	newPassword := randomHex(t)
	if err := os.WriteFile(filepath.Join(p.CredentialsDir, "adminPassword"), newPassword, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, restarted := switchUnit(t, p, render(`{ settings.RELAY_DEFAULT_ACCOUNT_LIMIT = 250; }`)); restarted {
		t.Fatal("unexpected restart")
	}
	bans := "http://" + apiAddr(t, p) + "/admin/subs/listDomainBans"
	if got := adminStatus(t, bans, oldPassword); got != http.StatusOK {
		t.Errorf("before a restart the relay should still take the old password; it answers %d", got)
	}
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	if got := adminStatus(t, bans, newPassword); got != http.StatusOK {
		t.Errorf("after a restart the rotated password is refused: %d", got)
	}
	if got := adminStatus(t, bans, oldPassword); got != http.StatusUnauthorized && got != http.StatusForbidden {
		t.Errorf("after a restart the old password is still accepted: %d", got)
	}
	p.Opts.Credentials["adminPassword"] = newPassword
	c.check(t, p)
	t.Logf("SETTINGCHANGE relay: a rotated adminPasswordFile leaves the unit unchanged (no restart by the switch); after systemctl restart the new password works, the old one is refused, the ban is kept")
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
}

func adminStatus(t *testing.T, url string, password []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", string(password))
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestSettingChangeRenamedOption starts the relay from a configuration
// that uses an old name of a setting (RELAY_API_BIND, the module's alias of
// RELAY_API_LISTEN): the evaluation warns naming the new option, and the
// relay listens where the old name said.
func TestSettingChangeRenamedOption(t *testing.T) {
	c := goCases["relay"]
	b := BuildGo(t, "relay")
	port := FreePort(t)
	u := RenderUnit(t, c.module, b.Exe, fmt.Sprintf(`[ (%s) { settings.RELAY_API_BIND = "127.0.0.1:%d"; } ]`, c.extra, port))
	want := "services.atproto.relay.settings.RELAY_API_BIND is the old name of services.atproto.relay.settings.RELAY_API_LISTEN"
	if !slices.ContainsFunc(u.Warnings, func(w string) bool {
		return strings.HasPrefix(w, want) && strings.HasSuffix(w, "Rename it to services.atproto.relay.settings.RELAY_API_LISTEN.")
	}) {
		t.Errorf("no warning naming the new option; the warnings: %q", u.Warnings)
	}
	if got := u.Environment["RELAY_API_LISTEN"]; got != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Errorf("RELAY_API_LISTEN=%q; want the old name's value", got)
	}
	if _, ok := u.Environment["RELAY_API_BIND"]; ok {
		t.Errorf("the unit still sets RELAY_API_BIND besides RELAY_API_LISTEN")
	}
	p := Start(t, u, Options{Credentials: c.makeCredentials(t, b, u)})
	if err := p.WaitHealthy(healthTimeout); err != nil {
		t.Fatal(err)
	}
	addrs, err := p.Listening()
	if err != nil {
		t.Fatal(err)
	}
	if !uniquePorts(addrs)[port] {
		t.Errorf("the relay listens on %v, not on port %d that RELAY_API_BIND names", addrs, port)
	}
	t.Logf("SETTINGCHANGE relay: RELAY_API_BIND = 127.0.0.1:%d starts the relay on that port; warning: %s", port, u.Warnings[0])
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestSettingChangePDSSessions: a changed setting restarts the PDS, and
// the sessions it issued stay valid (access and refresh tokens); the new
// setting is in effect. A rotated JWT secret file (then a restart) ends
// every session: the old tokens are refused and logging in again works.
func TestSettingChangePDSSessions(t *testing.T) {
	pg := StartPostgres(t)
	plc := StartPLC(t, pg, "")
	pds := StartPDS(t, PDSOptions{PLC: plc.URL})
	handle := "session" + RandomHex(t, 4) + ".pds.example.com"
	password := "live-test-" + RandomHex(t, 8)
	CreateAccount(t, pds.URL, handle, password)
	var session struct {
		AccessJwt  string `json:"accessJwt"`
		RefreshJwt string `json:"refreshJwt"`
	}
	body, err := XRPC(pds.URL, "com.atproto.server.createSession", nil, nil, map[string]string{"identifier": handle, "password": password})
	if err != nil || json.Unmarshal(body, &session) != nil {
		t.Fatalf("createSession: %v %s", err, body)
	}

	next := RenderUnit(t, "pds", pds.Build.Exe, fmt.Sprintf("(%s) ++ [ { settings.PDS_INVITE_REQUIRED = true; } ]", pds.Nix))
	if d := environDiff(pds.Unit.Environment, next.Environment); !reflect.DeepEqual(d, []string{"PDS_INVITE_REQUIRED"}) {
		t.Fatalf("changing PDS_INVITE_REQUIRED changes the environment in %v", d)
	}
	p, restarted := switchUnit(t, pds.Process, next)
	if !restarted {
		t.Fatal("the changed setting leaves the unit file as it was")
	}
	if _, err := XRPC(pds.URL, "com.atproto.server.getSession", &Account{AccessJwt: session.AccessJwt}, nil, nil); err != nil {
		t.Errorf("the access token issued before the restart is refused after it: %v", err)
	}
	// refreshSession is a POST without a body, the refresh token as bearer.
	req, err := http.NewRequest(http.MethodPost, pds.URL+"/xrpc/com.atproto.server.refreshSession", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+session.RefreshJwt)
	if resp, err := xrpcClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("the refresh token issued before the restart is refused after it: HTTP %d", resp.StatusCode)
		}
	}
	if _, err := XRPC(pds.URL, "com.atproto.server.createAccount", nil, nil, map[string]string{
		"handle": "noinvite" + RandomHex(t, 3) + ".pds.example.com", "email": "noinvite@example.com", "password": password,
	}); err == nil || !strings.Contains(strings.ToLower(err.Error()), "invite") {
		t.Errorf("with PDS_INVITE_REQUIRED = true an account without an invite code should be refused; got %v", err)
	}
	t.Logf("SETTINGCHANGE pds: PDS_INVITE_REQUIRED false -> true restarted it once; sessions from before stay valid; the setting is in effect")

	// A rotated JWT secret signs everyone out.
	if err := os.WriteFile(filepath.Join(p.CredentialsDir, "jwtSecret"), []byte(RandomHex(t, 16)), 0o400); err != nil {
		t.Fatal(err)
	}
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitHealthy(NodeHealthTimeout); err != nil {
		t.Fatal(err)
	}
	if _, err := XRPC(pds.URL, "com.atproto.server.getSession", &Account{AccessJwt: session.AccessJwt}, nil, nil); err == nil {
		t.Errorf("after the JWT secret was rotated the old access token is still accepted")
	} else {
		t.Logf("SETTINGCHANGE pds: after rotating jwtSecretFile and a restart the old access token is refused: %v", err)
	}
	if _, err := Login(pds.URL, handle, password); err != nil {
		t.Errorf("logging in after the JWT secret was rotated: %v", err)
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
}
