package search

import (
	"fmt"
	"unicode/utf8"
)

// Limits on a query, checked before it reaches an index. Real queries are
// far shorter: the longest NixOS option name has 94 characters and its
// longest word 43. Beyond them a query only costs work — a fuzzy automaton
// for a word of thousands of letters exceeds bleve's state limit, and the
// browser would tokenize a pasted megabyte on every keystroke.
//
// search.js has the same limits and the same messages (checkQuery);
// TestCheckQueryMatchesJS keeps them equal.
const (
	MaxQueryChars = 256 // characters (code points) in the whole query
	MaxWordChars  = 64  // characters in one word: a run of letters and digits between separators
)

// QueryError is a query refused before searching. Its message names the
// limit and never repeats the query, which may be megabytes long.
type QueryError struct {
	msg string
}

func (e *QueryError) Error() string { return e.msg }

// CheckQuery returns a *QueryError when q is over a limit, else nil. It
// runs in time linear in len(q) and stops early on long input.
func CheckQuery(q string) error {
	// Each character takes at least one byte, so a short q passes without
	// counting; an invalid UTF-8 byte counts as one character, as
	// Tokenize reads it.
	if len(q) > MaxQueryChars && utf8.RuneCountInString(q) > MaxQueryChars {
		return &QueryError{fmt.Sprintf("query too long: at most %d characters", MaxQueryChars)}
	}
	run := 0
	for _, r := range q {
		if classify(r) == classSep {
			run = 0
			continue
		}
		if run++; run > MaxWordChars {
			return &QueryError{fmt.Sprintf("query word too long: at most %d letters or digits without a space or other separator", MaxWordChars)}
		}
	}
	return nil
}
