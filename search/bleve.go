package search

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom" // the "custom" analyzer type
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// The bleve index holds, per document, the tokens of the search definition
// as indexed fields. A query asks bleve for every document that any query
// token could match (term, prefix and fuzzy queries over those fields) and
// ranks all those candidates with entry.score — the same function the
// static index reproduces in search.js. The entries themselves are held in
// memory: OpenOrBuild has the documents anyway (to know whether the index
// is stale), and decoding stored fields per candidate cost more than the
// search.

const (
	tokenizerName = "nurdocs"
	analyzerName  = "nurdocs"

	fieldName  = "name"
	fieldSub   = "sub"
	fieldDesc  = "desc"
	fieldKind  = "kind"
	fieldScope = "scope"

	// bleveFormat changes whenever the mapping or the stored entry changes,
	// so that an index written by an older nurdocs is rebuilt.
	bleveFormat = "nurdocs-search-9"
	stampKey    = "nurdocs-stamp"
)

// spaceTokenizer splits the pre-tokenized field text that the index is fed
// (tokens joined by spaces) back into tokens with their positions.
type spaceTokenizer struct{}

func (spaceTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	start := -1
	for i := 0; i <= len(input); i++ {
		if i < len(input) && input[i] != ' ' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, &analysis.Token{Term: input[start:i], Start: start, End: i, Position: len(out) + 1, Type: analysis.AlphaNumeric})
			start = -1
		}
	}
	return out
}

var registerOnce sync.Once

func registerAnalysis() {
	registerOnce.Do(func() {
		must := func(err error) {
			if err != nil {
				panic(err)
			}
		}
		must(registry.RegisterTokenizer(tokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
			return spaceTokenizer{}, nil
		}))
	})
}

func indexMapping() *mapping.IndexMappingImpl {
	registerAnalysis()
	m := bleve.NewIndexMapping()
	if err := m.AddCustomAnalyzer(analyzerName, map[string]any{"type": "custom", "tokenizer": tokenizerName}); err != nil {
		panic(err)
	}
	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerName
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldName, text())
	doc.AddFieldMappingsAt(fieldSub, text())
	doc.AddFieldMappingsAt(fieldDesc, text())
	doc.AddFieldMappingsAt(fieldKind, kw())
	doc.AddFieldMappingsAt(fieldScope, kw())
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerName
	return m
}

// Index is the on-disk bleve index of the site's documents, with their
// entries in memory.
type Index struct {
	ix   bleve.Index
	path string
	// mu is held for reading by searches and for writing by Update while
	// it changes the bleve index and the entries together.
	mu      sync.RWMutex
	entries []*entry // by Ord, which is also the bleve document ID
	vocab   vocabulary
	freq    docFreq
	lens    []bool // lens[n]: some name term has n characters
}

