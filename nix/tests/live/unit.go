package live

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Unit is one systemd service of a module, as unit.nix renders it.
type Unit struct {
	Name          string            `json:"-"`
	Description   string            `json:"description"`
	After         []string          `json:"after"`
	Requires      []string          `json:"requires"`
	Environment   map[string]string `json:"environment"`
	Script        string            `json:"script"`
	PreStart      string            `json:"preStart"`
	PostStart     string            `json:"postStart"`
	ServiceConfig map[string]any    `json:"serviceConfig"`
	UnitConfig    map[string]any    `json:"unitConfig"`

	// Filled by RenderUnit for the module's main unit.
	Module     string
	HealthURL  string   // the URL the unit's health probe fetches; "" without one
	HealthCmd  []string // the probe's command line (curl ...), from ExecStartPost or the -health unit
	MetricsURL string   // Prometheus endpoint, when metrics are enabled
	Ports      []int    // every TCP port the module declares (public, local, metrics)
	Listeners  []Listener
	LogFormat  string
	LogLevel   string
	// Warnings are the evaluation's warnings about the module's options.
	Warnings []string
	// The module's other units (upgrade backup, health probe), by name.
	Others map[string]*Unit
	// PostgreSQL the module asks for (database.createLocally).
	Postgres struct {
		Enable    bool     `json:"enable"`
		Databases []string `json:"ensureDatabases"`
		Users     []struct {
			Name string `json:"name"`
		} `json:"ensureUsers"`
	}
}

// Listener is a TCP port the module declares, with the address it binds
// ("" = all addresses) and the option that changes it.
type Listener struct {
	Port   int     `json:"port"`
	Host   *string `json:"host"`
	Option string  `json:"option"`
}

type rendered struct {
	Name      string           `json:"name"`
	Units     map[string]*Unit `json:"units"`
	Listeners []Listener       `json:"listeners"`
	Metrics   *struct {
		Path    string   `json:"path"`
		Targets []string `json:"targets"`
	} `json:"metrics"`
	Warnings    []string        `json:"warnings"`
	LogFormat   string          `json:"logFormat"`
	LogLevel    string          `json:"logLevel"`
	HealthCheck bool            `json:"healthCheck"`
	Postgres    json.RawMessage `json:"postgresql"`
}

// RenderUnit renders services.atproto.<module>'s units with the stand-in
// NixOS (unit.nix): minimal.nix's configuration, then extraNix (a Nix
// attribute set of the module's options, e.g. `{ metrics.enable = true; }`,
// or a list of them, merged), with the package replaced by one whose
// lib.getExe is exe. Evaluation errors (failed assertions) fail the test.
func RenderUnit(t testing.TB, module, exe, extraNix string) *Unit {
	t.Helper()
	return RenderUnitVersion(t, module, exe, "live-test", extraNix)
}

// RenderUnitVersion is RenderUnit with the stand-in package at version:
// what the upgrade backup compares with the version it last recorded.
func RenderUnitVersion(t testing.TB, module, exe, version, extraNix string) *Unit {
	t.Helper()
	if extraNix == "" {
		extraNix = "{ }"
	}
	exe = exeShape(t, exe)
	var r rendered
	nixEvalJSON(t, "unit.nix", &r, "--argstr", "module", module, "--argstr", "exe", exe, "--argstr", "version", version, "--arg", "extra", extraNix)
	return r.unit(t, module)
}

// RenderSystem renders every services.atproto service that the NixOS
// configuration file enables (system.nix), by module name, each package
// named in exes (module -> built program) replaced as in RenderUnit.
// extraNix is one more NixOS module expression, or a list of them ("" for
// none), e.g. the secrets' paths.
func RenderSystem(t testing.TB, file string, exes map[string]string, extraNix string) map[string]*Unit {
	t.Helper()
	var all map[string]rendered
	nixEvalJSON(t, "system.nix", &all, systemArgs(t, file, exes, extraNix)...)
	units := map[string]*Unit{}
	for module, r := range all {
		units[module] = r.unit(t, module)
	}
	return units
}

