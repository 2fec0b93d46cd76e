package search

import (
	"slices"
	"sync"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// TokenCache keeps, by document ID, what the index writers derive from a
// document's own texts: its description words and a package's phrases.
// Tokenizing descriptions is most of the work of indexing, and a preview
// indexes the same tens of thousands of documents again after every edit
// that changed a few: with a cache only those few are tokenized. An entry
// is used only while the texts it was derived from are the same, so the
// index is the same with or without it. Entries of documents that the
// last use did not see are dropped. Safe for concurrent use; the zero
// value is empty and ready.
type TokenCache struct {
	mu   sync.Mutex
	docs map[string]*docTokens
	gen  int
	// reused counts the documents whose words the current use took from
	// the cache, tokenized those it derived anew.
	reused, tokenized int
}

type docTokens struct {
	src     [3]string // descSources when the words were derived
	desc    []string  // descTokens, sorted
	phrSrc  string    // the package description phrases were derived from
	phrases []string
	hasPhr  bool
	gen     int
}

// entry returns d's record, made when missing; the caller holds mu.
func (c *TokenCache) entry(d indexer.Document) *docTokens {
	if c.docs == nil {
		c.docs = map[string]*docTokens{}
	}
	t := c.docs[d.ID]
	if t == nil {
		t = &docTokens{}
		c.docs[d.ID] = t
	}
	t.gen = c.gen
	return t
}

// descWords is descTokens(descText(d)), sorted (for binary search in
// match), as a slice the caller owns.
func (c *TokenCache) descWords(d indexer.Document) []string {
	if c == nil {
		w := descTokens(descText(d))
		slices.Sort(w)
		return w
	}
	src := descSources(d)
	t := c.entry(d)
	if t.desc == nil || t.src != src {
		t.src = src
		t.desc = descTokens(descTextOf(src))
		slices.Sort(t.desc)
		if t.desc == nil {
			t.desc = []string{}
		}
		c.tokenized++
	} else {
		c.reused++
	}
	if len(t.desc) == 0 {
		return nil
	}
	return slices.Clone(t.desc)
}

// phrases is phrases(d.Package.Description), as a slice the caller owns.
func (c *TokenCache) phrases(d indexer.Document) []string {
	if c == nil {
		return phrases(d.Package.Description)
	}
	t := c.entry(d)
	if !t.hasPhr || t.phrSrc != d.Package.Description {
		t.phrSrc, t.phrases, t.hasPhr = d.Package.Description, phrases(d.Package.Description), true
	}
	return slices.Clone(t.phrases)
}

// sweep drops the records of documents this use did not see; the caller
// holds mu.
func (c *TokenCache) sweep() {
	for id, t := range c.docs {
		if t.gen != c.gen {
			delete(c.docs, id)
		}
	}
}

// Entries are documents prepared for indexing: sorted, numbered and
// tokenized, with what documents lend each other worked out. Both index
// writers start from them; a preview that brings both indexes up to date
// after a save prepares them once (NewEntries) and hands them to both
// (StaticOptions.Entries, Index.UpdateEntries). They are not changed
// after they are made.
type Entries struct {
	list      []*entry
	tokenized int
}

// NewEntries prepares docs for indexing, taking unchanged documents'
// words from tokens when not nil (see TokenCache).
func NewEntries(docs []indexer.Document, url func(indexer.Document) string, tokens *TokenCache) *Entries {
	list, n := buildEntriesCached(docs, url, tokens)
	return &Entries{list: list, tokenized: n}
}

// Tokenized is how many documents' texts were tokenized anew.
func (e *Entries) Tokenized() int { return e.tokenized }
