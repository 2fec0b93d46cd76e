package search

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// The static index is a folder of JSON files that search.js fetches as a
// query needs them:
//
//	manifest.json      document ranges per kind and scope, the shard keys
//	n/<key>.json       name terms whose first two letters are <key>, with postings
//	d/<key>.json       description terms under <key> (two letters, or three when large)
//	f/<key>.json       name terms (no postings) whose second and third letters
//	                   are <key>, for typos of the first letter (firstLetterTypo)
//	docs/<i>.json      display fields of documents i*chunk … (i+1)*chunk-1:
//	                   [name, summary, type, default, url] and, for a document
//	                   that changed in the history the build compared, since
//	                   ("new in 0.3.0")
//
// A query for "pds port" fetches the manifest, n/pd, n/po, d/pd and d/por
// (say), a dotted "pds.port" only the name shards; typos that change a
// token's first two letters add two name shards for that token when no name
// starts with it, and a token that matches nothing at all adds f/ files and
// the name shards of the terms found there. Then come the document chunks
// of the results shown. Documents are
// numbered in sorted order (kind, scope, name), so an option's neighbours,
// which a query tends to find together, share a chunk.

// StaticFormat is the version of the static index layout; search.js checks it.
const StaticFormat = 5

// DocChunk is the number of documents per docs/ file.
const DocChunk = 64

// descSplit is the posting count above which a two-letter description
// shard is split into three-letter shards.
const descSplit = 3000

// Stats describes a written static index.
type Stats struct {
	Docs         int   // documents indexed
	NameShards   int   // files under n/
	DescShards   int   // files under d/
	DocChunks    int   // files under docs/
	Bytes        int64 // all files, as written
	GzipBytes    int64 // all files, each gzip-compressed
	ManifestGzip int64 // manifest.json, gzip-compressed
	MaxShardGzip int64 // largest n/ or d/ file, gzip-compressed
	MaxShard     string
}

type manifest struct {
	Format int        `json:"v"`
	Docs   int        `json:"docs"`
	Chunk  int        `json:"chunk"`
	Ranges []docRange `json:"ranges"`
	Name   []string   `json:"name"`
	Desc   []string   `json:"desc"`
	First  []string   `json:"first"` // keys of f/
	// Prior lists, as gaps, the documents with a prior (enable options):
	// ranking needs it for documents that only descriptions found, whose
	// postings do not carry it.
	Prior []int `json:"prior"`
	// Pairs lists the pairs of a module's enable option and the package
	// it runs, which ranking shows together (placeWithPartners): the option's
	// document number as a gap from the previous pair's, then the
	// package's.
	Pairs []int `json:"pairs"`
}

// docRange says that documents From…To-1 are of one kind and scope.
type docRange struct {
	Kind  indexer.Kind
	Scope string
	From  int
	To    int
}

func (r docRange) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{r.Kind, r.Scope, r.From, r.To})
}

// packPosting packs what ranking needs from one name posting into one
// number: position (5 bits; 31 means "too far to track"), name token count
// (6 bits), prior (2 bits), whether the term is a compound half (1 bit),
// whether it is in the module segment (1 bit), the module segment's
// length for an enable option (2 bits, see entry.modLen), the size of a
// package's family (3 bits, see entry.Family) and whether the term is the
// command a package installs (1 bit, see entry.Cmd).
func packPosting(pos, count, prior int, sub, module bool, modLen, family int, cmd bool) int {
	p := min(pos, maxPos) | min(count, maxCount)<<5 | min(prior, 3)<<11 | min(modLen, 3)<<15 | min(family, maxFamily)<<17
	if cmd {
		p |= 1 << 20
	}
	if sub {
		p |= 1 << 13
	}
	if module {
		p |= 1 << 14
	}
	return p
}

// maxCount caps the name token count that ranking sees.
const maxCount = 63

var plainKey = regexp.MustCompile(`^[a-z0-9]+$`)

