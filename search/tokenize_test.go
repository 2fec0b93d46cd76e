package search

import (
	"errors"
	"slices"
	"testing"

	"github.com/atproto-nur/atproto-nur/search/internal/jsrun"
)

var tokenizeCases = []struct {
	in   string
	want []string
}{
	{"services.atproto.pds.settings.PDS_PORT", []string{"services", "atproto", "pds", "settings", "pds", "port"}},
	{"networking.firewall.allowedTCPPorts", []string{"networking", "firewall", "allowed", "tcp", "ports"}},
	{"HTTPServer2", []string{"http", "server", "2"}},
	{"python313Packages.fast-json_utils", []string{"python", "313", "packages", "fast", "json", "utils"}},
	{"users.users.<name>.openssh.authorizedKeys.keys", []string{"users", "users", "name", "openssh", "authorized", "keys", "keys"}},
	{"getIPv6Address", []string{"get", "i", "pv", "6", "address"}},
	{"  --open   firewall!! ", []string{"open", "firewall"}},
	{"Über.Größe", []string{"über", "größe"}},
	{"ΑθήναΠόλη", []string{"αθήνα", "πόλη"}},
	{"日本語.設定", []string{"日本語", "設定"}},
	{"café-crème", []string{"café", "crème"}},
	{"cafe\u0301s", []string{"cafe\u0301s"}}, // a combining accent stays in its word
	{"ABC", []string{"abc"}},
	{"aB", []string{"a", "b"}},
	{"", nil},
	{"...", nil},
}

func TestTokenize(t *testing.T) {
	for _, c := range tokenizeCases {
		if got := Tokenize(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestQueryTokens(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"open firewall port for ssh", []string{"open", "firewall", "port", "ssh"}},
		{"for", []string{"for"}}, // only stop words: keep them
		{"the of", []string{"the", "of"}},
		{"pds.pds", []string{"pds", "pds"}},
		{"a b c d e f g h i j k", []string{"b", "c", "d", "e", "f", "g", "h", "j"}}, // at most eight
	}
	for _, c := range cases {
		if got := QueryTokens(c.in); !slices.Equal(got, c.want) {
			t.Errorf("QueryTokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestTokenizeMatchesJS runs search.js's tokenizer on the same inputs.
func TestTokenizeMatchesJS(t *testing.T) {
	var inputs []string
	for _, c := range tokenizeCases {
		inputs = append(inputs, c.in)
	}
	inputs = append(inputs, "open firewall port for ssh", "for", "a b c d e f g h i j k", "İstanbul", "ΠΌΛΗΣ", "ǅemal", "x²y", "٣٤abc")
	got, err := jsrun.Tokenize(inputs)
	if errors.Is(err, jsrun.ErrNoNode) {
		t.Skip("skipped: " + err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range inputs {
		if want := Tokenize(in); !slices.Equal(got[i].Tokens, want) {
			t.Errorf("%q: search.js tokens %q, Go %q", in, got[i].Tokens, want)
		}
		if want := QueryTokens(in); !slices.Equal(got[i].Query, want) {
			t.Errorf("%q: search.js query tokens %q, Go %q", in, got[i].Query, want)
		}
	}
}
