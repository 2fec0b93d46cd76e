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
	"strings"
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

// scoreUnits renders and scores every generated unit, by unit name.
func scoreUnits(t *testing.T) map[string]float64 {
	t.Helper()
	if out, err := exec.Command("systemd-analyze", "security", "--help").CombinedOutput(); err != nil ||
		!bytes.Contains(out, []byte("--offline")) {
		t.Skip("skipped: systemd-analyze with `security --offline` not found (Debian: apt-get install systemd)")
	}
	units := renderUnits(t)
	dir := t.TempDir()
	scores := map[string]float64{}
	for name, text := range units {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		score, err := exposure(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		scores[name] = score
	}
	return scores
}

func TestUnitExposure(t *testing.T) {
	scores := scoreUnits(t)
	names := make([]string, 0, len(scores))
	for name := range scores {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		score := scores[name]
		t.Logf("%-40s exposure %.1f", name, score)
		if score > maxExposure {
			t.Errorf("%s: exposure %.1f is above %.1f; run `systemd-analyze security --offline=true` on the unit rendered by nix/tests/modules/units.nix to see which settings cost most", name, score, maxExposure)
		}
	}
}

// securityGuide is the guide whose table of exposure scores must say what
// the units score.
const securityGuide = "../../../content/administration/security.md"

// exposureRow is one row of the guide's table: a unit name, where <app>
// stands for any module's name, and the score the guide gives it.
type exposureRow struct {
	pattern *regexp.Regexp
	text    string
	exact   bool
	score   string
}

var (
	rowRE      = regexp.MustCompile("^\\| `([^`]+)`[^|]*\\| *([0-9]+\\.[0-9]) *\\|$")
	unitNameRE = regexp.MustCompile(`^atproto-[a-z0-9-]+\.service$`)
)

// readExposureTable reads the rows of the table under "Exposure scores".
func readExposureTable(t *testing.T) []exposureRow {
	t.Helper()
	data, err := os.ReadFile(securityGuide)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := bytes.Cut(data, []byte("## Exposure scores"))
	if !ok {
		t.Fatalf("%s has no \"Exposure scores\" section", securityGuide)
	}
	var rows []exposureRow
	for _, line := range bytes.Split(section, []byte("\n")) {
		m := rowRE.FindSubmatch(bytes.TrimSpace(line))
		if m == nil {
			continue
		}
		name := string(m[1])
		quoted := regexp.QuoteMeta(name)
		pattern := strings.ReplaceAll(quoted, regexp.QuoteMeta("<app>"), "[a-z0-9-]+")
		rows = append(rows, exposureRow{pattern: regexp.MustCompile("^" + pattern + "$"), text: name,
			exact: pattern == quoted, score: string(m[2])})
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no rows like | `atproto-<app>.service` | 1.1 | in the Exposure scores table", securityGuide)
	}
	return rows
}

// moreSpecific: a row naming a unit exactly wins over a pattern, and a
// longer pattern (atproto-<app>-health.service) over a shorter one
// (atproto-<app>.service).
func moreSpecific(a, b exposureRow) bool {
	if a.exact != b.exact {
		return a.exact
	}
	return len(a.text) > len(b.text)
}

// TestGuideExposureTable checks the security guide's table against the
// scores: every unit is covered by a row (the most specific that matches),
// has the score that row gives, and every row covers a unit.
func TestGuideExposureTable(t *testing.T) {
	rows := readExposureTable(t)
	scores := scoreUnits(t)
	used := make([]bool, len(rows))
	for name, score := range scores {
		if !unitNameRE.MatchString(name) {
			continue
		}
		at := -1
		for i, r := range rows {
			if r.pattern.MatchString(name) && (at < 0 || moreSpecific(r, rows[at])) {
				at = i
			}
		}
		if at < 0 {
			t.Errorf("%s (exposure %.1f) is in no row of the table in %s", name, score, securityGuide)
			continue
		}
		used[at] = true
		if got := fmt.Sprintf("%.1f", score); got != rows[at].score {
			t.Errorf("%s scores %s; %s says %s for `%s`", name, got, securityGuide, rows[at].score, rows[at].text)
		}
	}
	for i, r := range rows {
		if !used[i] {
			t.Errorf("%s: the row for `%s` matches no generated unit", securityGuide, r.text)
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