// shardFile is the file name of a shard key: the key itself when it is
// plain ASCII, else "_" and the hex of its UTF-8 bytes.
func shardFile(key string) string {
	if plainKey.MatchString(key) {
		return key + ".json"
	}
	return "_" + hex.EncodeToString([]byte(key)) + ".json"
}

// WriteStaticIndex writes the browser search index for docs into dir
// (created if missing). url gives each document's page, relative to the
// site's base URL. Stats includes the gzip sizes.
func WriteStaticIndex(dir string, docs []indexer.Document, url func(indexer.Document) string) (Stats, error) {
	return WriteStaticIndexWith(dir, docs, url, StaticOptions{GzipSizes: true})
}

// StaticOptions tune WriteStaticIndexWith.
type StaticOptions struct {
	// GzipSizes fills Stats.GzipBytes, ManifestGzip, MaxShardGzip and
	// MaxShard by compressing every file once more: about a quarter of
	// the time on 100,000 documents, wasted by a site build that does not
	// report them.
	GzipSizes bool
	// Record, when not nil, makes the write incremental (the preview
	// server's): the folder is taken to hold what the write that filled
	// Record put there, a file whose bytes are the same is not written
	// again, changed ones are replaced atomically (a reader never sees
	// half a shard, and the manifest comes last), and files of the
	// previous index that this one does not have are removed. Record is
	// updated to this write.
	Record *StaticRecord
	// Tokens, when not nil, keeps the documents' words between writes
	// (see TokenCache): a write after a few documents changed tokenizes
	// only those.
	Tokens *TokenCache
	// Entries, when not nil, are docs already prepared (NewEntries of the
	// same docs and url), which the write then does not prepare again.
	Entries *Entries
}

// StaticRecord is what an incremental WriteStaticIndexWith wrote into a
// folder: every file's content hash, and the index's content in memory,
// so that the next write after a few documents changed patches their
// postings and writes the few shards they are in, instead of assembling
// and encoding every shard again. The zero value is an empty folder.
type StaticRecord struct {
	files map[string][32]byte
	last  *staticState
	// Written counts the files the last write changed, Tokenized the
	// documents whose texts it tokenized (all of them without
	// StaticOptions.Tokens), Patched the documents whose postings it
	// patched (-1: it assembled the index from all documents, as a first
	// write or one where documents were added or removed does).
	Written, Tokenized, Patched int
}

// staticState is the content of a static index before encoding.
type staticState struct {
	entries []*entry
	rows    [][]string                  // display fields by document (docs/ chunks)
	names   map[string]map[string][]int // shard key → term → [doc, packed, …], ascending doc numbers
	desc    map[string]map[string][]int // two-letter key → term → doc numbers, ascending
	first   map[string][]string         // first-letter key → name terms, sorted
	// groups holds, per two-letter description key, the shard keys its
	// terms were written under (see descGroups).
	groups map[string][]string
}

// maxPatched is the number of changed documents above which a write
// assembles the index afresh rather than patching postings.
const maxPatched = 2000

