package live

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options adjust how Start runs a unit.
type Options struct {
	// Root is the temporary root the unit's absolute paths are mapped
	// under; "" means t.TempDir(). A restart with the same Root keeps data.
	Root string
	// Paths are more absolute-prefix rewrites, e.g. "/run/postgresql" to a
	// test cluster's socket folder.
	Paths map[string]string
	// Credentials are the contents of the unit's LoadCredential entries, by
	// credential name; every entry the unit loads must be given.
	Credentials map[string][]byte
	// Env is added to the environment last (it overrides the unit).
	Env map[string]string
}

// Process is a unit run as a process tree of its own (a process group).
type Process struct {
	Unit *Unit
	Opts Options
	// The unit's folders, mapped under Root.
	Root, StateDir, RuntimeDir, WorkDir, CredentialsDir string
	// StartToHealthy is how long the last WaitHealthy took from the start.
	StartToHealthy time.Duration

	t       testing.TB
	rewrite *strings.Replacer
	env     []string
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
	started time.Time
	logs    *logBuffer // the program's output
	steps   *logBuffer // the output of the commands run before it
	peakKB  int64      // peak resident set size over every run, KiB
	peakMu  sync.Mutex
}

// Start runs the unit the way systemd would, as far as a test can without
// systemd: the state, runtime, cache and log directories and the working
// directory are created under Root and every mention of their absolute
// paths (in the environment, the script and its arguments, command lines)
// is rewritten to match; LoadCredential files are written to
// $CREDENTIALS_DIRECTORY; EnvironmentFile entries are read; the module's
// own units that this one Requires (such as the upgrade backup) and
// ExecStartPre/preStart run first; then the script runs with bash in its
// own process group, its output captured. The sandboxing directives
// (ProtectSystem, DynamicUser, SystemCallFilter, ...) are not applied.
// The process is killed when the test ends.
func Start(t testing.TB, u *Unit, o Options) *Process {
	t.Helper()
	p := Prepare(t, u, o)
	if err := p.start(); err != nil {
		t.Fatalf("%s: %v\n%s", u.Name, err, tail(p.Logs(), 60))
	}
	return p
}

// Prepare does what Start does up to running anything: the folders, the
// credentials and the environment. A test that breaks something before the
// start (a folder made read-only) calls it, then Begin.
func Prepare(t testing.TB, u *Unit, o Options) *Process {
	t.Helper()
	p := &Process{Unit: u, Opts: o, t: t, logs: &logBuffer{}, steps: &logBuffer{}}
	lockMachine(t)
	if missing := missingPrograms(u); len(missing) > 0 {
		t.Skipf("skipped: %s runs %s, not found on PATH", u.Name, strings.Join(missing, ", "))
	}
	p.Root = o.Root
	if p.Root == "" {
		p.Root = t.TempDir()
	}
	if err := p.prepare(); err != nil {
		t.Fatalf("%s: %v", u.Name, err)
	}
	t.Cleanup(func() {
		if p.running() {
			p.signal(syscall.SIGKILL)
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s: output of the steps before the program:\n%s", u.Name, tail(p.steps.Bytes(), 30))
			t.Logf("%s: last log lines:\n%s", u.Name, tail(p.Logs(), 60))
		}
	})
	return p
}

// Begin starts a prepared unit (see Start); the error is a failed step
// before the program (its output is in StepOutput).
func (p *Process) Begin() error { return p.start() }

// StepOutput is what the commands run before the program wrote (the
// required units, ExecStartPre, preStart), over all starts.
func (p *Process) StepOutput() []byte { return p.steps.Bytes() }

// dirs maps a systemd directory setting's entries to folders under root.
func (p *Process) dirs(key, base string, rewrites map[string]string) (first string, err error) {
	for _, d := range p.Unit.Strings(key) {
		d = strings.SplitN(d, ":", 2)[0] // "dir:mode" is not used by systemd here, but be safe
		abs := filepath.Join(base, d)
		local := filepath.Join(p.Root, abs)
		if err := os.MkdirAll(local, 0o700); err != nil {
			return "", fmt.Errorf("creating %s for %s=%s: %w", local, key, d, err)
		}
		rewrites[abs] = local
		if first == "" {
			first = local
		}
	}
	return first, nil
}

