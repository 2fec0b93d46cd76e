package search

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search/internal/jsrun"
)

func TestNameMatch(t *testing.T) {
	cases := []struct {
		q, w string
		want int
	}{
		{"port", "port", matchExact},
		{"po", "port", matchPrefix},
		{"p", "port", matchNone}, // one letter is too short for a prefix
		{"firwall", "firewall", matchTypo},
		{"firewal", "firewall", matchPrefix},
		{"fierwall", "firewall", matchTypo},    // swapped neighbours
		{"firewalk", "firewall", matchTypo},    // substitution
		{"firewalll", "firewall", matchTypo},   // insertion
		{"ifrewall", "firewall", matchTypo},    // swap of the first two letters
		{"xirewall", "firewall", matchNone},    // a changed first letter is not looked for
		{"fiewal", "firewall", matchNone},      // two edits
		{"tialscale", "tailscale", matchTypo},  // swap of the second and third letters
		{"txailscale", "tailscale", matchTypo}, // an extra second letter
		{"ports", "port", matchTypo},           // one letter extra
		{"automatic", "auto", matchStem},       // the name token starts the query token
		{"vaultwaden", "vaultwarden", matchTypo},
		{"vaultwaden", "vault", matchStem},  // weaker than the typo
		{"printer", "printing", matchStem},  // the same stem
		{"addresses", "address", matchStem}, // (-es after s)
		{"services", "servic", matchStem},   // the name token starts it
		{"pdsadmin", "pds", matchNone},      // … when it has four letters or more
		{"pdz", "pds", matchNone},           // typos need four letters
		{"größe", "größe", matchExact},
		{"grösse", "größe", matchNone},
		{"grüße", "größe", matchTypo},
	}
	for _, c := range cases {
		if got := nameMatch(c.q, c.w, reachWide); got != c.want {
			t.Errorf("nameMatch(%q, %q) = %d, want %d", c.q, c.w, got, c.want)
		}
	}
	// Typos that change the first two letters are looked for only widely.
	for _, c := range [][2]string{{"ifrewall", "firewall"}, {"tialscale", "tailscale"}, {"txailscale", "tailscale"}} {
		if m := nameMatch(c[0], c[1], reachNarrow); m != matchNone {
			t.Errorf("%q matched %q narrowly: %d", c[0], c[1], m)
		}
		if m := nameMatch(c[0], c[1], reachWide); m != matchTypo {
			t.Errorf("%q did not match %q widely: %d", c[0], c[1], m)
		}
	}
	v := vocabulary{"firewall", "open", "tailscale"}
	if v.needsWideTypos("fire") || v.needsWideTypos("tailscale") || !v.needsWideTypos("tialscale") || v.needsWideTypos("ope") {
		t.Error("needsWideTypos: wide only for tokens of 4+ letters that no name term starts with")
	}
	if descMatch("fi", "firewall") != descNone || descMatch("fir", "firewall") != descPrefix || descMatch("firewall", "firewall") != descExact {
		t.Error("descMatch: prefixes need three letters")
	}
	if descMatch("collection", "collect") != descStem || descMatch("printer", "printing") != descStem || descMatch("vaultwarden", "vault") != descNone {
		t.Error("descMatch: stems of at most three letters less, or the same stem")
	}
}

func TestStemOf(t *testing.T) {
	for w, want := range map[string]string{
		"printer": "print", "printers": "print", "printing": "print", "settings": "sett", "users": "user", "user": "user",
		"addresses": "address", "address": "address", "services": "service", "enabled": "enabl", "größen": "größen", "ssh": "ssh",
	} {
		if got := stemOf(w); got != want {
			t.Errorf("stemOf(%q) = %q, want %q", w, got, want)
		}
	}
}