// WriteStaticIndexWith is WriteStaticIndex with options; the files are
// the same whatever the options.
func WriteStaticIndexWith(dir string, docs []indexer.Document, url func(indexer.Document) string, opt StaticOptions) (Stats, error) {
	prepared := opt.Entries
	if prepared == nil {
		prepared = NewEntries(docs, url, opt.Tokens)
	}
	entries, tokenized := prepared.list, prepared.tokenized
	w := &staticWriter{dir: dir, noSizes: !opt.GzipSizes, rec: opt.Record}
	rows := make([][]string, len(entries))
	for i, e := range entries {
		rows[i] = displayRow(e)
	}
	var st *staticState
	var dirty *dirtySet
	if w.rec != nil {
		w.rec.Written, w.rec.Tokenized, w.rec.Patched = 0, tokenized, -1
		if w.rec.last != nil {
			st, dirty = w.rec.last.patch(entries, rows)
		}
		w.rec.last = nil // until this write succeeded
	}
	if dirty != nil {
		w.rec.Patched = dirty.docs
		w.written = maps.Clone(w.rec.files)
		for _, rel := range dirty.gone {
			delete(w.written, rel)
		}
	} else {
		st = newStaticState(entries, rows)
		if w.rec != nil {
			w.written = map[string][32]byte{}
		}
	}
	for _, sub := range []string{"n", "d", "f", "docs"} {
		// Shards of an earlier index in dir must not outlive it.
		if w.rec == nil {
			if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
				return Stats{}, fmt.Errorf("search index: %w", err)
			}
		}
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return Stats{}, fmt.Errorf("search index: %w", err)
		}
	}
	m := manifest{Format: StaticFormat, Docs: len(entries), Chunk: DocChunk, Prior: []int{}, Pairs: []int{}}
	prev, prevPair := 0, 0
	for _, e := range entries {
		if e.Prior > 0 {
			m.Prior = append(m.Prior, e.Ord-prev)
			prev = e.Ord
		}
		if e.doc.Option != nil {
			for _, p := range e.Partners {
				m.Pairs = append(m.Pairs, e.Ord-prevPair, p)
				prevPair = e.Ord
			}
		}
	}
	for _, e := range entries {
		d := e.doc
		if n := len(m.Ranges); n == 0 || m.Ranges[n-1].Kind != d.Kind || m.Ranges[n-1].Scope != d.Scope {
			m.Ranges = append(m.Ranges, docRange{Kind: d.Kind, Scope: d.Scope, From: e.Ord})
		}
		m.Ranges[len(m.Ranges)-1].To = e.Ord + 1
	}

	// Name postings, grouped by the first two letters of the term.
	for _, k := range sortedKeys(st.names) {
		m.Name = append(m.Name, k)
		if dirty != nil && !dirty.names[k] {
			continue
		}
		shard := map[string][]int{}
		for term, ps := range st.names[k] {
			shard[term] = deltaPairs(ps)
		}
		if err := w.write(filepath.Join("n", shardFile(k)), shard, true); err != nil {
			return Stats{}, err
		}
	}

	// The first-letter index: name terms by their second and third
	// letters, without postings; a typo found there fetches the term's
	// name shard.
	for _, k := range sortedKeys(st.first) {
		m.First = append(m.First, k)
		if dirty != nil && !dirty.first[k] {
			continue
		}
		if err := w.write(filepath.Join("f", shardFile(k)), st.first[k], false); err != nil {
			return Stats{}, err
		}
	}

	// Description postings: two-letter shards, split by the third letter
	// when large. Terms of one or two letters stay in the two-letter shard.
	for _, k := range sortedKeys(st.desc) {
		if dirty != nil && !dirty.desc[k] {
			m.Desc = append(m.Desc, st.groups[k]...)
			continue
		}
		groups := descGroups(k, st.desc[k])
		if dirty != nil {
			for _, gk := range st.groups[k] {
				delete(w.written, filepath.Join("d", shardFile(gk)))
			}
		}
		st.groups[k] = nil
		for _, gk := range sortedKeys(groups) {
			if len(groups[gk]) == 0 {
				continue
			}
			if err := w.write(filepath.Join("d", shardFile(gk)), groups[gk], true); err != nil {
				return Stats{}, err
			}
			m.Desc = append(m.Desc, gk)
			st.groups[k] = append(st.groups[k], gk)
		}
	}

	// Display fields, in chunks of consecutive documents.
	for start := 0; start < len(entries); start += DocChunk {
		w.stats.DocChunks++
		if dirty != nil && !dirty.chunks[start/DocChunk] {
			continue
		}
		if err := w.write(filepath.Join("docs", fmt.Sprintf("%d.json", start/DocChunk)), rows[start:min(start+DocChunk, len(entries))], false); err != nil {
			return Stats{}, err
		}
	}

	mg, err := w.writeSized("manifest.json", m)
	if err != nil {
		return Stats{}, err
	}
	if w.rec != nil {
		// Shards the new manifest no longer names go last.
		for rel := range w.rec.files {
			if _, ok := w.written[rel]; !ok {
				if err := os.Remove(filepath.Join(dir, rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return Stats{}, fmt.Errorf("search index: %w", err)
				}
			}
		}
		w.rec.files = w.written
		w.rec.last = st
	}
	w.stats.ManifestGzip = mg
	w.stats.Docs = len(entries)
	w.stats.NameShards = len(m.Name)
	w.stats.DescShards = len(m.Desc)
	return w.stats, nil
}

