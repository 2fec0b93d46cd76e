package examples_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const monitoringGuide = "../content/administration/monitoring.md"

// missingRows returns the expected table rows the guide lacks, and the
// guide's rows for units that no module generates any more.
func missingRows(guide string, want map[string]string) (missing, stale []string) {
	lines := map[string]bool{}
	for _, l := range strings.Split(guide, "\n") {
		l = strings.TrimSpace(l)
		lines[l] = true
		if strings.HasPrefix(l, "| `atproto-") {
			unit := strings.TrimSuffix(strings.TrimPrefix(strings.Fields(l)[1], "`atproto-"), "`")
			if _, ok := want[unit]; !ok {
				stale = append(stale, l)
			}
		}
	}
	for _, row := range want {
		if !lines[row] {
			missing = append(missing, row)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	return missing, stale
}

// The monitoring guide's table of metrics endpoints and health probes is
// what the modules generate: one row per module, as endpoints.nix renders it.
func TestMonitoringTableMatchesModules(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("skipped: nix-instantiate not found (Debian: apt-get install nix-bin)")
	}
	if err := exec.Command("nix-instantiate", "--eval", "-E", "(import <nixpkgs/lib>).version").Run(); err != nil {
		t.Skip("skipped: nixpkgs lib not on NIX_PATH (set NIX_PATH=nixpkgs=/path/to/nixpkgs-or-nixpkgs.lib)")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "../nix/tests/examples/endpoints.nix")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("evaluating nix/tests/examples/endpoints.nix: %v\n%s", err, stderr.String())
	}
	want := map[string]string{}
	if err := json.Unmarshal(stdout.Bytes(), &want); err != nil {
		t.Fatalf("reading the output of endpoints.nix: %v", err)
	}
	if len(want) == 0 {
		t.Fatal("endpoints.nix listed no modules")
	}
	guide, err := os.ReadFile(monitoringGuide)
	if err != nil {
		t.Fatalf("reading the monitoring guide: %v", err)
	}
	missing, stale := missingRows(string(guide), want)
	for _, row := range missing {
		t.Errorf("%s: the endpoint table lacks this row (or has it with other values):\n%s", monitoringGuide, row)
	}
	for _, row := range stale {
		t.Errorf("%s: no module generates this unit any more:\n%s", monitoringGuide, row)
	}
}

func TestEndpointRowCheckCanFail(t *testing.T) {
	want := map[string]string{
		"relay": "| `atproto-relay` | `127.0.0.1:2471/metrics` | `http://127.0.0.1:2470/xrpc/_health` |",
		"pds":   "| `atproto-pds` | none | `http://127.0.0.1:3000/xrpc/_health` |",
	}
	guide := "| unit | metrics | health |\n| --- | --- | --- |\n" +
		"| `atproto-relay` | `127.0.0.1:2472/metrics` | `http://127.0.0.1:2470/xrpc/_health` |\n" +
		"| `atproto-pds` | none | `http://127.0.0.1:3000/xrpc/_health` |\n" +
		"| `atproto-gone` | none | none |\n"
	missing, stale := missingRows(guide, want)
	if len(missing) != 1 || !strings.Contains(missing[0], "2471") {
		t.Errorf("missing = %q, want the relay row with port 2471", missing)
	}
	if len(stale) != 1 || !strings.Contains(stale[0], "atproto-gone") {
		t.Errorf("stale = %q, want the atproto-gone row", stale)
	}
}