func TestRarity(t *testing.T) {
	// log2(n/(df+1)), whole, plus one; 0 when every document has it.
	for _, c := range [][3]int{{20000, 0, 15}, {20000, 199, 7}, {20000, 1999, 4}, {20000, 19999, 1}, {10, 20, 0}} {
		if got := rarity(c[0], c[1]); got != c[2] {
			t.Errorf("rarity(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
}

func TestModuleSegment(t *testing.T) {
	entries := buildEntries([]indexer.Document{opt("services.home-assistant.enable", ""), opt("fileSystems.<name>.mountPoint", ""),
		opt("services.immich.redis.enable", "")}, nil)
	mod := func(e *entry) (out []string) {
		for pos, tok := range e.Name {
			if e.inModule(pos) {
				out = append(out, tok)
			}
		}
		return out
	}
	byName := map[string]*entry{}
	for _, e := range entries {
		byName[e.doc.Name] = e
	}
	if got := mod(byName["services.home-assistant.enable"]); len(got) != 2 || got[0] != "home" || got[1] != "assistant" {
		t.Errorf("module of services.home-assistant.enable = %q", got)
	}
	if got := mod(byName["fileSystems.<name>.mountPoint"]); len(got) != 2 || got[0] != "file" {
		t.Errorf("module of fileSystems.<name>.mountPoint = %q (the placeholder is not the module)", got)
	}
	// The module is the shortest prefix with an enable option, wherever it
	// names the module.
	nested := buildEntries([]indexer.Document{opt("boot.loader.grub.enable", ""), opt("boot.loader.grub.device", ""),
		opt("services.immich.enable", ""), opt("services.immich.redis.enable", ""), opt("services.immich.redis.host", ""),
		opt("services.atproto.pds.port", ""), opt("services.atproto.pds.enable", "")}, nil)
	for _, e := range nested {
		want := map[string]string{"boot": "grub", "services.immich": "immich", "services.atproto": "pds"}
		for prefix, w := range want {
			if strings.HasPrefix(e.doc.Name, prefix+".") {
				if got := mod(e); len(got) != 1 || got[0] != w {
					t.Errorf("module of %s = %q, want %s", e.doc.Name, got, w)
				}
			}
		}
	}
	// Hyphenated parts are indexed joined too.
	if j := byName["services.home-assistant.enable"].Joined; len(j) != 1 || j[0] != (subTok{2, "homeassistant"}) {
		t.Errorf("joined = %v", j)
	}
	// A query naming the module finds its options before another module's.
	if rs := scan(entries, "redis", Options{}); len(rs) != 1 {
		t.Errorf("redis: %v", rs)
	}
	// services.immich.redis lies within the immich module; the redis
	// module's prefix holds a placeholder, so its second part names it.
	rs := scan(buildEntries([]indexer.Document{opt("services.immich.enable", ""), opt("services.immich.redis.enable", ""),
		opt("services.redis.servers.<name>.enable", "")}, nil), "redis", Options{})
	if len(rs) != 2 || rs[0].Name != "services.redis.servers.<name>.enable" {
		t.Errorf("redis: %v", rs)
	}
}

func opt(name, desc string) indexer.Document {
	return indexer.Document{ID: "opt:" + name, Kind: indexer.KindOption, Name: name, Option: &indexer.Option{Description: desc, Visible: true}}
}

func pkg(attr, desc string) indexer.Document {
	return indexer.Document{ID: "pkg:" + attr, Kind: indexer.KindPackage, Name: attr, Package: &indexer.Package{Attr: attr, Description: desc}}
}

// withDefault gives option d the default expression text ("pkgs.frp").
func withDefault(d indexer.Document, text string) indexer.Document {
	d.Option.Default = &indexer.Value{Kind: indexer.ValueExpression, Text: text}
	return d
}

func TestRankingTiers(t *testing.T) {
	docs := []indexer.Document{
		opt("services.atproto.pds.settings.PDS_PORT", "Port the server listens on."),
		opt("services.atproto.pds.enable", "Whether to enable the Bluesky PDS."),
		opt("services.atproto.pds.port", "Deprecated port."),
		opt("services.atproto.relay.port", "Relay port."),
		opt("services.openssh.enable", "Whether to enable the OpenSSH secure shell daemon."),
		opt("services.openssh.openFirewall", "Whether to open the specified ports in the firewall."),
		opt("programs.ssh.startAgent", "Start the agent."),
		opt("networking.firewall.allowedTCPPorts", "List of TCP ports on which incoming connections are accepted."),
		opt("services.foo.settings", "Mentions pds and port in prose only."),
		pkg("pds", "Bluesky Personal Data Server"),
		pkg("pdsadmin", "Admin tool for a PDS"),
	}
	entries := buildEntries(docs, func(d indexer.Document) string { return d.ID })
	top := func(q string, n int) []Result { return scan(entries, q, Options{Limit: n}) }
	names := func(rs []Result) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	check := func(q string, want ...string) {
		t.Helper()
		got := names(top(q, len(want)))
		for i := range want {
			if i >= len(got) || got[i] != want[i] {
				t.Errorf("%q: top = %q, want %q first", q, got, want)
				return
			}
		}
	}
	check("pds", "pds", "services.atproto.pds.enable", "pdsadmin")  // exact attribute, the module it names, then prefix
	check("services.atproto.pds.port", "services.atproto.pds.port") // exact name
	check("pds.port", "services.atproto.pds.port", "services.atproto.pds.settings.PDS_PORT")
	check("services.openssh", "services.openssh.enable", "services.openssh.openFirewall") // prefix; enable is the entry point
	check("firwall open", "services.openssh.openFirewall")                                // typo, words in any order
	check("ssh", "programs.ssh.startAgent", "services.openssh.enable")                    // compound half: open+ssh
	check("incoming connections", "networking.firewall.allowedTCPPorts")                  // description only

	// Tiers are what the definition says.
	tierOf := func(q, name string) int {
		for _, r := range scan(entries, q, Options{Limit: 100}) {
			if r.Name == name {
				return r.Tier
			}
		}
		return tierNone
	}
	tiers := []struct {
		q, name string
		want    int
	}{
		{"pds", "pds", tierExact},
		{"services.atproto.pds.port", "services.atproto.pds.port", tierExact},
		{"services.atproto", "services.atproto.pds.port", tierPrefix},
		{"pds.port", "services.atproto.pds.settings.PDS_PORT", tierPath},
		{"port.relay", "services.atproto.relay.port", tierWords}, // a path out of order
		{"relay port", "services.atproto.relay.port", tierPath},  // words in the order typed
		{"port relay", "services.atproto.relay.port", tierWords}, // words out of order
		{"openssh enable", "services.openssh.enable", tierPath},
		{"enable.openssh", "services.openssh.enable", tierWords},
		{"enable openssh", "services.openssh.enable", tierPath},
		{"openssh secure", "services.openssh.enable", tierAll},
		{"openssh nonsense", "services.openssh.enable", tierSome},
		{"nonsense", "services.openssh.enable", tierNone},
	}
	for _, c := range tiers {
		if got := tierOf(c.q, c.name); got != c.want {
			t.Errorf("tier of %s for %q = %d, want %d", c.name, c.q, got, c.want)
		}
	}
}

func TestCompoundParts(t *testing.T) {
	docs := []indexer.Document{opt("services.openssh.enable", ""), opt("programs.ssh.a", ""), opt("programs.ssh.b", ""),
		opt("x.open.a", ""), opt("x.open.b", ""), opt("x.opens", "")}
	entries := buildEntries(docs, nil)
	for _, e := range entries {
		if e.doc.Name == "services.openssh.enable" {
			if len(e.Sub) != 2 || e.Sub[0] != (subTok{1, "open"}) || e.Sub[1] != (subTok{1, "ssh"}) {
				t.Errorf("openssh parts = %v", e.Sub)
			}
			return
		}
	}
	t.Fatal("entry missing")
}

// TestPackageEvidence: a module's enable option is found by the words of
// the package its .package option defaults to, or that names the module.
func TestPackageEvidence(t *testing.T) {
	pkgDoc := func(attr, desc, module string) indexer.Document {
		return indexer.Document{ID: "pkg:" + attr, Kind: indexer.KindPackage, Name: attr,
			Package: &indexer.Package{Attr: attr, Description: desc, Module: module}}
	}
	entries := buildEntries([]indexer.Document{
		opt("services.vaultwarden.enable", "Whether to enable vaultwarden."),
		withDefault(opt("services.vaultwarden.package", "The package to use."), "pkgs.vaultwarden"),
		opt("services.other.enable", "Whether to enable other."),
		opt("services.atproto.pds.enable", "Whether to enable it."),
		pkgDoc("vaultwarden", "Unofficial Bitwarden compatible server written in Rust", ""),
		pkgDoc("pds", "Bluesky Personal Data Server", "services.atproto.pds"),
	}, nil)
	for q, want := range map[string]string{
		"bitwarden compatible server": "services.vaultwarden.enable",
		"personal data server":        "services.atproto.pds.enable",
	} {
		found := false
		for _, r := range scan(entries, q, Options{Kind: indexer.KindOption}) {
			if r.Name == want {
				found = true
			}
			if r.Name == "services.other.enable" {
				t.Errorf("%q found services.other.enable", q)
			}
		}
		if !found {
			t.Errorf("%q: %s not found", q, want)
		}
	}
}

// TestModuleEvidence: a module's enable option is found by words that
// several of its own options use, not by a word only one option uses, and
// a nested module's options speak for the nested module only.
func TestModuleEvidence(t *testing.T) {
	entries := buildEntries([]indexer.Document{
		opt("services.grafana.enable", "Whether to enable grafana."),
		opt("services.grafana.provision.dashboards", "Dashboards to provision."),
		opt("services.grafana.settings.dashboards.default_home_dashboard_path", "Path of the home dashboards."),
		opt("services.grafana.settings.server.http_port", "Port the monitoring server listens on."),
		opt("services.grafana.image-renderer.enable", "Whether to enable the image renderer."),
		opt("services.grafana.image-renderer.chromium", "Chromium to render panels with."),
		opt("services.grafana.image-renderer.timeout", "Timeout of one render of panels."),
		opt("services.other.enable", "Whether to enable other."),
	}, nil)
	byName := map[string]*entry{}
	for _, e := range entries {
		byName[e.doc.Name] = e
	}
	has := func(name, w string) bool {
		_, found := slices.BinarySearch(byName[name].Desc, w)
		return found
	}
	for _, c := range []struct {
		name, word string
		want       bool
	}{
		{"services.grafana.enable", "dashboards", true},            // used by two of its options
		{"services.grafana.enable", "monitoring", false},           // used by one
		{"services.grafana.enable", "panels", false},               // the nested module's
		{"services.grafana.image-renderer.enable", "panels", true}, // its own options'
		{"services.other.enable", "dashboards", false},
	} {
		if got := has(c.name, c.word); got != c.want {
			t.Errorf("%s speaks with %q: %v, want %v (words %v)", c.name, c.word, got, c.want, byName[c.name].Desc)
		}
	}
	found := false
	for _, r := range scan(entries, "dashboards", Options{Kind: indexer.KindOption}) {
		found = found || r.Name == "services.grafana.enable"
	}
	if !found {
		t.Error(`"dashboards" does not find services.grafana.enable`)
	}
}

// TestModuleOfThisRepository: this repository's modules sit under
// services.atproto.<app>, where the second part of a path is not the
// module. A query naming the app opens its options with the app's enable
// option, and that ranks before rsky-<app>, another module's package in
// whose name the app's name is only a part.
func TestModuleOfThisRepository(t *testing.T) {
	path := filepath.Join("..", indexer.SnapshotFile)
	ex, err := indexer.LoadExport(path, indexer.PrimaryScope)
	if err != nil {
		t.Fatalf("loading this repository's snapshot: %v", err)
	}
	entries := buildEntries(ex.Docs, nil)
	for _, q := range []string{"pds", "relay"} {
		want := "services.atproto." + q + ".enable"
		rs := scan(entries, q, Options{Kind: indexer.KindOption})
		if len(rs) == 0 || rs[0].Name != want {
			t.Errorf("%q (options): top results %v, want %s first", q, rs[:min(len(rs), 3)], want)
		}
		rank := map[string]int{}
		for i, r := range scan(entries, q, Options{}) {
			rank[r.Name] = i + 1
		}
		if other := "rsky-" + q; rank[want] == 0 || rank[other] != 0 && rank[other] < rank[want] {
			t.Errorf("%q: %s at rank %d, %s at rank %d (0: not listed)", q, want, rank[want], other, rank[other])
		}
	}
}

// A word that matches no name, not even as a typo, is looked for as a
// misspelt start of one: "adgaurd" finds AdGuard Home. A word that has a
// whole-token typo is not, so "gitae" stays gitea's.
func TestMisspeltStarts(t *testing.T) {
	for _, c := range []struct {
		q, w string
		want bool
	}{
		{"adgaurd", "adguardhome", true},  // two letters swapped
		{"adgard", "adguardhome", true},   // one missing
		{"adguaard", "adguardhome", true}, // one extra
		{"dagaurd", "adguardhome", false}, // two edits
		{"adgaurd", "adguards", false},    // not longer by two: typoMatch's case
		{"adga", "adguardhome", false},    // too short to guess from
		{"dagua", "adguardhome", true},    // first two letters swapped
		{"xdgua", "adguardhome", false},   // a wrong first letter is not looked for
	} {
		if got := misspeltStart(c.q, c.w); got != c.want {
			t.Errorf("misspeltStart(%q, %q) = %v, want %v", c.q, c.w, got, c.want)
		}
	}
	v := vocabulary{"adguardhome", "gitdaemon", "gitea", "nextcloud", "nginx"}
	for q, want := range map[string]reach{"adgaurd": reachStarts, "gitae": reachWide, "adguard": reachNarrow,
		"nextcloud": reachNarrow, "adg": reachNarrow, "ngnix": reachWide, "mginx": reachFirst, "ginx": reachFirst} {
		if got := v.reachOf(q); got != want {
			t.Errorf("reachOf(%q) = %d, want %d", q, got, want)
		}
	}
	docs := []indexer.Document{opt("services.adguardhome.enable", ""), opt("services.adguardhome.settings", ""),
		opt("services.gitea.enable", ""), opt("services.gitDaemon.enable", ""), opt("services.adminer.enable", "")}
	entries := buildEntries(docs, nil)
	if rs := scan(entries, "adgaurd", Options{}); len(rs) != 2 || rs[0].Name != "services.adguardhome.enable" {
		t.Errorf("adgaurd: %v; want AdGuard Home's two options, its enable option first", names(rs))
	}
	if rs := scan(entries, "gitae", Options{}); len(rs) != 1 || rs[0].Name != "services.gitea.enable" {
		t.Errorf("gitae: %v; want gitea alone (gitdaemon is no whole-token typo of it)", names(rs))
	}
}

func names(rs []Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// Words typed apart that a name writes as one are read both ways.
// otherPaths ranks each query of qs for docs with bleve and with
// search.js, for a test to compare with scan: one index of each, built once.
func otherPaths(t *testing.T, docs []indexer.Document, qs []string, opts Options) (bleve, js [][]string) {
	t.Helper()
	ix, err := OpenOrBuild(filepath.Join(t.TempDir(), "bleve"), docs, testURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var jsQueries []jsrun.Query
	for _, q := range qs {
		rs, err := ix.Search(q, opts)
		if err != nil {
			t.Fatal(err)
		}
		bleve = append(bleve, names(rs))
		jsQueries = append(jsQueries, jsrun.Query{Q: q, Kind: string(opts.Kind)})
	}
	for _, a := range runJS(t, writeStatic(t, docs), jsQueries, opts.Limit) {
		var got []string
		for _, r := range a.Results {
			got = append(got, r.Name)
		}
		js = append(js, got)
	}
	return bleve, js
}

func TestJoinedTokens(t *testing.T) {
	v := vocabulary{"calibre", "calibreweb", "jellyfin", "time", "timezone", "zone"}
	for q, want := range map[string][]join{
		"jelly fin":         {{at: 0, tok: "jellyfin", names: true}},
		"calibre w":         {{at: 0, tok: "calibrew", names: true}},
		"set the time zone": {{at: 1, tok: "timezone", names: true}},
		"time.zone":         nil, // a dotted path is names in order
		"j elly":            nil, // one letter: another shard
	} {
		if got := joinedTokens(QueryTokens(q), isPath(q), v, docFreq{}); !slices.Equal(got, want) {
			t.Errorf("joinedTokens(%q) = %v, want %v", q, got, want)
		}
	}
	docs := []indexer.Document{opt("services.jellyfin.enable", ""), opt("services.jellyseerr.enable", "jelly"),
		opt("services.jellyfin.openFirewall", ""), opt("services.fin.enable", "")}
	rs := scan(buildEntries(docs, nil), "jelly fin", Options{})
	if len(rs) == 0 || rs[0].Name != "services.jellyfin.enable" || rs[0].Tier < tierPath {
		t.Errorf("jelly fin: %v; want services.jellyfin.enable first, as a name match", names(rs))
	}
}

// A long word two typos from a name is found when no single typo is: in
// Go, and by bleve even when no name term is within one letter of the
// word's length.
func TestTwoTypos(t *testing.T) {
	for _, c := range []struct {
		q, w string
		want bool
	}{
		{"nextcould", "nextcloud", true},          // a letter moved: two edits
		{"tailscail", "tailscale", true},          // two replaced
		{"elasticsaerhc", "elasticsearch", true},  // two swaps of neighbours: two typos
		{"thundrebrid", "thunderbird", true},      // the same
		{"thnuderbrid", "thunderbird", true},      // a swap and a swap
		{"thnudrebrid", "thunderbird", false},     // three swaps
		{"elasitcsaerhc", "elasticsearch", false}, // three swaps
		{"nextcld", "nextcloud", false},           // shorter than eight letters
		{"mextcould", "nextcloud", false},         // the first two letters must be kept
		{"syncthinggg", "syncthing", true},        // two extra
	} {
		if got := twoTypos(c.q, c.w); got != c.want {
			t.Errorf("twoTypos(%q, %q) = %v, want %v", c.q, c.w, got, c.want)
		}
	}
	docs := []indexer.Document{opt("services.abcdefghij.enable", ""), opt("services.other.enable", "")}
	ix, err := OpenOrBuild(filepath.Join(t.TempDir(), "bleve"), docs, testURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for _, q := range []string{
		"abcdexyfghij", // two letters more than the only ten-letter name term
		"abdcefhgij",   // two swaps, which Levenshtein counts as four edits
	} {
		want := scan(buildEntries(docs, testURL), q, Options{})
		if len(want) != 1 || want[0].Name != "services.abcdefghij.enable" {
			t.Fatalf("%s: %v; want services.abcdefghij.enable", q, names(want))
		}
		if got, err := ix.Search(q, Options{}); err != nil || len(got) != 1 || got[0] != want[0] {
			t.Errorf("bleve %s: %v (%v); want %v", q, names(got), err, names(want))
		}
	}
}

// A word that matches no name at all, not even by its start, may have its
// first letter wrong, missing or extra.
func TestFirstLetterTypos(t *testing.T) {
	for _, c := range []struct {
		q, w string
		want bool
	}{
		{"mginx", "nginx", true},   // wrong
		{"ginx", "nginx", true},    // missing
		{"bnginx", "nginx", true},  // extra
		{"mgimx", "nginx", false},  // two edits
		{"nginx", "nginx", false},  // no typo
		{"gin", "ngin", false},     // too short
		{"xginx", "nginxs", false}, // one wrong and one extra
	} {
		if got := firstLetterTypo(c.q, c.w); got != c.want {
			t.Errorf("firstLetterTypo(%q, %q) = %v, want %v", c.q, c.w, got, c.want)
		}
		// The term is listed under a key the browser fetches for the query.
		if c.want && !slices.Contains(firstLetterKeys(c.q), firstLetterKey(c.w)) {
			t.Errorf("%q: %s is listed under %q, not among %q", c.q, c.w, firstLetterKey(c.w), firstLetterKeys(c.q))
		}
	}
	if nameMatch("mginx", "nginx", reachStarts) != matchNone || nameMatch("mginx", "nginx", reachFirst) != matchTypo {
		t.Error("a wrong first letter is a typo only at reachFirst")
	}
	entries := buildEntries([]indexer.Document{opt("services.nginx.enable", ""), opt("services.nginx.package", ""),
		opt("services.gitea.enable", "")}, nil)
	if rs := scan(entries, "mginx", Options{}); len(rs) != 2 || rs[0].Name != "services.nginx.enable" {
		t.Errorf("mginx: %v; want nginx's options, its enable option first", names(rs))
	}
	if rs := scan(entries, "ngimx", Options{}); len(rs) != 2 {
		t.Errorf("ngimx (an ordinary typo): %v", names(rs))
	}
}

// TestPackageNames: a package is found by the command it installs, the
// plain name of a family comes before its versions and before lesser
// names its first letters also start, a query naming a service shows
// the package and, right after it, the module's enable option, a
// misspelt package name still finds the package first, and two words a
// description says together rank it with names holding both in order.
func TestPackageNames(t *testing.T) {
	withProg := func(d indexer.Document, prog string) indexer.Document { d.Package.MainProgram = prog; return d }
	docs := []indexer.Document{
		withProg(pkg("ripgrep", "Line-oriented search tool"), "rg"),
		withProg(pkg("wireguard-tools", "Tools for the WireGuard VPN"), "wg"),
		pkg("wg-ddns", "Dynamic DNS for WireGuard"),
		pkg("rgxg", "Regular expression generator"),
		pkg("rgbds", "Game Boy assembler"),
		pkg("thunderbolt", "Thunderbolt tools, not thunderbird"),
		pkg("thunderbird-mcp", "MCP server for thunderbird"),
		pkg("thunderbird", "Full-featured e-mail client"),
		pkg("thunderbird-bin", "Full-featured e-mail client"),
		pkg("thunderbird-esr", "Full-featured e-mail client"),
		pkg("postgresql", "Object-relational database"),
		pkg("postgresql_16", "Object-relational database"),
		pkg("postgresql_17", "Object-relational database"),
		pkg("postgresqlTestHook", "Starts a database for a package's tests"),
		pkg("postgres-language-server", "Language server for Postgres"),
		opt("services.postgresql.enable", "Whether to enable PostgreSQL Server."),
		opt("services.postgresql.package", "The package."),
		opt("services.postgresql.settings", "Settings of postgresql."),
		pkg("keepassxc", "Offline password manager with many features"),
		pkg("keepass", "GUI password manager with strong cryptography"),
		pkg("passwd-tool", "Manager of files, with a password prompt"),
		opt("services.displayManager.passwordFile", "File with the display manager's password."),
	}
	entries := buildEntries(docs, func(d indexer.Document) string { return d.ID })
	check := func(q string, want ...string) {
		t.Helper()
		var got []string
		for _, r := range scan(entries, q, Options{Limit: len(want)}) {
			got = append(got, r.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: top = %q, want %q", q, got, want)
		}
	}
	check("rg", "ripgrep")                    // the command, as a whole name word
	check("wg", "wireguard-tools", "wg-ddns") // the command names its package before names that start with it
	check("thund", "thunderbird")             // the family's plain name first
	// postgresqlTestHook is no version of postgresql: it follows them.
	check("postgresql", "postgresql", "services.postgresql.enable", "postgresql_16", "postgresql_17", "postgresqlTestHook")
	check("postgr", "postgresql", "services.postgresql.enable", "postgresql_16", "postgresql_17")
	// A package's own name weighs as a module's: misspelt, it still comes
	// level with the module's enable option, and its family puts it first.
	check("postgrsql", "postgresql", "services.postgresql.enable")
	// A word typed whole that a long name holds is no better evidence than
	// the start of a family's plain name: the family leads.
	check("postgres", "postgresql")
	// A description saying the words together ranks in the tier of names
	// holding both in the order typed, above a name holding them the other
	// way round, and that above a description that has them apart.
	check("password manager", "keepass", "keepassxc", "services.displayManager.passwordFile", "passwd-tool")
}

// TestPartialNameAndDescription: a package whose name holds a query word
// only in part ("numpydoc" for "numpy") and whose description has it
// comes level with the package of that exact name, not before it, however
// rare the word.
func TestPartialNameAndDescription(t *testing.T) {
	docs := []indexer.Document{
		pkg("python3Packages.numpy", "Scientific tools for Python"),
		pkg("python3Packages.numpydoc", "Sphinx extension to support docstrings in Numpy format"),
	}
	for i := range 400 { // enough documents for "numpy" to be a rare word
		docs = append(docs, pkg(fmt.Sprintf("filler%d", i), "Something else"))
	}
	rs := scan(buildEntries(docs, nil), "python numpy", Options{Limit: 2})
	if len(rs) != 2 || rs[0].Name != "python3Packages.numpy" {
		t.Errorf("python numpy: %v, want python3Packages.numpy first", rs)
	}
}

// TestMisspeltWordIsNoRareEvidence: a query word that no description and
// no name holds is most likely misspelt; a description word that starts
// it ("fire" for "firefx") is no rare evidence, and the name it misspells
// comes first.
func TestMisspeltWordIsNoRareEvidence(t *testing.T) {
	docs := []indexer.Document{
		pkg("firefox", "Web browser"),
		pkg("git-fire", "Save a repository in case of fire"),
	}
	// As many documents as a package set (rarity 15: a word in none of
	// them would weigh as much as a typo of the name).
	for i := range 1 << 14 {
		docs = append(docs, pkg(fmt.Sprintf("filler%d", i), "Something else"))
	}
	rs := scan(buildEntries(docs, nil), "firefx", Options{Limit: 2})
	if len(rs) == 0 || rs[0].Name != "firefox" {
		t.Errorf("firefx: %v, want firefox first", names(rs))
	}
}

// TestModuleAndPackageTogether: a module's enable option and the package
// it runs, when both match a query, are shown together, level in score,
// in Go, bleve and search.js alike. The one a name of the query finds
// comes first; when descriptions alone find both, the package does (the
// option speaks with the package's description). With the Options filter,
// the package is not there to place anything.
func TestModuleAndPackageTogether(t *testing.T) {
	docs := []indexer.Document{
		opt("services.frp.enable", "Whether to enable frp."),
		withDefault(opt("services.frp.package", "The frp package to use."), "pkgs.frp"),
		opt("services.misskey.reverseProxy.enable", "Whether to set up a reverse proxy for Misskey."),
		opt("services.convos.reverseProxy", "Whether convos runs behind a reverse proxy."),
		pkg("perlPackages.PlackMiddlewareReverseProxy", "Supports app to run as a reverse proxy backend"),
		pkg("frp", "Fast reverse proxy"),
		opt("services.proxyd.enable", "Whether to enable the proxy daemon."),
		withDefault(opt("services.proxyd.package", "The package to use."), "pkgs.tp"),
		pkg("tp", "Tiny proxyd daemon"),
		pkg("aproxyd", "Another proxyd"),
		// Two more modules that run tp: both follow it, in document order.
		opt("programs.tp.enable", "Whether to enable tp."),
		withDefault(opt("programs.tp.package", "The package to use."), "pkgs.tp"),
		opt("services.tp.enable", "Whether to enable the tp service."),
		withDefault(opt("services.tp.package", "The package to use."), "pkgs.tp"),
	}
	entries := buildEntries(docs, testURL)
	cases := []struct {
		q     string
		order []string // shown one right after the other, level in score
	}{
		{"reverse proxy", []string{"frp", "services.frp.enable"}},          // descriptions alone: the package first
		{"proxyd", []string{"services.proxyd.enable", "tp"}},               // the query names the module: its option first
		{"tp", []string{"tp", "programs.tp.enable", "services.tp.enable"}}, // the package's name: it first, its modules in document order
	}
	var qs []string
	for _, c := range cases {
		qs = append(qs, c.q)
	}
	all := Options{Limit: 10}
	bleve, js := otherPaths(t, docs, qs, all)
	for k, c := range cases {
		rs := scan(entries, c.q, all)
		want := names(rs)
		i := slices.Index(want, c.order[0])
		if i < 0 || i+len(c.order) > len(want) || !slices.Equal(want[i:i+len(c.order)], c.order) {
			t.Errorf("%s: %q, want %q in a row", c.q, want, c.order)
			continue
		}
		for _, r := range rs[i+1 : i+len(c.order)] {
			if r.Score != rs[i].Score {
				t.Errorf("%s: %s scored %d, %s %d: want them level", c.q, c.order[0], rs[i].Score, r.Name, r.Score)
			}
		}
		options := scan(entries, c.q, Options{Kind: indexer.KindOption, Limit: 10})
		if c.q != "tp" {
			// Without the pairing the second would not follow the first:
			// its own score is higher, or something comes between.
			own := map[string]int{}
			for _, r := range slices.Concat(options, scan(entries, c.q, Options{Kind: indexer.KindPackage, Limit: 10})) {
				own[r.Name] = r.Score
			}
			first, second := own[c.order[0]], own[c.order[1]]
			between := 0
			for _, s := range own {
				if s > min(first, second) && s < max(first, second) {
					between++
				}
			}
			if between == 0 && first >= second {
				t.Errorf("%s: own scores %v: the case does not test the pairing", c.q, own)
			}
		}
		if got := names(options); slices.ContainsFunc(got, func(n string) bool { return !strings.Contains(n, ".") }) {
			t.Errorf("%s, options only: %q", c.q, got)
		}
		if !slices.Equal(bleve[k], want) {
			t.Errorf("bleve: %s: %q, want %q", c.q, bleve[k], want)
		}
		if !slices.Equal(js[k], want) {
			t.Errorf("search.js: %s: %q, want %q", c.q, js[k], want)
		}
	}
}

// TestFamilyOfTheWholeName: a family counts for a name the query reaches
// to its end; the variants of a longer name the query only starts say
// nothing of what was typed.
func TestFamilyOfTheWholeName(t *testing.T) {
	docs := []indexer.Document{
		pkg("bitwarden-cli", "Secure and free password manager"),
		pkg("bitwarden-directory-connector", "LDAP connector for Bitwarden"),
		pkg("bitwarden-directory-connector-cli", "LDAP connector for Bitwarden"),
	}
	rs := scan(buildEntries(docs, nil), "bitwraden", Options{Limit: 3})
	if len(rs) == 0 || rs[0].Name != "bitwarden-cli" {
		t.Errorf("bitwraden: %q, want bitwarden-cli first", names(rs))
	}
}

// TestModuleRunsItFirstAmongDescriptionTies: among packages that only
// their descriptions find, and find alike, the one a NixOS module runs
// comes first, in every path; without the module, name order decides.
func TestModuleRunsItFirstAmongDescriptionTies(t *testing.T) {
	docs := []indexer.Document{
		opt("services.zpass.enable", "Whether to enable zpass."),
		withDefault(opt("services.zpass.package", "The zpass package to use."), "pkgs.zpass"),
		pkg("apass", "Offline password manager"),
		pkg("mpass", "Offline password manager"),
		pkg("zpass", "Offline password manager"),
	}
	const q = "password manager"
	packages := Options{Kind: indexer.KindPackage, Limit: 10}
	want := []string{"zpass", "apass", "mpass"}
	if got := names(scan(buildEntries(docs, testURL), q, packages)); !slices.Equal(got, want) {
		t.Errorf("%s: %q, want %q", q, got, want)
	}
	if got := names(scan(buildEntries(docs[2:], testURL), q, packages)); !slices.Equal(got, []string{"apass", "mpass", "zpass"}) {
		t.Errorf("%s without the module: %q, want name order", q, got)
	}

	bleve, js := otherPaths(t, docs, []string{q}, packages)
	if !slices.Equal(bleve[0], want) {
		t.Errorf("bleve: %s: %q, want %q", q, bleve[0], want)
	}
	if !slices.Equal(js[0], want) {
		t.Errorf("search.js: %s: %q, want %q", q, js[0], want)
	}
}