// displayRow is what a result shows of e: [name, summary, type, default,
// url] and, only where the build compared revisions and the document
// changed, since (an index without history is as before).
func displayRow(e *entry) []string {
	row := []string{nameText(e.doc), summary(e.doc), optionType(e.doc), optionDefault(e.doc), e.url}
	if e.doc.Since != "" {
		row = append(row, e.doc.Since)
	}
	return row
}

// eachNamePosting calls add with every name term of e and its packed
// posting, in the order the index lists a document's postings of a term.
func (e *entry) eachNamePosting(add func(term string, packed int)) {
	count := min(len(e.Name), maxCount)
	post := func(term string, pos int, sub, cmd bool) {
		add(term, packPosting(pos, count, e.Prior, sub, e.inModule(pos), e.modLen(), e.Family, cmd))
	}
	for pos, t := range e.Name {
		post(t, pos, false, false)
	}
	for _, j := range e.Joined {
		post(j.Tok, j.Pos, false, e.Cmd != "" && j.Tok == e.Cmd)
	}
	for _, s := range e.Sub {
		post(s.Tok, s.Pos, true, false)
	}
}

// newStaticState assembles the index content from all entries.
func newStaticState(entries []*entry, rows [][]string) *staticState {
	st := &staticState{entries: entries, rows: rows, names: map[string]map[string][]int{},
		desc: map[string]map[string][]int{}, first: map[string][]string{}, groups: map[string][]string{}}
	for _, e := range entries {
		e.eachNamePosting(func(term string, packed int) {
			k := shardKey(term)
			if st.names[k] == nil {
				st.names[k] = map[string][]int{}
			}
			st.names[k][term] = append(st.names[k][term], e.Ord, packed)
		})
		for _, t := range e.Desc {
			k := shardKey(t)
			if st.desc[k] == nil {
				st.desc[k] = map[string][]int{}
			}
			st.desc[k][t] = append(st.desc[k][t], e.Ord)
		}
	}
	for _, t := range newVocabulary(entries) {
		if k := firstLetterKey(t); k != "" {
			st.first[k] = append(st.first[k], t)
		}
	}
	return st
}

// descGroups splits the terms of a two-letter description key into the
// shards they are written to: the key's own, and, when the key has more
// than descSplit postings, one per three-letter prefix for longer terms.
// The postings are gaps.
func descGroups(k string, terms map[string][]int) map[string]map[string][]int {
	total := 0
	for _, ps := range terms {
		total += len(ps)
	}
	groups := map[string]map[string][]int{k: {}}
	for term, ps := range terms {
		gk := k
		if total > descSplit && utf8.RuneCountInString(term) > 2 {
			gk = string([]rune(term)[:3])
		}
		if groups[gk] == nil {
			groups[gk] = map[string][]int{}
		}
		groups[gk][term] = deltas(ps)
	}
	return groups
}

// dirtySet is what a patch changed: the shard keys and document chunks
// to write again.
type dirtySet struct {
	names, desc, first map[string]bool
	chunks             map[int]bool
	docs               int      // documents whose postings or display fields changed
	gone               []string // files of shards that no longer exist
}

