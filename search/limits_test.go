package search

import (
	"errors"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/search/internal/jsrun"
)

// limitCases are queries at and around the limits, with whether they are
// refused.
var limitCases = []struct {
	q       string
	refused bool
}{
	{"services.openssh.enable", false},
	{"services.hostapd.radios.<name>.networks.<name>.authentication.enableRecommendedPairwiseCiphers", false},
	{strings.Repeat("a", MaxWordChars), false},
	{strings.Repeat("a", MaxWordChars+1), true},
	{strings.Repeat("a", 5000), true},
	{strings.Repeat("ab.", 85) + "a", false},    // 256 characters, short words
	{strings.Repeat("ab.", 85) + "ab", true},    // 257
	{strings.Repeat("é", MaxWordChars), false},  // characters, not bytes
	{strings.Repeat("日", MaxWordChars+1), true}, // a word without spaces in a script without them
	{strings.Repeat("😀", MaxQueryChars), false}, // separators; two UTF-16 units each in the browser
	{strings.Repeat("😀", MaxQueryChars+1), true},
	{strings.Repeat("a ", 5000), true},                 // thousands of words
	{strings.Repeat("a1", MaxWordChars/2) + "b", true}, // letters and digits make one word
	{strings.Repeat("x", 100_000), true},
	{"", false},
	{"((*?\\\"", false},
}

func TestCheckQuery(t *testing.T) {
	for _, c := range limitCases {
		err := CheckQuery(c.q)
		var qe *QueryError
		if (err != nil) != c.refused || (err != nil && !errors.As(err, &qe)) {
			t.Errorf("CheckQuery(%.40q… %d bytes) = %v, want refused %v", c.q, len(c.q), err, c.refused)
		}
		if err != nil && (strings.Contains(err.Error(), c.q) && c.q != "") {
			t.Errorf("the error repeats the query: %v", err)
		}
	}
	// Invalid UTF-8 bytes count as one character each, as Tokenize reads them.
	if err := CheckQuery(strings.Repeat("\xff", MaxQueryChars+1)); err == nil {
		t.Errorf("257 invalid bytes accepted")
	}
}

// TestCheckQueryMatchesJS requires search.js's checkQuery to refuse the
// same queries with the same messages.
func TestCheckQueryMatchesJS(t *testing.T) {
	var inputs []string
	for _, c := range limitCases {
		inputs = append(inputs, c.q)
	}
	got, err := jsrun.Tokenize(inputs)
	if errors.Is(err, jsrun.ErrNoNode) {
		t.Skip("skipped: " + err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range inputs {
		want := ""
		if err := CheckQuery(in); err != nil {
			want = err.Error()
		}
		if got[i].Refused != want {
			t.Errorf("%.40q… (%d bytes): search.js says %q, Go %q", in, len(in), got[i].Refused, want)
		}
	}
}
