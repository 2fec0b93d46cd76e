package search

import (
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
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
		{"ports", "port", matchTypo},           // the name token starts the query token
		{"automatic", "auto", matchTypo},
		{"pdsadmin", "pds", matchNone}, // … when it has four letters or more
		{"pdz", "pds", matchNone},      // typos need four letters
		{"größe", "größe", matchExact},
		{"grösse", "größe", matchNone},
		{"grüße", "größe", matchTypo},
	}
	for _, c := range cases {
		if got := nameMatch(c.q, c.w, true); got != c.want {
			t.Errorf("nameMatch(%q, %q) = %d, want %d", c.q, c.w, got, c.want)
		}
	}
	// Typos that change the first two letters are looked for only widely.
	for _, c := range [][2]string{{"ifrewall", "firewall"}, {"tialscale", "tailscale"}, {"txailscale", "tailscale"}} {
		if m := nameMatch(c[0], c[1], false); m != matchNone {
			t.Errorf("%q matched %q narrowly: %d", c[0], c[1], m)
		}
		if m := nameMatch(c[0], c[1], true); m != matchTypo {
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
}

func opt(name, desc string) indexer.Document {
	return indexer.Document{ID: "opt:" + name, Kind: indexer.KindOption, Name: name, Option: &indexer.Option{Description: desc}}
}

func pkg(attr, desc string) indexer.Document {
	return indexer.Document{ID: "pkg:" + attr, Kind: indexer.KindPackage, Name: attr, Package: &indexer.Package{Attr: attr, Description: desc}}
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
	check("pds", "pds", "pdsadmin")                                 // exact attribute, then prefix
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
		{"port relay", "services.atproto.relay.port", tierPath},  // words: any order
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
