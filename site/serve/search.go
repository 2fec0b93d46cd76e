package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search"
	"github.com/atproto-nur/atproto-nur/site"
)

// indexDelay keeps the search indexes off the save → reload path: they
// are rebuilt once no build happened for this long.
const indexDelay = 300 * time.Millisecond

// indexJob is the latest build served, for the index loop.
type indexJob struct {
	slot   int
	dir    string
	docs   []indexer.Document
	layout *site.Layout
	stamp  string // site.Result.DocsStamp
	// entries are docs prepared for indexing, once for both indexes (the
	// index loop makes them, in prepTime).
	entries  *search.Entries
	prepTime time.Duration
}

// indexLoop brings the search indexes in step with the served site once
// builds pause: the static index search.js reads (inside the served
// slot) now, the bleve index behind /api/search when it is next asked
// (see bleveLoop). Both are skipped when the documents and their URLs are
// unchanged (a template edit).
func (s *server) indexLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.kickIndex:
		}
		// Wait for a pause: every new build restarts the wait.
	pause:
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.kickIndex:
			case <-time.After(indexDelay):
				break pause
			}
		}
		s.mu.Lock()
		job := s.indexJob
		s.mu.Unlock()
		if job == nil {
			continue
		}
		stamp := job.stamp
		s.mu.Lock()
		apiStale := !s.cfg.NoSearchAPI && stamp != s.searchKey
		s.mu.Unlock()
		if job.entries == nil && (s.staticIndex && s.indexStamp != stamp || apiStale) {
			start := time.Now()
			job.entries = search.NewEntries(job.docs, job.layout.URL, &s.tokens)
			job.prepTime = time.Since(start)
		}
		if s.staticIndex {
			s.writeStaticIndex(job, stamp)
		}
		if s.cfg.NoSearchAPI {
			continue
		}
		s.mu.Lock()
		stale := stamp != s.searchKey
		if stale {
			s.bleveJob, s.bleveStamp = job, stamp
		}
		s.mu.Unlock()
		if stale {
			kick(s.kickBleve)
		}
	}
}

// bleveLoop brings the bleve index behind /api/search to the documents of
// the latest index job: built once, then updated in place, which indexes
// only the documents whose fields changed (search.Index.Update).
func (s *server) bleveLoop(ctx context.Context) {
	n := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.kickBleve:
		}
		s.mu.Lock()
		job, stamp := s.bleveJob, s.bleveStamp
		s.bleveJob = nil
		s.mu.Unlock()
		if job == nil {
			continue
		}
		start := time.Now()
		s.searchMu.RLock()
		cur := s.searchIx
		s.searchMu.RUnlock()
		if cur != nil {
			entries := job.entries
			if entries == nil {
				entries = search.NewEntries(job.docs, job.layout.URL, &s.tokens)
			}
			changed, err := cur.UpdateEntries(entries)
			if err != nil {
				// The index holds part of the change: build it afresh.
				s.logf("search API index: %v; building it again", err)
			} else {
				s.mu.Lock()
				s.searchKey = stamp
				s.mu.Unlock()
				s.logf("search API index updated in %s (%d documents indexed or removed; the documents were prepared for both indexes)",
					time.Since(start).Round(time.Millisecond), changed)
				continue
			}
		}
		n++
		path := filepath.Join(s.tmp, "search-"+strconv.Itoa(n)+".bleve")
		ix, err := search.OpenOrBuild(path, job.docs, job.layout.URL)
		if err != nil {
			s.logf("search index: %v", err)
			continue
		}
		s.mu.Lock()
		s.searchKey = stamp
		s.mu.Unlock()
		s.searchMu.Lock() // waits for searches on the old index to finish
		old := s.searchIx
		s.searchIx = ix
		s.searchMu.Unlock()
		if old != nil {
			old.Close()
			os.RemoveAll(old.Path())
		}
		if n == 1 {
			s.logf("search API ready at /api/search?q= (%d documents indexed in %s)", len(job.docs), time.Since(start).Round(time.Millisecond))
		}
	}
}

// writeStaticIndex brings the browser's search index up to the job's
// documents. It lives in a folder of its own (served as search/…), so it
// is there whichever build slot is served. The write is incremental: the
// shards and document chunks whose bytes did not change are not written
// again (a guide edit changes a few dozen of the thousands a large site
// has), each changed file is replaced atomically, and the manifest goes
// last. Only the index loop calls it.
func (s *server) writeStaticIndex(job *indexJob, stamp string) {
	if s.indexStamp == stamp {
		return // current already
	}
	start := time.Now()
	_, err := search.WriteStaticIndexWith(s.indexDir, job.docs, job.layout.URL,
		search.StaticOptions{Record: s.indexRec, Tokens: &s.tokens, Entries: job.entries})
	if err != nil {
		// What the folder holds is no longer known: start afresh.
		s.indexRec, s.indexStamp = &search.StaticRecord{}, ""
		os.RemoveAll(s.indexDir)
		s.logf("search index: %v", err)
		return
	}
	s.indexStamp = stamp
	s.indexWrites++
	if s.indexWrites > 1 {
		how := fmt.Sprintf("postings of %d documents patched", s.indexRec.Patched)
		if s.indexRec.Patched < 0 {
			how = "assembled from all documents" // documents added or removed
		}
		s.logf("search index updated in %s (%s preparing the documents, %d tokenized anew; %d files changed, %s)",
			(job.prepTime + time.Since(start)).Round(time.Millisecond), job.prepTime.Round(time.Millisecond),
			s.indexRec.Tokenized, s.indexRec.Written, how)
	}
}

// serveSearch answers GET /api/search?q=…&kind=option&scope=…&limit=N
// with the ranked results as JSON; result URLs are relative to base.
func (s *server) serveSearch(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	opts := search.Options{Kind: indexer.Kind(q.Get("kind")), Scope: q.Get("scope")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 || n > 1000 {
			writeJSON(w, r, http.StatusBadRequest, map[string]string{"error": "limit must be a number from 0 to 1000"})
			return
		}
		opts.Limit = n
	}
	switch opts.Kind {
	case "", indexer.KindOption, indexer.KindPackage, indexer.KindGuide:
	default:
		writeJSON(w, r, http.StatusBadRequest, map[string]string{"error": "kind must be option, package or guide"})
		return
	}
	s.mu.Lock()
	stale := s.bleveJob != nil
	s.mu.Unlock()
	if stale {
		kick(s.kickBleve)
		w.Header().Set("X-Nurdocs-Search", "stale; updating")
	}
	s.searchMu.RLock()
	ix := s.searchIx
	if ix == nil {
		s.searchMu.RUnlock()
		writeJSON(w, r, http.StatusServiceUnavailable, map[string]string{"error": errNoIndex.Error()})
		return
	}
	res, err := ix.SearchContext(r.Context(), q.Get("q"), opts)
	s.searchMu.RUnlock()
	var qe *search.QueryError
	switch {
	case errors.As(err, &qe):
		// The message names the limit; the query is not echoed back.
		writeJSON(w, r, http.StatusBadRequest, map[string]string{"error": qe.Error()})
		return
	case err != nil:
		// The engine's message is for the log, not for the client.
		s.logf("search: %v", err)
		writeJSON(w, r, http.StatusInternalServerError, map[string]string{"error": "search failed; the server log has the details"})
		return
	}
	if res == nil {
		res = []search.Result{}
	}
	writeJSON(w, r, http.StatusOK, struct {
		Query   string          `json:"query"`
		Base    string          `json:"base"`
		Results []search.Result `json:"results"`
	}{q.Get("q"), s.base, res})
}

func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(w, r, status, "application/json", data)
}