// patch brings st, the content of the previous write, to entries by
// patching the postings of the documents that changed, and says which
// shards to write. It gives up (nil, nil) when documents were added,
// removed or renamed (the documents after them are numbered anew, which
// changes most shards anyway) or too many changed; st is then left as it
// was. A patched st is the state newStaticState would assemble.
func (st *staticState) patch(entries []*entry, rows [][]string) (*staticState, *dirtySet) {
	if len(entries) != len(st.entries) {
		return nil, nil
	}
	var changed []int
	for i, e := range entries {
		old := st.entries[i]
		if old.doc.ID != e.doc.ID || old.doc.Kind != e.doc.Kind || old.doc.Scope != e.doc.Scope {
			return nil, nil
		}
		if !samePostings(old, e) || !slices.Equal(st.rows[i], rows[i]) {
			changed = append(changed, i)
			if len(changed) > maxPatched {
				return nil, nil
			}
		}
	}
	d := &dirtySet{names: map[string]bool{}, desc: map[string]bool{}, first: map[string]bool{}, chunks: map[int]bool{}, docs: len(changed)}
	for _, ord := range changed {
		old, e := st.entries[ord], entries[ord]
		if !slices.Equal(st.rows[ord], rows[ord]) {
			d.chunks[ord/DocChunk] = true
		}
		if samePostings(old, e) {
			continue
		}
		// Name postings: the document's pairs out of every term it had,
		// then in, at its place, for every term it has now.
		seen := map[string]bool{}
		old.eachNamePosting(func(term string, _ int) {
			if seen[term] {
				return
			}
			seen[term] = true
			k := shardKey(term)
			d.names[k] = true
			ps := removePairs(st.names[k][term], ord)
			if len(ps) == 0 {
				delete(st.names[k], term)
				if len(st.names[k]) == 0 {
					delete(st.names, k)
					d.gone = append(d.gone, filepath.Join("n", shardFile(k)))
				}
				st.removeFirst(term, d)
				return
			}
			st.names[k][term] = ps
		})
		var terms []string
		mine := map[string][]int{}
		e.eachNamePosting(func(term string, packed int) {
			if mine[term] == nil {
				terms = append(terms, term)
			}
			mine[term] = append(mine[term], ord, packed)
		})
		for _, term := range terms {
			k := shardKey(term)
			d.names[k] = true
			if st.names[k] == nil {
				st.names[k] = map[string][]int{}
			}
			ps, had := st.names[k][term]
			if !had {
				st.addFirst(term, d)
			}
			st.names[k][term] = insertPairs(ps, mine[term])
		}
		// Description postings.
		for _, t := range old.Desc {
			k := shardKey(t)
			d.desc[k] = true
			ps := removeDoc(st.desc[k][t], ord)
			if len(ps) == 0 {
				delete(st.desc[k], t)
				if len(st.desc[k]) == 0 {
					delete(st.desc, k)
					for _, gk := range st.groups[k] {
						d.gone = append(d.gone, filepath.Join("d", shardFile(gk)))
					}
					delete(st.groups, k)
				}
				continue
			}
			st.desc[k][t] = ps
		}
		for _, t := range e.Desc {
			k := shardKey(t)
			d.desc[k] = true
			if st.desc[k] == nil {
				st.desc[k] = map[string][]int{}
			}
			st.desc[k][t] = insertDoc(st.desc[k][t], ord)
		}
	}
	st.entries, st.rows = entries, rows
	return st, d
}

// samePostings reports whether a and b, entries of the same document,
// give the same name and description postings.
func samePostings(a, b *entry) bool {
	return a.Prior == b.Prior && a.ModFrom == b.ModFrom && a.ModTo == b.ModTo && a.Family == b.Family && a.Cmd == b.Cmd &&
		slices.Equal(a.Name, b.Name) && slices.Equal(a.Sub, b.Sub) && slices.Equal(a.Joined, b.Joined) &&
		slices.Equal(a.Desc, b.Desc)
}

// removePairs drops the [doc, packed] pairs of document ord.
func removePairs(ps []int, ord int) []int {
	out := ps[:0:0]
	for i := 0; i < len(ps); i += 2 {
		if ps[i] != ord {
			out = append(out, ps[i], ps[i+1])
		}
	}
	return out
}

// insertPairs puts mine, the pairs of one document, after the pairs of
// the documents numbered before it.
func insertPairs(ps, mine []int) []int {
	at := 0
	for at < len(ps) && ps[at] < mine[0] {
		at += 2
	}
	return slices.Concat(ps[:at], mine, ps[at:])
}