// prepare creates the folders, writes the credentials and computes the
// environment; it is done once, so a restart sees the same paths.
func (p *Process) prepare() error {
	u := p.Unit
	rewrites := map[string]string{}
	var err error
	if p.StateDir, err = p.dirs("StateDirectory", "/var/lib", rewrites); err != nil {
		return err
	}
	if p.RuntimeDir, err = p.dirs("RuntimeDirectory", "/run", rewrites); err != nil {
		return err
	}
	cacheDir, err := p.dirs("CacheDirectory", "/var/cache", rewrites)
	if err != nil {
		return err
	}
	logsDir, err := p.dirs("LogsDirectory", "/var/log", rewrites)
	if err != nil {
		return err
	}
	for k, v := range p.Opts.Paths {
		rewrites[k] = v
	}
	p.rewrite = newRewriter(rewrites)

	if wd := strings.TrimPrefix(u.Value("WorkingDirectory"), "-"); wd != "" {
		p.WorkDir = p.rewrite.Replace(wd)
		if p.WorkDir == wd && !strings.HasPrefix(wd, p.Root) {
			return fmt.Errorf("WorkingDirectory=%s is outside the unit's state, runtime, cache and log directories, so the test cannot map it; add it to Options.Paths", wd)
		}
		if err := os.MkdirAll(p.WorkDir, 0o700); err != nil {
			return fmt.Errorf("creating the working directory: %w", err)
		}
	}

	p.CredentialsDir = filepath.Join(p.Root, "credentials", u.Name)
	if err := os.MkdirAll(p.CredentialsDir, 0o700); err != nil {
		return fmt.Errorf("creating $CREDENTIALS_DIRECTORY: %w", err)
	}
	for _, entry := range u.Strings("LoadCredential") {
		name, from, _ := strings.Cut(entry, ":")
		content, ok := p.Opts.Credentials[name]
		if !ok {
			return fmt.Errorf("LoadCredential=%s: the test gives no content for credential %q (set Options.Credentials[%q])", entry, name, name)
		}
		if err := os.WriteFile(filepath.Join(p.CredentialsDir, name), content, 0o400); err != nil {
			return fmt.Errorf("writing credential %s (from %s): %w", name, from, err)
		}
	}

	env := map[string]string{
		"PATH": "/usr/local/bin:/usr/bin:/bin",
		// systemd sets HOME for User=; a dynamic user's is "/", which a
		// test must not write to.
		"HOME":                  filepath.Join(p.Root, "home"),
		"CREDENTIALS_DIRECTORY": p.CredentialsDir,
	}
	if err := os.MkdirAll(env["HOME"], 0o700); err != nil {
		return err
	}
	for k, v := range map[string]string{"STATE_DIRECTORY": p.StateDir, "RUNTIME_DIRECTORY": p.RuntimeDir, "CACHE_DIRECTORY": cacheDir, "LOGS_DIRECTORY": logsDir} {
		if v != "" {
			env[k] = v
		}
	}
	for k, v := range u.Environment {
		env[k] = p.rewrite.Replace(v)
	}
	for _, f := range u.Strings("EnvironmentFile") {
		optional := strings.HasPrefix(f, "-")
		path := p.rewrite.Replace(strings.TrimPrefix(f, "-"))
		vars, err := readEnvironmentFile(path)
		if err != nil {
			if optional && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("EnvironmentFile=%s: %w", f, err)
		}
		for k, v := range vars {
			env[k] = v
		}
	}
	for k, v := range p.Opts.Env {
		env[k] = v
	}
	p.env = nil
	for k, v := range env {
		p.env = append(p.env, k+"="+v)
	}
	sort.Strings(p.env)
	return nil
}

// fakeStorePath matches the stand-in packages' store paths (eval.nix); a
// program under one is the host's program of that name.
var fakeStorePath = regexp.MustCompile(`/nix/store/0{32}-[A-Za-z0-9._+-]+/bin/([A-Za-z0-9._+-]+)`)

// hostPrograms replaces stand-in store paths of programs with the host's.
func hostPrograms(s string) (string, error) {
	var missing []string
	out := fakeStorePath.ReplaceAllStringFunc(s, func(m string) string {
		name := fakeStorePath.FindStringSubmatch(m)[1]
		path, err := exec.LookPath(name)
		if err != nil {
			missing = append(missing, name)
			return m
		}
		return path
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("the unit runs %s, not found on this machine", strings.Join(missing, ", "))
	}
	return out, nil
}

var (
	machineOnce sync.Once
	machineFile *os.File // held open, and locked, until the process exits
)

// lockMachine makes this test process the only one on the machine running
// services: they listen on the modules' default ports, so two live test
// processes (two engineers' test runs on one machine) would take each
// other's ports. The lock is taken at the first Start and released when
// the process exits.
func lockMachine(t testing.TB) {
	machineOnce.Do(func() {
		path := filepath.Join(os.TempDir(), "atproto-nur-live.lock")
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
		if err != nil {
			t.Logf("not locking %s (%v): a concurrent live test process may take the same ports", path, err)
			return
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			t.Logf("waiting for another live test process on this machine to finish (lock %s)", path)
			if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
				t.Logf("locking %s: %v", path, err)
			}
		}
		machineFile = f
	})
}

