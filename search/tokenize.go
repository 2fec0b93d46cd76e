// Package search is the one search definition of the documentation site:
// how names and descriptions are split into tokens, how a query token
// matches an indexed token, and how matches become a ranking. It writes that
// definition in two encodings — static JSON shards that the browser script
// (themes/default/static/search.js) queries, and a bleve index that the CLI
// and the preview server query — and both rank with the rules in this file
// and rank.go.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// charClass is what a rune contributes to token boundaries.
type charClass int

const (
	classSep   charClass = iota // anything that is neither letter nor number
	classLower                  // a letter that is not upper case (includes scripts without case)
	classUpper                  // an upper-case letter
	classDigit                  // a number
)

func classify(r rune) charClass {
	if r < utf8.RuneSelf { // ASCII: most text, and far cheaper than the Unicode tables
		switch {
		case 'a' <= r && r <= 'z':
			return classLower
		case 'A' <= r && r <= 'Z':
			return classUpper
		case '0' <= r && r <= '9':
			return classDigit
		}
		return classSep
	}
	switch {
	case unicode.IsUpper(r):
		return classUpper
	case unicode.IsLetter(r):
		return classLower
	case unicode.IsNumber(r):
		return classDigit
	}
	// Combining marks stay inside the word they modify.
	if unicode.Is(unicode.M, r) {
		return classLower
	}
	return classSep
}

// Tokenize splits s into lower-case tokens. It breaks at every character
// that is not a letter or a number (dots, hyphens, underscores, spaces,
// slashes…), between letters and digits, and at camelCase boundaries:
// "services.atproto.pds.settings.PDS_PORT" gives services atproto pds
// settings pds port; "HTTPServer2" gives http server 2.
//
// search.js has the same function; TestTokenizeMatchesJS keeps them equal.
func Tokenize(s string) []string {
	return tokenizeRunes([]rune(s))
}

func tokenizeRunes(runes []rune) []string {
	var tokens []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			tokens = append(tokens, lower(runes[start:end]))
		}
		start = -1
	}
	for i, r := range runes {
		c := classify(r)
		if c == classSep {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := classify(runes[i-1])
		switch {
		case (prev == classDigit) != (c == classDigit):
			flush(i) // letter↔digit
		case prev == classLower && c == classUpper:
			flush(i) // camelCase
		case prev == classUpper && c == classUpper && i+1 < len(runes) && classify(runes[i+1]) == classLower:
			flush(i) // HTTPServer: the last capital starts the next word
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(runes))
	return tokens
}

// segment is one separator-delimited run of a text ("allowedTCPPorts" in
// "networking.firewall.allowedTCPPorts") with its tokens.
type segment struct {
	Joined string   // the whole run, lower-cased: "allowedtcpports"
	Tokens []string // its tokens: allowed tcp ports
}

// segments splits s at separators and tokenizes each run; the tokens of
// all segments, in order, are Tokenize(s).
func segments(s string) []segment {
	var out []segment
	eachSegment(s, func(seg segment) bool {
		out = append(out, seg)
		return true
	})
	return out
}

// eachSegment calls fn with the segments of s in order until fn returns
// false, so a caller that needs only the start of a long text does not
// split all of it.
func eachSegment(s string, fn func(segment) bool) {
	runes := []rune(s)
	start := -1
	for i := 0; i <= len(runes); i++ {
		if i < len(runes) && classify(runes[i]) != classSep {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			run := runes[start:i]
			if !fn(segment{Joined: lower(run), Tokens: tokenizeRunes(run)}) {
				return
			}
			start = -1
		}
	}
}

// lower lower-cases rune by rune with the simple Unicode mapping, which
// JavaScript reproduces; strings.ToLower and String.toLowerCase differ on
// special cases (İ, final sigma).
func lower(rs []rune) string {
	ascii := true
	for _, r := range rs {
		if r >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		b := make([]byte, len(rs))
		for i, r := range rs {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b[i] = byte(r)
		}
		return string(b)
	}
	var b strings.Builder
	for _, r := range rs {
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// stopwords are words too common in descriptions to help ranking. They are
// left out of the description index and out of multi-word queries. Names
// never lose tokens.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be been but by can could do does
		for from has have how i if in into is it its may must no not of on or should so such
		than that the their then there these this to was we what when where which while who
		will with would you your`) {
		stopwords[w] = true
	}
}

// IsStopword reports whether tok is dropped from descriptions and queries.
func IsStopword(tok string) bool { return stopwords[tok] }

// QueryTokens tokenizes a search query. Stop words are dropped unless
// nothing else is left, so "open firewall port for ssh" searches for open,
// firewall, port and ssh while "for" alone still searches for "for".
// Duplicates are kept: "pds.pds" asks for two pds segments.
func QueryTokens(q string) []string {
	all := Tokenize(q)
	var kept []string
	for _, t := range all {
		if !stopwords[t] {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		kept = all
	}
	if len(kept) > maxQueryTokens {
		kept = kept[:maxQueryTokens]
	}
	return kept
}

// isPath reports whether a query is written as a dotted path: its segments
// then have to match in order, and only names are searched (a path names an
// option; descriptions would only add noise, and bytes to fetch).
func isPath(q string) bool { return strings.Contains(q, ".") }

// maxQueryTokens bounds the work one query can cause.
const maxQueryTokens = 8

// shardKey is the name-shard key of a token: its first two characters.
func shardKey(tok string) string {
	if utf8.RuneCountInString(tok) <= 2 {
		return tok
	}
	_, a := utf8.DecodeRuneInString(tok)
	_, b := utf8.DecodeRuneInString(tok[a:])
	return tok[:a+b]
}

// swapFirstTwo returns tok with its first two characters swapped ("psd" →
// "spd"), the only edit before the third character that typo matching allows.
func swapFirstTwo(tok string) string {
	r := []rune(tok)
	if len(r) < 2 {
		return tok
	}
	r[0], r[1] = r[1], r[0]
	return string(r)
}