func removeDoc(ps []int, ord int) []int {
	if i, ok := slices.BinarySearch(ps, ord); ok {
		return slices.Concat(ps[:i], ps[i+1:])
	}
	return ps
}

func insertDoc(ps []int, ord int) []int {
	i, ok := slices.BinarySearch(ps, ord)
	if ok {
		return ps
	}
	return slices.Concat(ps[:i], []int{ord}, ps[i:])
}

// addFirst and removeFirst keep the first-letter index in step with a
// name term that appeared or went away.
func (st *staticState) addFirst(term string, d *dirtySet) {
	k := firstLetterKey(term)
	if k == "" {
		return
	}
	l := st.first[k]
	if i, ok := slices.BinarySearch(l, term); !ok {
		st.first[k] = slices.Insert(slices.Clone(l), i, term)
		d.first[k] = true
	}
}

func (st *staticState) removeFirst(term string, d *dirtySet) {
	k := firstLetterKey(term)
	if k == "" {
		return
	}
	l := st.first[k]
	if i, ok := slices.BinarySearch(l, term); ok {
		l = slices.Delete(slices.Clone(l), i, i+1)
		d.first[k] = true
		if len(l) == 0 {
			delete(st.first, k)
			d.gone = append(d.gone, filepath.Join("f", shardFile(k)))
			return
		}
		st.first[k] = l
	}
}

type staticWriter struct {
	dir     string
	noSizes bool // skip gzip sizing (the gzip fields of stats stay 0)
	rec     *StaticRecord
	written map[string][32]byte // incremental writes: this write's files
	stats   Stats
	gz      *gzip.Writer // reused: a new gzip.Writer allocates about a megabyte
	count   countWriter
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func (w *staticWriter) write(rel string, v any, shard bool) error {
	gz, err := w.writeSized(rel, v)
	if shard && gz > w.stats.MaxShardGzip {
		w.stats.MaxShardGzip, w.stats.MaxShard = gz, rel
	}
	return err
}

// writeSized writes v as JSON to rel and returns its gzip-compressed size.
func (w *staticWriter) writeSized(rel string, v any) (int64, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("search index %s: %w", rel, err)
	}
	path := filepath.Join(w.dir, rel)
	if w.rec != nil {
		sum := sha256.Sum256(data)
		w.written[rel] = sum
		if old, ok := w.rec.files[rel]; !ok || old != sum {
			if err := replaceFile(path, data); err != nil {
				return 0, fmt.Errorf("search index: %w", err)
			}
			w.rec.Written++
		}
	} else if err := os.WriteFile(path, data, 0o644); err != nil {
		return 0, fmt.Errorf("search index: %w", err)
	}
	w.stats.Bytes += int64(len(data))
	if w.noSizes {
		return 0, nil
	}
	gz := w.gzipSize(data)
	w.stats.GzipBytes += gz
	return gz, nil
}

// replaceFile writes data to path through a temporary file and a rename,
// so that a reader sees the old file or the new one, never half of one.
func replaceFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// gzipSize is the size of data after gzip at the default level, which is
// what static hosts typically serve.
func (w *staticWriter) gzipSize(data []byte) int64 {
	w.count.n = 0
	if w.gz == nil {
		w.gz = gzip.NewWriter(&w.count)
	} else {
		w.gz.Reset(&w.count)
	}
	w.gz.Write(data)
	w.gz.Close()
	return w.count.n
}

// deltaPairs turns [doc, packed, doc, packed…] with ascending doc numbers
// into [doc gap, packed, …]: small numbers that compress well.
func deltaPairs(ps []int) []int {
	out := make([]int, len(ps))
	prev := 0
	for i := 0; i < len(ps); i += 2 {
		out[i], out[i+1] = ps[i]-prev, ps[i+1]
		prev = ps[i]
	}
	return out
}

// deltas turns ascending doc numbers into gaps.
func deltas(ps []int) []int {
	out := make([]int, len(ps))
	prev := 0
	for i, p := range ps {
		out[i] = p - prev
		prev = p
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