// systemArgs are system.nix's arguments for RenderSystem's parameters.
func systemArgs(t testing.TB, file string, exes map[string]string, extraNix string) []string {
	t.Helper()
	if extraNix == "" {
		extraNix = "[ ]"
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	shaped := map[string]string{}
	for m, exe := range exes {
		shaped[m] = exeShape(t, exe)
	}
	exesJSON, err := json.Marshal(shaped)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--arg", "file", abs, "--argstr", "exes", string(exesJSON), "--arg", "extra", extraNix}
}

// exeShape gives exe the shape lib.getExe returns, <out>/bin/<name>,
// through a symlink when needed.
func exeShape(t testing.TB, exe string) string {
	t.Helper()
	if filepath.Base(filepath.Dir(exe)) == "bin" {
		return exe
	}
	bin := filepath.Join(t.TempDir(), "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(bin, filepath.Base(exe))
	if err := os.Symlink(exe, link); err != nil {
		t.Fatalf("linking %s for lib.getExe: %v", exe, err)
	}
	return link
}

// unit turns one module's rendering into its main Unit.
func (r *rendered) unit(t testing.TB, module string) *Unit {
	t.Helper()
	main, ok := r.Units[r.Name]
	if !ok {
		t.Fatalf("services.atproto.%s generates no unit %s", module, r.Name)
	}
	main.Name = r.Name
	main.Module = module
	main.Listeners = r.Listeners
	seen := map[int]bool{}
	for _, l := range r.Listeners {
		if !seen[l.Port] {
			main.Ports = append(main.Ports, l.Port)
			seen[l.Port] = true
		}
	}
	main.LogFormat, main.LogLevel = r.LogFormat, r.LogLevel
	main.Warnings = r.Warnings
	if r.Metrics != nil && len(r.Metrics.Targets) > 0 {
		main.MetricsURL = "http://" + r.Metrics.Targets[0] + r.Metrics.Path
	}
	if err := json.Unmarshal(r.Postgres, &main.Postgres); err != nil {
		t.Fatalf("reading the PostgreSQL settings of %s: %v", r.Name, err)
	}
	main.Others = map[string]*Unit{}
	for name, u := range r.Units {
		u.Name = name
		if name != r.Name {
			main.Others[name] = u
		}
	}
	main.HealthCmd = main.healthCommand()
	for _, a := range main.HealthCmd {
		if strings.HasPrefix(a, "http://") || strings.HasPrefix(a, "https://") {
			main.HealthURL = a
		}
	}
	return main
}

// healthCommand is the unit's own probe: the curl of ExecStartPost (the
// start waits for it), else the ExecStart of the -health unit.
func (u *Unit) healthCommand() []string {
	for _, c := range u.Commands("ExecStartPost") {
		if w := shellWords(c); len(w) > 0 && filepath.Base(w[0]) == "curl" {
			return w
		}
	}
	if h, ok := u.Others[u.Name+"-health"]; ok {
		for _, c := range h.Commands("ExecStart") {
			if w := shellWords(c); len(w) > 0 {
				return w
			}
		}
	}
	return nil
}

// Commands returns a serviceConfig command key's entries (ExecStartPre,
// ExecStartPost, ExecStart...) as command lines; script-valued entries
// (pkgs.writeShellScript) come back as "script:<text>".
func (u *Unit) Commands(key string) []string {
	v, ok := u.ServiceConfig[key]
	if !ok || v == nil {
		return nil
	}
	var list []any
	if l, ok := v.([]any); ok {
		list = l
	} else {
		list = []any{v}
	}
	var out []string
	for _, e := range list {
		switch e := e.(type) {
		case string:
			out = append(out, e)
		case map[string]any:
			if s, ok := e["script"].(string); ok {
				out = append(out, "script:"+s)
			}
		}
	}
	return out
}

// Value returns serviceConfig.<key> as text ("" when unset or a list).
func (u *Unit) Value(key string) string {
	switch v := u.ServiceConfig[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// Strings returns serviceConfig.<key> as a list (a single value gives one
// item; systemd's space-separated directory lists are split).
func (u *Unit) Strings(key string) []string {
	switch v := u.ServiceConfig[key].(type) {
	case string:
		return strings.Fields(v)
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// StopTimeout is how long systemd waits after SIGTERM before SIGKILL:
// TimeoutStopSec, else TimeoutSec, else systemd's default of 90 s.
func (u *Unit) StopTimeout() time.Duration {
	for _, key := range []string{"TimeoutStopSec", "TimeoutSec"} {
		if s := u.Value(key); s != "" {
			if d, err := parseTimespan(s); err == nil {
				return d
			}
		}
	}
	return 90 * time.Second
}

// StartLimit is the unit's start rate limit: systemd refuses a start when
// burst starts happened within interval (StartLimitIntervalSec and
// StartLimitBurst of [Unit]; systemd's defaults are 10 s and 5).
func (u *Unit) StartLimit() (interval time.Duration, burst int) {
	interval, burst = 10*time.Second, 5
	if v, ok := u.UnitConfig["StartLimitIntervalSec"]; ok {
		if d, err := parseTimespan(fmt.Sprint(v)); err == nil {
			interval = d
		}
	}
	if v, ok := u.UnitConfig["StartLimitBurst"].(float64); ok {
		burst = int(v)
	}
	return interval, burst
}

// parseTimespan reads a systemd time span: a number of seconds or values
// with units ("5min 30s", "1h", "500ms").
func parseTimespan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "infinity" {
		return 24 * time.Hour, nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(n * float64(time.Second)), nil
	}
	units := map[string]time.Duration{
		"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "sec": time.Second,
		"m": time.Minute, "min": time.Minute, "h": time.Hour, "hr": time.Hour, "d": 24 * time.Hour,
	}
	var total time.Duration
	rest := strings.ReplaceAll(s, " ", "")
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		j := i
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') {
			j++
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		unit, ok := units[rest[i:j]]
		if err != nil || !ok {
			return 0, fmt.Errorf("not a systemd time span: %q", s)
		}
		total += time.Duration(n * float64(unit))
		rest = rest[j:]
	}
	return total, nil
}

// shellWords splits a command line the way systemd and the shell do for
// the quoting lib.escapeShellArgs produces: single quotes, double quotes,
// backslash escapes.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			inWord = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				j = len(s) - i - 1
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inWord = true
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				cur.WriteByte(s[i])
			}
		case c == '\\' && i+1 < len(s):
			inWord = true
			i++
			cur.WriteByte(s[i])
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
