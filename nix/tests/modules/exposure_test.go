// Package modules_test scores the systemd units that this repository's NixOS
// modules generate with `systemd-analyze security --offline=true`, and fails
// when any unit's exposure is above the target of issue 7 (2.0).
//
// It needs nix-instantiate with nixpkgs' lib on NIX_PATH and systemd-analyze
// (systemd 250 or newer, for --offline); without them it skips with one line
// saying what is missing.
package modules_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"testing"
)

// maxExposure is the highest overall exposure a generated unit may have.
const maxExposure = 2.0

var overallRE = regexp.MustCompile(`Overall exposure level for \S+: ([0-9]+\.[0-9]+)`)

// renderUnits evaluates units.nix: every generated unit's file text, by name.
func renderUnits(t *testing.T) map[string]string {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("skipped: nix-instantiate not found (Debian: apt-get install nix-bin)")
	}
	probe := exec.Command("nix-instantiate", "--eval", "-E", "(import <nixpkgs/lib>).version")
	if err := probe.Run(); err != nil {
		t.Skip("skipped: nixpkgs lib not on NIX_PATH (set NIX_PATH=nixpkgs=/path/to/nixpkgs-or-nixpkgs.lib)")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "units.nix")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("evaluating nix/tests/modules/units.nix: %v\n%s", err, stderr.String())
	}
	units := map[string]string{}
	if err := json.Unmarshal(stdout.Bytes(), &units); err != nil {
		t.Fatalf("reading the units evaluated from units.nix: %v", err)
	}
	if len(units) == 0 {
		t.Fatal("units.nix produced no units")
	}
	return units
}

// exposure scores one unit file and returns its overall exposure.
func exposure(path string) (float64, error) {
	out, err := exec.Command("systemd-analyze", "security", "--offline=true", path).CombinedOutput()
	// systemd-analyze exits non-zero only above --threshold; an error here
	// means it could not analyse the file at all.
	if err != nil {
		return 0, fmt.Errorf("systemd-analyze security %s: %v\n%s", path, err, out)
	}
	m := overallRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("systemd-analyze security %s: no overall exposure in its output:\n%s", path, out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

func TestUnitExposure(t *testing.T) {
	if out, err := exec.Command("systemd-analyze", "security", "--help").CombinedOutput(); err != nil ||
		!bytes.Contains(out, []byte("--offline")) {
		t.Skip("skipped: systemd-analyze with `security --offline` not found (Debian: apt-get install systemd)")
	}
	units := renderUnits(t)
	dir := t.TempDir()
	names := make([]string, 0, len(units))
	for name := range units {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(units[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		score, err := exposure(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		t.Logf("%-40s exposure %.1f", name, score)
		if score > maxExposure {
			t.Errorf("%s: exposure %.1f is above %.1f; run `systemd-analyze security --offline=true` on the unit rendered by nix/tests/modules/units.nix to see which settings cost most", name, score, maxExposure)
		}
	}
}

// TestExposureCheckCanFail makes sure the scoring above really distinguishes
// units: an unhardened unit must score above the target.
func TestExposureCheckCanFail(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("skipped: systemd-analyze not found (Debian: apt-get install systemd)")
	}
	path := filepath.Join(t.TempDir(), "bare.service")
	if err := os.WriteFile(path, []byte("[Service]\nExecStart=/bin/true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	score, err := exposure(path)
	if err != nil {
		t.Skipf("skipped: systemd-analyze cannot score offline here: %v", err)
	}
	if score <= maxExposure {
		t.Fatalf("an unhardened unit scored %.1f, not above %.1f: the exposure check cannot fail", score, maxExposure)
	}
}
