package search

import (
	"slices"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// Options narrow a search.
type Options struct {
	Kind  indexer.Kind // "" for every kind
	Scope string       // "" for every scope
	Limit int          // results to return; 0 means DefaultLimit
}

// DefaultLimit is the number of results when Options.Limit is 0.
const DefaultLimit = 20

// Result is one ranked document.
type Result struct {
	ID      string       `json:"id"`
	Kind    indexer.Kind `json:"kind"`
	Scope   string       `json:"scope"`
	Name    string       `json:"name"` // option path, package attribute or guide title
	Summary string       `json:"summary"`
	Type    string       `json:"type,omitempty"`    // options only
	Default string       `json:"default,omitempty"` // options only, one line
	URL     string       `json:"url"`               // relative to the site's base URL
	Since   string       `json:"since,omitempty"`   // newest change in the site's history: "new in 0.3.0"
	Tier    int          `json:"tier"`
	Score   int          `json:"score"`

	order, ord int // among equal scores, lower first (see place)
}

// result builds the Result of an entry.
func (e *entry) result(tier int, at place) Result {
	d := e.doc
	return Result{
		ID: d.ID, Kind: d.Kind, Scope: d.Scope, Name: nameText(d), Summary: summary(d),
		Type: optionType(d), Default: optionDefault(d), URL: e.url, Since: d.Since, Tier: tier, Score: at.score, order: at.order, ord: e.Ord,
	}
}

// better orders results as their places are (see place).
func better(a, b Result) int {
	return place{a.Score, a.order, a.ord}.compare(place{b.Score, b.order, b.ord})
}

// scan ranks every entry against the query: the definition the two index
// encodings must reproduce, used by their tests.
func scan(entries []*entry, q string, opts Options) []Result {
	if CheckQuery(q) != nil {
		return nil
	}
	p := parseQuery(q, newVocabulary(entries), newDocFreq(entries))
	if len(p.toks) == 0 {
		return nil
	}
	scores := map[int]int{}
	for _, e := range entries {
		if (opts.Kind != "" && e.doc.Kind != opts.Kind) || (opts.Scope != "" && e.doc.Scope != opts.Scope) {
			continue
		}
		if tier, score := e.score(p); tier > tierNone {
			scores[e.Ord] = score
		}
	}
	var out []Result
	for _, e := range entries {
		if own, ok := scores[e.Ord]; ok {
			at := placeWithPartners(e.Ord, own, e.doc.Kind == indexer.KindPackage, e.Partners, func(o int) int { return scores[o] })
			out = append(out, e.result(at.score/tierUnit, at))
		}
	}
	slices.SortFunc(out, better)
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	return out[:min(limit, len(out))]
}