// missingPrograms lists the stand-in packages' programs the unit (and the
// units it requires) would run that this machine lacks.
func missingPrograms(u *Unit) []string {
	texts := []string{u.Script, u.PreStart, strings.Join(u.HealthCmd, " ")}
	texts = append(texts, u.Commands("ExecStartPre")...)
	texts = append(texts, u.Commands("ExecStartPost")...)
	for _, req := range u.Requires {
		if o, ok := u.Others[strings.TrimSuffix(req, ".service")]; ok {
			texts = append(texts, o.Script)
			texts = append(texts, o.Commands("ExecStart")...)
		}
	}
	seen := map[string]bool{}
	var missing []string
	for _, text := range texts {
		for _, m := range fakeStorePath.FindAllStringSubmatch(text, -1) {
			if _, err := exec.LookPath(m[1]); err != nil && !seen[m[1]] {
				seen[m[1]] = true
				missing = append(missing, m[1])
			}
		}
	}
	return missing
}

// newRewriter replaces absolute prefixes, longest first, so /var/lib/x-y is
// not caught by /var/lib/x.
func newRewriter(m map[string]string) *strings.Replacer {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, k, m[k])
	}
	return strings.NewReplacer(pairs...)
}

func readEnvironmentFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: not KEY=value", path, n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		vars[strings.TrimSpace(k)] = v
	}
	return vars, sc.Err()
}

// command turns one of the unit's commands (a command line or a
// "script:" entry) into a runnable command with the unit's environment.
func (p *Process) command(ctx context.Context, line string) (*exec.Cmd, error) {
	var cmd *exec.Cmd
	if text, ok := strings.CutPrefix(line, "script:"); ok {
		text, err := hostPrograms(p.rewrite.Replace(text))
		if err != nil {
			return nil, err
		}
		cmd = exec.CommandContext(ctx, "bash", "-c", text)
	} else {
		// systemd's prefixes: "-" ignores failure (handled by the
		// caller), "@", ":", "+", "!" change how it runs; drop them.
		line = strings.TrimLeft(line, "-@:+!")
		line, err := hostPrograms(p.rewrite.Replace(line))
		if err != nil {
			return nil, err
		}
		words := shellWords(line)
		if len(words) == 0 {
			return nil, fmt.Errorf("empty command")
		}
		cmd = exec.CommandContext(ctx, words[0], words[1:]...)
	}
	cmd.Env = p.env
	cmd.Dir = p.WorkDir
	return cmd, nil
}

// runSteps runs commands to completion, logging their output with the
// unit's; a failing step fails the start unless its line starts with "-".
func (p *Process) runSteps(what string, lines []string) error {
	for _, line := range lines {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd, err := p.command(ctx, line)
		if err != nil {
			cancel()
			return fmt.Errorf("%s: %w", what, err)
		}
		cmd.Stdout, cmd.Stderr = p.steps, p.steps
		err = cmd.Run()
		cancel()
		if err != nil && !strings.HasPrefix(line, "-") {
			return fmt.Errorf("%s %s: %w\n%s", what, firstLine(line), err, tail(p.steps.Bytes(), 30))
		}
	}
	return nil
}

