package live

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every package with a tarball in ../shared/upstream unpacks to exactly its
// pinned source.
func TestSourcesMatchPins(t *testing.T) {
	for _, pkg := range []string{"relay", "jetstream", "cocoon", "pds", "plc", "feed-generator"} {
		t.Run(pkg, func(t *testing.T) {
			dir := Source(t, pkg)
			t.Logf("%s: %s matches nix/pkgs/%s's src hash %s", pkg, dir, pkg, Package(t, pkg).Src.Hash)
		})
	}
}

func TestRenderUnit(t *testing.T) {
	u := RenderUnit(t, "relay", "/opt/relay/bin/relay", `{ metrics.enable = true; }`)
	if u.Name != "atproto-relay" {
		t.Errorf("name %q", u.Name)
	}
	if u.HealthURL != "http://127.0.0.1:2470/xrpc/_health" {
		t.Errorf("health URL %q, want the relay module's probe", u.HealthURL)
	}
	if u.MetricsURL != "http://127.0.0.1:2471/metrics" {
		t.Errorf("metrics URL %q", u.MetricsURL)
	}
	if u.StopTimeout() != 90*time.Second {
		t.Errorf("stop timeout %s, want systemd's default 90s", u.StopTimeout())
	}
	if _, ok := u.Others["atproto-relay-upgrade-backup"]; !ok {
		t.Errorf("the upgrade backup unit is missing: %v", u.Others)
	}
}

func TestShellWords(t *testing.T) {
	got := shellWords(`/x/curl --silent 'http://a/b?c=d' "q \"r\"" e\ f`)
	want := []string{"/x/curl", "--silent", "http://a/b?c=d", `q "r"`, "e f"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseTimespan(t *testing.T) {
	for in, want := range map[string]time.Duration{"90": 90 * time.Second, "5min 30s": 330 * time.Second, "500ms": 500 * time.Millisecond, "1h": time.Hour} {
		if got, err := parseTimespan(in); err != nil || got != want {
			t.Errorf("parseTimespan(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := parseTimespan("5 fortnights"); err == nil {
		t.Error("parseTimespan accepted an unknown unit")
	}
}

func TestParseProcAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0100007F:0050":                         "127.0.0.1:80",
		"00000000:09AE":                         "0.0.0.0:2478",
		"00000000000000000000000000000000:1F90": "[::]:8080",
		"00000000000000000000000001000000:1F90": "[::1]:8080",
		"0000000000000000FFFF00000100007F:0050": "127.0.0.1:80",
	} {
		got, err := parseProcAddr(in)
		if err != nil || got != netip.MustParseAddrPort(want) {
			t.Errorf("parseProcAddr(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
}

// TestBuildKeysIgnoreTheCheckoutsPlace: the build cache keys of the Node
// packages hold the packages' specs, whose patches and yarnDeps Nix
// evaluates to absolute paths; where the checkout is must not change the
// key, or every fresh clone (as CI makes) rebuilds ozone.
func TestBuildKeysIgnoreTheCheckoutsPlace(t *testing.T) {
	for _, pkg := range []string{"ozone", "pds", "plc"} {
		spec := Package(t, pkg)
		data, err := json.Marshal(specInRepo(t, spec))
		if err != nil {
			t.Fatal(err)
		}
		if root := RepoRoot(t); strings.Contains(string(data), root) {
			t.Errorf("nix/pkgs/%s: the key's spec names the checkout %s: %s", pkg, root, data)
		}
		if pkg == "ozone" && (len(spec.Patches) == 0 || spec.YarnDeps == "") {
			t.Errorf("nix/pkgs/ozone: no patches or yarnDeps evaluated (%q, %q): the test checks nothing", spec.Patches, spec.YarnDeps)
		}
	}
}
