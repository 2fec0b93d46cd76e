package live

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// liveRunners names, for each service the live tests run for real, the
// tests that run it. Every other module must have a reason it cannot run
// here (see notRunReason), so a module added later is either run or named.
var liveRunners = map[string]string{
	"relay":          "TestGoServices, TestNetwork, TestPostgresServices, TestFailedStart, TestSettingChange*, TestRelayUpgrade*",
	"rainbow":        "TestGoServices, TestFailedStart",
	"tap":            "TestGoServices, TestNetwork, TestPostgresServices, TestFailedStart, TestSettingChangeConsumersResume",
	"hepa":           "TestGoServices, TestFailedStart",
	"jetstream":      "TestGoServices, TestNetwork, TestNetworkMicrocosm, TestFailedStart, TestSettingChangeConsumersResume",
	"cocoon":         "TestGoServices, TestPostgresServices, TestFailedStart",
	"feed-generator": "TestFeedGenerator, TestFailedStart",
	"pds":            "TestNodeServices, TestNetwork, TestPDSBackupRestore, TestPDSKillMidWrite, TestFailedStart, TestPDSUpgradeRollback, TestSettingChangePDSSessions",
	"plc":            "TestNodeServices, TestNetwork, TestPLCBackupRestore, TestFailedStart, TestPLCUpgradeRestore",
	"knot":           "TestTangledServices, TestNetwork",
	"spindle":        "TestTangledServices, TestNetwork",
	"ozone":          "TestOzone",
	"allegedly":      "TestRustServices, TestNetworkPLCMirror",
	"constellation":  "TestRustServices, TestNetworkMicrocosm",
	"slingshot":      "TestRustServices, TestNetworkMicrocosm",
	"spacedust":      "TestRustServices, TestNetworkMicrocosm",
	"ufos":           "TestRustServices, TestNetworkMicrocosm",
	"rsky-pds":       "TestRustServices, TestNetworkRsky",
	"rsky-relay":     "TestRustServices, TestNetworkRskyRelay",
	"rsky-feedgen":   "TestRustServices, TestNetworkRskyRelay",
	"hydrant":        "TestRustServices, TestNetworkHydrant",
}

// TestEveryServiceRunsOrSaysWhy prints, for every module in nix/modules, the
// tests that run its program here or the reason they cannot, one line each.
// It fails when a Go or Node program whose pinned source is in
// ../shared/upstream is run by no test, and when a module is neither run nor
// explained.
func TestEveryServiceRunsOrSaysWhy(t *testing.T) {
	RequireNix(t)
	entries, err := os.ReadDir(filepath.Join(RepoRoot(t), "nix", "modules"))
	if err != nil {
		t.Fatal(err)
	}
	var modules []string
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".nix")
		if ok && name != "default" {
			modules = append(modules, name)
		}
	}
	for name := range liveRunners {
		if !slices.Contains(modules, name) {
			t.Errorf("liveRunners names %s, which has no module in nix/modules", name)
		}
	}

	var unpackaged map[string]string
	nixEvalJSON(t, "../../pkgs/_unpackaged.nix", &unpackaged)
	var tarballs []Tarball
	if shared := SharedDir(t); shared != "" {
		if tarballs, err = upstreamTarballs(filepath.Join(shared, "upstream")); err != nil {
			t.Fatal(err)
		}
	}

	for _, name := range modules {
		if tests, ok := liveRunners[name]; ok {
			// A Rust workspace left out of this run by ATPROTO_NUR_LIVE_RUST
			// is run elsewhere, not here: say so instead of RUN.
			if ws, out := rustWorkspaceLeftOut(name); out {
				t.Logf("RUN ELSEWHERE %s: %s, skipped in this run (the %s workspace is not in ATPROTO_NUR_LIVE_RUST=%s, which limits the Rust builds of this run; CI builds them all)", name, tests, ws, os.Getenv("ATPROTO_NUR_LIVE_RUST"))
				continue
			}
			t.Logf("RUN %s: %s", name, tests)
			continue
		}
		if why, ok := unpackaged[name]; ok {
			t.Logf("NOT RUN %s: not packaged: %s", name, why)
			continue
		}
		spec := Package(t, name)
		why := notRunReason(RepoRoot(t), name, spec, tarballs)
		if why == "" {
			t.Errorf("%s: a %s program whose source is in ../shared/upstream, but no live test runs it; run it (and add it to liveRunners) or say why not", name, spec.Builder)
			continue
		}
		t.Logf("NOT RUN %s: %s", name, why)
	}
}

// notRunReason says why a packaged program cannot be built and run on this
// machine, or "" when nothing stops it.
func notRunReason(root, name string, spec *PackageSpec, tarballs []Tarball) string {
	switch spec.Builder {
	case "buildRustApplication":
		return rustNotRunReason(name)
	case "buildGoApplication", "buildNodeApplication":
		repo := spec.Src.Owner + "/" + spec.Src.Repo
		for _, tb := range tarballs {
			if strings.EqualFold(tb.Repo, repo) {
				return ""
			}
		}
		return "no pinned source of " + repo + " in ../shared/upstream (tests build from those tarballs and must not copy upstream sources into the project)"
	}
	return "built by " + spec.Builder + ", which the live harness does not build"
}

// rustWorkspaceLeftOut reports the Rust workspace of a program and whether
// $ATPROTO_NUR_LIVE_RUST leaves it out of this run (BuildRust skips it).
func rustWorkspaceLeftOut(name string) (string, bool) {
	only := os.Getenv("ATPROTO_NUR_LIVE_RUST")
	for ws, pkgs := range rustWorkspaces {
		if slices.Contains(pkgs, name) {
			return ws, only != "" && !slices.Contains(strings.Split(only, ","), ws)
		}
	}
	return "", false
}