// start runs the required units, ExecStartPre and preStart, then the
// script (or ExecStart).
func (p *Process) start() error {
	u := p.Unit
	for _, req := range append(append([]string{}, u.Requires...), u.After...) {
		o, ok := u.Others[strings.TrimSuffix(req, ".service")]
		if !ok || o.Value("Type") != "oneshot" || !contains(u.Requires, req) {
			continue
		}
		// The required unit shares this unit's directories (same
		// StateDirectory); run it with the same mapping.
		steps := o.Commands("ExecStartPre")
		if o.Script != "" {
			steps = append(steps, "script:"+o.Script)
		}
		steps = append(steps, o.Commands("ExecStart")...)
		if err := p.runSteps(o.Name, steps); err != nil {
			return err
		}
	}
	pre := u.Commands("ExecStartPre")
	if u.PreStart != "" {
		pre = append(pre, "script:"+u.PreStart)
	}
	if err := p.runSteps("ExecStartPre", pre); err != nil {
		return err
	}
	main := ""
	if u.Script != "" {
		// NixOS runs `script` as a file starting with `#!bash -e`.
		main = "script:set -e\n" + u.Script
	} else if c := u.Commands("ExecStart"); len(c) > 0 {
		main = c[0]
	} else {
		return fmt.Errorf("the unit has neither script nor ExecStart")
	}
	cmd, err := p.command(context.Background(), main)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Output pipes may be held by a child after the main process exits.
	cmd.WaitDelay = 2 * time.Second
	p.cmd = cmd
	p.done = make(chan struct{})
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", firstLine(main), err)
	}
	go p.sampleMemory(cmd.Process.Pid, p.done)
	go func() {
		p.waitErr = cmd.Wait()
		if cmd.ProcessState != nil {
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				p.notePeak(ru.Maxrss)
			}
		}
		close(p.done)
	}()
	return nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimPrefix(s, "script:"), "\n")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

func (p *Process) running() bool {
	if p.done == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Pid is the main process's id (bash exec's into the program).
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has exited, with its wait error.
func (p *Process) Exited() (bool, error) {
	if p.running() {
		return false, nil
	}
	return true, p.waitErr
}

// WaitHealthy runs the unit's own health probe (the curl command the unit
// runs after start, or its -health unit's) until it succeeds or timeout
// passes, and records the time from start to healthy.
func (p *Process) WaitHealthy(timeout time.Duration) error {
	u := p.Unit
	if len(u.HealthCmd) == 0 {
		return fmt.Errorf("%s has no health probe (no curl in ExecStartPost and no %s-health unit)", u.Name, u.Name)
	}
	deadline := time.Now().Add(timeout)
	var last []byte
	for {
		if !p.running() {
			return fmt.Errorf("%s exited before it was healthy (%v)", u.Name, p.waitErr)
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		// One attempt at a time (the unit's curl retries on its own for up
		// to its start timeout; here the loop retries, so that the exit of
		// the program is noticed at once).
		cmd, err := p.command(ctx, strings.Join(quoteAll(withoutRetries(u.HealthCmd)), " "))
		if err != nil {
			cancel()
			return err
		}
		out, err := cmd.CombinedOutput()
		cancel()
		if err == nil {
			healthy := time.Since(p.started)
			// The probe may have reached another process on the same
			// port; the answer counts only while this one runs.
			time.Sleep(100 * time.Millisecond)
			if !p.running() {
				return fmt.Errorf("%s exited (%v) although its health probe passed: something else answers %s", u.Name, p.waitErr, u.HealthURL)
			}
			p.StartToHealthy = healthy
			return nil
		}
		last = out
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not healthy after %s: %s: %v\n%s", u.Name, timeout, strings.Join(u.HealthCmd, " "), err, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// withoutRetries drops curl's --retry* options (and their values).
func withoutRetries(words []string) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch w {
		case "--retry", "--retry-delay", "--retry-max-time":
			i++
			continue
		case "--retry-all-errors", "--retry-connrefused":
			continue
		}
		out = append(out, w)
	}
	return out
}

func quoteAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return out
}

func (p *Process) signal(sig syscall.Signal) {
	if p.cmd != nil && p.cmd.Process != nil {
		// The whole process group, as systemd's KillMode=control-group.
		_ = syscall.Kill(-p.cmd.Process.Pid, sig)
	}
}

// Stop sends SIGTERM and waits for the exit, at most the unit's stop
// timeout (then it kills the process and fails). A clean stop is exit
// status 0 or death by SIGTERM (systemd's clean exits for Type=simple).
func (p *Process) Stop() error {
	if !p.running() {
		return fmt.Errorf("%s is not running (%v)", p.Unit.Name, p.waitErr)
	}
	limit := p.Unit.StopTimeout()
	begin := time.Now()
	p.signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(limit):
		p.signal(syscall.SIGKILL)
		<-p.done
		return fmt.Errorf("%s did not exit within its stop timeout of %s after SIGTERM; killed", p.Unit.Name, limit)
	}
	p.t.Logf("%s: stopped by SIGTERM in %s (stop timeout %s)", p.Unit.Name, time.Since(begin).Round(time.Millisecond), limit)
	return cleanExit(p.waitErr)
}