// stamp identifies the documents and URLs an index was built from.
func stamp(docs []indexer.Document, url func(indexer.Document) string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, bleveFormat)
	enc := json.NewEncoder(h)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return "", fmt.Errorf("search index: %s: %w", d.ID, err)
		}
		if url != nil {
			fmt.Fprintln(h, url(d))
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// OpenOrBuild opens the bleve index at path when it was built from the same
// documents and URLs, and otherwise (re)builds it there. The new index is
// built next to path and moved into place, so a reader never sees half an
// index.
func OpenOrBuild(path string, docs []indexer.Document, url func(indexer.Document) string) (*Index, error) {
	want, err := stamp(docs, url)
	if err != nil {
		return nil, err
	}
	entries := buildEntries(docs, url)
	// One process at a time checks and rebuilds the index: two commands
	// that find it stale at once would otherwise remove the folder the
	// other is opening or renaming into place.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	// An index that cannot be opened is rebuilt rather than reported: it is
	// a cache of the documents.
	if ix, err := open(path); err == nil {
		have, err := ix.ix.GetInternal([]byte(stampKey))
		if err == nil && string(have) == want {
			ix.setEntries(entries)
			return ix, nil
		}
		ix.Close()
	}
	// Built beside the index and renamed into place, so a failed build
	// leaves the old one.
	tmp, err := os.MkdirTemp(filepath.Dir(path), filepath.Base(path)+".new-")
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	defer os.RemoveAll(tmp) // left only when something failed
	dst := filepath.Join(tmp, "index")
	if err := build(dst, entries, want); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(path); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	if err := os.Rename(dst, path); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	ix, err := open(path)
	if err != nil {
		return nil, err
	}
	ix.setEntries(entries)
	return ix, nil
}

func (ix *Index) setEntries(entries []*entry) {
	ix.entries, ix.vocab, ix.freq = entries, newVocabulary(entries), newDocFreq(entries)
	ix.lens = ix.vocab.lengths()
}

// Update brings the index to docs in place, the way the preview server
// follows an edit: the entries are derived again (with tokens, when not
// nil, tokenizing only documents whose text changed), and only the
// documents whose indexed fields differ from what the index holds under
// the same number are indexed again; numbers past the new end are
// deleted. It returns how many documents it indexed or deleted. Searches
// wait while the change is applied; Update must not run concurrently
// with another Update. The index's stamp is cleared: OpenOrBuild rebuilds
// an updated index rather than trusting it.
func (ix *Index) Update(docs []indexer.Document, url func(indexer.Document) string, tokens *TokenCache) (int, error) {
	return ix.UpdateEntries(NewEntries(docs, url, tokens))
}

// UpdateEntries is Update with the documents already prepared.
func (ix *Index) UpdateEntries(prepared *Entries) (int, error) {
	entries := prepared.list
	batch := ix.ix.NewBatch()
	changed := 0
	for i, e := range entries {
		if i < len(ix.entries) && sameIndexed(e, ix.entries[i]) {
			continue
		}
		if err := batch.Index(strconv.Itoa(e.Ord), indexFields(e)); err != nil {
			return 0, fmt.Errorf("search index: %s: %w", e.doc.ID, err)
		}
		changed++
	}
	for ord := len(entries); ord < len(ix.entries); ord++ {
		batch.Delete(strconv.Itoa(ord))
		changed++
	}
	batch.DeleteInternal([]byte(stampKey))
	vocab, freq := newVocabulary(entries), newDocFreq(entries)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := ix.ix.Batch(batch); err != nil {
		return 0, fmt.Errorf("search index: %w", err)
	}
	ix.entries, ix.vocab, ix.freq, ix.lens = entries, vocab, freq, vocab.lengths()
	return changed, nil
}

// sameIndexed reports whether the index holds the same fields for a and
// b (indexFields), comparing the tokens themselves rather than building
// the fields of every document.
func sameIndexed(a, b *entry) bool {
	return a.doc.Kind == b.doc.Kind && a.doc.Scope == b.doc.Scope && slices.Equal(a.Name, b.Name) &&
		slices.Equal(a.Joined, b.Joined) && slices.Equal(a.Sub, b.Sub) && slices.Equal(a.Desc, b.Desc)
}

// indexFields are the fields the index holds for e.
func indexFields(e *entry) map[string]any {
	var sub []string
	for _, s := range e.Sub {
		sub = append(sub, s.Tok)
	}
	name := slices.Clone(e.Name)
	for _, j := range e.Joined {
		name = append(name, j.Tok)
	}
	return map[string]any{
		fieldName:  strings.Join(name, " "),
		fieldSub:   strings.Join(sub, " "),
		fieldDesc:  strings.Join(e.Desc, " "),
		fieldKind:  string(e.doc.Kind),
		fieldScope: e.doc.Scope,
	}
}

// hasLength reports whether some name term has n characters.
func (ix *Index) hasLength(n int) bool { return n >= 0 && n < len(ix.lens) && ix.lens[n] }

func open(path string) (*Index, error) {
	registerAnalysis()
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	ix, err := bleve.Open(path)
	if err != nil {
		return nil, fmt.Errorf("search index %s: %w", path, err)
	}
	return &Index{ix: ix, path: path}, nil
}

// build writes a new index at path, whose parent folder exists.
func build(path string, entries []*entry, stampValue string) error {
	ix, err := bleve.New(path, indexMapping())
	if err != nil {
		return fmt.Errorf("search index %s: %w", path, err)
	}
	batch := ix.NewBatch()
	for _, e := range entries {
		if err := batch.Index(strconv.Itoa(e.Ord), indexFields(e)); err != nil {
			ix.Close()
			return fmt.Errorf("search index: %s: %w", e.doc.ID, err)
		}
		if batch.Size() >= 2000 {
			if err := ix.Batch(batch); err != nil {
				ix.Close()
				return fmt.Errorf("search index: %w", err)
			}
			batch.Reset()
		}
	}
	if err := ix.Batch(batch); err != nil {
		ix.Close()
		return fmt.Errorf("search index: %w", err)
	}
	if err := ix.SetInternal([]byte(stampKey), []byte(stampValue)); err != nil {
		ix.Close()
		return fmt.Errorf("search index: %w", err)
	}
	return ix.Close()
}

// Close releases the index.
func (ix *Index) Close() error { return ix.ix.Close() }

// Path is where the index lives.
func (ix *Index) Path() string { return ix.path }

// Search ranks the documents for q.
func (ix *Index) Search(q string, opts Options) ([]Result, error) {
	return ix.SearchContext(context.Background(), q, opts)
}

// SearchContext is Search with a context that can cancel it. A query over
// the limits of CheckQuery gets its *QueryError.
func (ix *Index) SearchContext(ctx context.Context, q string, opts Options) ([]Result, error) {
	if err := CheckQuery(q); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	p := parseQuery(q, ix.vocab, ix.freq)
	toks, ordered := p.toks, p.ordered
	if len(toks) == 0 {
		return nil, nil
	}
	var any []query.Query
	add := func(qq query.Query) { any = append(any, qq) }
	for i, t := range toks {
		runes := utf8.RuneCountInString(t)
		term := func(field, s string, boost float64) {
			tq := query.NewTermQuery(s)
			tq.SetField(field)
			tq.SetBoost(boost)
			add(tq)
		}
		prefix := func(field string, boost float64) {
			pq := query.NewPrefixQuery(t)
			pq.SetField(field)
			pq.SetBoost(boost)
			add(pq)
		}
		term(fieldName, t, 8)
		term(fieldSub, t, 3)
		if runes >= 2 {
			prefix(fieldName, 4)
		}
		if !ordered { // a dotted path is looked up in names alone
			term(fieldDesc, t, 1)
			if runes >= 3 {
				prefix(fieldDesc, 0.5)
			}
			// Description words that start the token: collect for "collection".
			r := []rune(t)
			for i := max(4, len(r)-maxDescSuffix); i < len(r); i++ {
				term(fieldDesc, string(r[:i]), 0.5)
			}
		}
		// Typos are one edit away, so a name term within one character of
		// the token's length must exist for one to match: only then is the
		// fuzzy automaton built.
		if runes >= 4 && (ix.hasLength(runes-1) || ix.hasLength(runes) || ix.hasLength(runes+1)) ||
			runes >= minTwoTypos && (ix.hasLength(runes-2) || ix.hasLength(runes+2)) {
			// Levenshtein 2 from the same first letter over-approximates one
			// Damerau edit that keeps the first letter (a swap is two
			// Levenshtein edits); entry.score keeps only the typos typoMatch
			// allows. A swap of the first two letters is looked up as is.
			fq := query.NewFuzzyQuery(t)
			fq.SetField(fieldName)
			fq.SetFuzziness(2)
			fq.SetPrefix(1)
			fq.SetBoost(1)
			add(fq)
			if sw := swapFirstTwo(t); sw != t {
				term(fieldName, sw, 1)
			}
		}
		if p.reach[i] >= reachStarts {
			// Name terms the token misspells the start of: adguardhome
			// for "adgaurd".
			for _, key := range typoKeys(t) {
				for _, w := range ix.vocab.withPrefix(key) {
					if misspeltStart(t, w) {
						term(fieldName, w, 1)
					}
				}
			}
			// Two typos of which one or both swap neighbours, which the
			// fuzzy query (Levenshtein 2) misses: thunderbird for
			// "thundrebrid".
			if runes >= minTwoTypos {
				for _, w := range ix.vocab.withPrefix(string([]rune(t)[:2])) {
					if twoTypos(t, w) {
						term(fieldName, w, 1)
					}
				}
			}
		}
		if p.reach[i] >= reachFirst {
			// Name terms whose first letter the token got wrong: nginx
			// for "mginx".
			for _, w := range ix.vocab {
				if firstLetterTypo(t, w) {
					term(fieldName, w, 1)
				}
			}
		}
		if st := stemOf(t); st != t {
			// Words of the same stem: printing for "printer".
			pq := query.NewPrefixQuery(st)
			pq.SetField(fieldName)
			add(pq)
			if !ordered {
				pq := query.NewPrefixQuery(st)
				pq.SetField(fieldDesc)
				add(pq)
			}
		}
		if runes >= 5 {
			r := []rune(t)
			// Name tokens that start the query token: port for "ports".
			for i := 4; i < len(r); i++ {
				if ix.hasLength(i) {
					term(fieldName, string(r[:i]), 1)
				}
			}
		}
	}
	var qq query.Query = query.NewDisjunctionQuery(any)
	var filters []query.Query
	if opts.Kind != "" {
		k := query.NewTermQuery(string(opts.Kind))
		k.SetField(fieldKind)
		filters = append(filters, k)
	}
	if opts.Scope != "" {
		s := query.NewTermQuery(opts.Scope)
		s.SetField(fieldScope)
		filters = append(filters, s)
	}
	if len(filters) > 0 {
		qq = query.NewConjunctionQuery(append([]query.Query{qq}, filters...))
	}
	// Every candidate, unscored: the ranking is entry.score's.
	req := bleve.NewSearchRequestOptions(qq, len(ix.entries), 0, false)
	req.Score = bleve.ScoreNone
	res, err := ix.ix.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	type ranked struct {
		e     *entry
		tier  int
		place place
	}
	// Every candidate's own score first: a module's enable option and its
	// package are placed by each other's (placeWithPartners).
	matched := make([]ranked, 0, len(res.Hits))
	partnerScore := map[int]int{}
	for _, h := range res.Hits {
		ord, err := strconv.Atoi(h.ID)
		if err != nil || ord < 0 || ord >= len(ix.entries) {
			return nil, fmt.Errorf("search index %s: unknown document %q", ix.path, h.ID)
		}
		e := ix.entries[ord]
		tier, score := e.score(p)
		if tier == tierNone {
			continue
		}
		matched = append(matched, ranked{e, tier, ownPlace(e.Ord, score)})
		if len(e.Partners) > 0 {
			partnerScore[ord] = score
		}
	}
	var top []ranked
	for _, m := range matched {
		e, tier, at := m.e, m.tier, m.place
		if len(e.Partners) > 0 {
			at = placeWithPartners(e.Ord, at.score, e.doc.Kind == indexer.KindPackage, e.Partners, func(o int) int { return partnerScore[o] })
			tier = at.score / tierUnit
		}
		// Keep the best limit, in their places.
		r := ranked{e, tier, at}
		i, _ := slices.BinarySearchFunc(top, r, func(a, b ranked) int { return a.place.compare(b.place) })
		if i >= limit {
			continue
		}
		top = slices.Insert(top, i, r)
		if len(top) > limit {
			top = top[:limit]
		}
	}
	out := make([]Result, len(top))
	for i, r := range top {
		out[i] = r.e.result(r.tier, r.place)
	}
	return out, nil
}