func cleanExit(err error) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			switch ws.Signal() {
			case syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGPIPE:
				return nil
			}
		}
	}
	return fmt.Errorf("unclean exit after SIGTERM: %w", err)
}

// Kill sends SIGKILL and waits for the exit.
func (p *Process) Kill() {
	if p.running() {
		p.signal(syscall.SIGKILL)
		<-p.done
	}
}

// Restart stops the process (SIGTERM, as Stop) when it runs and starts the
// unit again in the same root, as `systemctl restart` would.
func (p *Process) Restart() error {
	if p.running() {
		if err := p.Stop(); err != nil {
			return err
		}
	}
	if err := p.start(); err != nil {
		return fmt.Errorf("%s: restart: %w", p.Unit.Name, err)
	}
	return nil
}

// Logs returns everything the program wrote so far (stdout and stderr, over
// all its runs); the output of the commands run before it is not included.
func (p *Process) Logs() []byte { return p.logs.Bytes() }

// PeakMemory is the highest resident set size the program reached over
// all its runs, in bytes (VmHWM while running, wait4's rusage at exit).
func (p *Process) PeakMemory() int64 {
	p.peakMu.Lock()
	defer p.peakMu.Unlock()
	return p.peakKB * 1024
}

func (p *Process) notePeak(kb int64) {
	p.peakMu.Lock()
	if kb > p.peakKB {
		p.peakKB = kb
	}
	p.peakMu.Unlock()
}

func (p *Process) sampleMemory(pid int, done <-chan struct{}) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, member := range groupMembers(pid) {
			if kb, ok := vmHWM(member); ok {
				p.notePeak(kb)
			}
		}
		select {
		case <-done:
			return
		case <-tick.C:
		}
	}
}

func vmHWM(pid int) (int64, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// groupMembers lists the processes of process group pgid.
func groupMembers(pgid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces.
		rest := string(data[bytes.LastIndexByte(data, ')')+1:])
		f := strings.Fields(rest)
		if len(f) > 2 && f[2] == strconv.Itoa(pgid) {
			out = append(out, pid)
		}
	}
	return out
}

// Listening returns the TCP addresses the unit's processes listen on, read
// from /proc/net/tcp and /proc/net/tcp6 and matched to their sockets.
func (p *Process) Listening() ([]netip.AddrPort, error) {
	if !p.running() {
		return nil, fmt.Errorf("%s is not running", p.Unit.Name)
	}
	inodes := map[string]bool{}
	for _, pid := range groupMembers(p.cmd.Process.Pid) {
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
			if err == nil && strings.HasPrefix(target, "socket:[") {
				inodes[strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]")] = true
			}
		}
	}
	var out []netip.AddrPort
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		listeners, err := procNetListeners(file)
		if err != nil {
			return nil, err
		}
		for inode, ap := range listeners {
			if inodes[inode] {
				out = append(out, ap)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, nil
}

// procNetListeners parses a /proc/net/tcp* table: LISTEN sockets by inode.
func procNetListeners(file string) (map[string]netip.AddrPort, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil // no IPv6 on this machine
		}
		return nil, fmt.Errorf("reading listening sockets: %w", err)
	}
	out := map[string]netip.AddrPort{}
	lines := strings.Split(string(data), "\n")
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < 10 || f[3] != "0A" { // 0A = TCP_LISTEN
			continue
		}
		ap, err := parseProcAddr(f[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		out[f[9]] = ap
	}
	return out, nil
}

// parseProcAddr reads "0100007F:0050": the address as host-order 32-bit
// words in hex, the port in hex.
func parseProcAddr(s string) (netip.AddrPort, error) {
	host, port, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	pn, err := strconv.ParseUint(port, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad port in %q: %w", s, err)
	}
	var b []byte
	for i := 0; i+8 <= len(host); i += 8 {
		w, err := strconv.ParseUint(host[i:i+8], 16, 32)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("bad address %q: %w", s, err)
		}
		// Each word is in the machine's (little-endian) order.
		b = append(b, byte(w), byte(w>>8), byte(w>>16), byte(w>>24))
	}
	addr, ok := netip.AddrFromSlice(b)
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	return netip.AddrPortFrom(addr.Unmap(), uint16(pn)), nil
}

// logBuffer collects output from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.buf.Bytes()...)
}

// tail is the last n lines of b.
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
