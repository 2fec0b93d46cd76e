// Package serve is the live preview of the documentation site: it builds
// the site into a temporary folder, serves it on loopback, watches the
// guides, the theme and the Nix sources, rebuilds on every save and tells
// open tabs to reload (or shows the error) over server-sent events.
package serve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search"
	"github.com/atproto-nur/atproto-nur/site"
)

// DefaultAddr listens on loopback only: the preview is for the person at
// this machine, not the network.
const DefaultAddr = "127.0.0.1:8080"

// livePrefix is where the live-reload script and its event stream are
// served, outside any site path.
const livePrefix = "/__nurdocs/"

// Config says what to preview and where.
type Config struct {
	Addr string // listen address; DefaultAddr when empty
	// Site configures the build. Out is ignored (the site is built into a
	// temporary folder); an empty ThemeDir means REPO/themes/default when
	// it exists, so template edits show up. Index, when set, says the site
	// has the browser's search index: the preview writes it itself, after
	// the reload and incrementally (search.StaticOptions.Record).
	Site site.Config
	// Sources are the inputs. With Mode auto or live and Nix available,
	// the repository's export is evaluated live and re-evaluated in the
	// background when a .nix file changes.
	Sources *indexer.Sources
	Log     io.Writer // progress and errors; os.Stderr when nil
	// Quiet and MaxDelay debounce file events: a rebuild starts Quiet
	// after the last event of a burst, at most MaxDelay after its first.
	Quiet, MaxDelay time.Duration
	// Ready is called with the site's URL once the server accepts
	// connections.
	Ready func(url string)
	// NoSearchAPI leaves out /api/search (and its bleve index).
	NoSearchAPI bool
}

// served is the build currently served.
type served struct {
	dir   string
	build string // instance-number, so tabs of a restarted server reload too
}

type server struct {
	cfg      Config
	log      io.Writer
	base     string // path prefix of the site, "/" or "/sub/"
	tmp      string
	themeDir string
	repoDir  string
	builder  *site.Builder
	files    *indexer.Sources
	live     *liveRepo // nil unless the export is evaluated live
	broker   *broker
	instance string

	cur       atomic.Pointer[served]
	kickBuild chan struct{}
	kickNix   chan struct{}
	kickIndex chan struct{}

	mu        sync.Mutex
	buildProb *Problem
	nixProb   *Problem
	notes     map[string]bool
	lastDocs  []indexer.Document
	pending   time.Time // first event of the change being built, for the log
	warnings  int
	mdProbs   []Problem // Markdown diagnostics of the served build, shown in the page

	// Build slots: the site is built alternately into two folders, so a
	// failed build never touches the one being served.
	slots  [2]string
	next   int
	builds int

	slotMu [2]sync.Mutex // held while building into a slot or mirroring into it

	// The search indexes are written after the tabs reloaded, once saves
	// pause, and only when the documents changed: the static index is the
	// slowest part of a build, and search results may lag a second.
	// staticIndex: the site has the browser's search index (Site.Index
	// is set); the preview writes it itself, incrementally.
	staticIndex bool
	indexJob    *indexJob
	// The static index lives in a folder of its own, outside the build
	// slots, and is served as the site's search/ files: it is there
	// whichever slot is served, and one incremental write keeps it current.
	indexDir    string
	indexStamp  string               // stamp of the documents it was written from
	indexRec    *search.StaticRecord // what the writes put there
	indexWrites int

	// tokens keeps the documents' words between index writes, so an
	// update tokenizes only the documents that changed (both indexes).
	tokens search.TokenCache

	kickBleve  chan struct{}
	bleveJob   *indexJob // documents newer than the bleve index (under mu)
	bleveStamp string
	searchKey  string // stamp of the bleve index (under mu)
	searchMu   sync.RWMutex
	searchIx   *search.Index
}

// Run builds and serves the site until ctx is cancelled, then shuts the
// server down, stops watching and removes the temporary folder.
func Run(ctx context.Context, cfg Config) error {
	s, err := newServer(cfg)
	if err != nil {
		return err
	}
	defer os.RemoveAll(s.tmp)
	return s.run(ctx)
}

func newServer(cfg Config) (*server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Sources == nil {
		cfg.Sources = &indexer.Sources{Repo: "."}
	}
	if cfg.Quiet <= 0 {
		cfg.Quiet = 10 * time.Millisecond
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 100 * time.Millisecond
	}
	s := &server{cfg: cfg, log: cfg.Log, broker: newBroker(), notes: map[string]bool{},
		kickBuild: make(chan struct{}, 1), kickNix: make(chan struct{}, 1), kickIndex: make(chan struct{}, 1),
		kickBleve: make(chan struct{}, 1),
		instance:  strconv.FormatInt(time.Now().UnixNano(), 36)}
	if s.log == nil {
		s.log = os.Stderr
	}
	base, err := basePath(cfg.Site.BaseURL)
	if err != nil {
		return nil, err
	}
	s.base = base
	s.repoDir = cfg.Sources.Repo
	if s.repoDir == "" {
		s.repoDir = "."
	}
	s.themeDir = cfg.Site.ThemeDir
	if s.themeDir == "" {
		if d := filepath.Join(s.repoDir, "themes", "default"); isDir(filepath.Join(d, "templates")) {
			s.themeDir = d
		}
	}
	s.cfg.Site.ThemeDir = s.themeDir
	s.tmp, err = os.MkdirTemp("", "nurdocs-serve-")
	if err != nil {
		return nil, fmt.Errorf("temporary folder for the preview: %w", err)
	}
	for i := range s.slots {
		if s.slots[i], err = os.MkdirTemp(s.tmp, "site-"); err != nil {
			os.RemoveAll(s.tmp)
			return nil, err
		}
	}
	return s, nil
}

// basePath is the path part of --base-url, with slashes on both ends.
func basePath(raw string) (string, error) {
	if raw == "" {
		return "/", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("--base-url %q: %w", raw, err)
	}
	p := u.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p, nil
}

func (s *server) logf(format string, args ...any) {
	fmt.Fprintf(s.log, "serve: "+format+"\n", args...)
}

// setupSources decides where the repository's data comes from. Live
// evaluation (auto with Nix present, or live) runs here once, so the first
// page already has it; later evaluations run in the background.
func (s *server) setupSources(ctx context.Context) error {
	src := s.cfg.Sources
	files := &indexer.Sources{Repo: src.Repo, Mode: src.Mode, Revision: src.Revision,
		Options: src.Options, Packages: src.Packages, ContentDir: src.ContentDir}
	s.files = files
	mode := src.Mode
	if mode == "" {
		mode = indexer.SourceAuto
	}
	if mode != indexer.SourceAuto && mode != indexer.SourceLive {
		return nil // snapshot or none: Sources handles them, re-reading changed files
	}
	if err := indexer.NixAvailable(ctx, s.repoDir); err != nil {
		if mode == indexer.SourceLive {
			return err
		}
		if _, serr := os.Stat(filepath.Join(s.repoDir, indexer.SnapshotFile)); serr == nil {
			files.Mode = indexer.SourceSnapshot
		} else {
			files.Mode = indexer.SourceNone
		}
		s.logf("%v; .nix changes will not be re-evaluated", err)
		return nil
	}
	files.Mode = indexer.SourceNone
	s.live = &liveRepo{repo: s.repoDir, revision: src.Revision}
	start := time.Now()
	if _, err := s.live.evaluate(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.setProblem("nix", err)
		note, ferr := s.live.fallback()
		if ferr != nil {
			return ferr
		}
		if note != "" {
			s.logf("%s", note)
		}
		return nil
	}
	s.logf("evaluated %s in %s", exportExpression, time.Since(start).Round(time.Millisecond))
	return nil
}

// load is the builder's input function: guides and files through
// indexer.Sources (which re-reads only changed files), plus the current
// live export.
func (s *server) load(ctx context.Context) (*site.Inputs, error) {
	l, err := s.files.Load(ctx)
	if err != nil {
		return nil, err
	}
	in := &site.Inputs{Docs: l.Docs, Modules: l.Modules, Templates: l.Templates, Source: l.Source}
	if s.live != nil {
		rd := s.live.current()
		docs := make([]indexer.Document, 0, len(rd.docs)+len(l.Docs))
		in.Docs = append(append(docs, rd.docs...), l.Docs...)
		in.Modules, in.Templates, in.Source = rd.modules, rd.templates, rd.source
	}
	s.mu.Lock()
	for _, n := range l.Notes {
		if !s.notes[n] {
			s.notes[n] = true
			fmt.Fprintln(s.log, "note:", n)
		}
	}
	s.lastDocs = in.Docs
	s.mu.Unlock()
	return in, nil
}

func (s *server) run(ctx context.Context) error {
	// Listen first: a port in use fails at once, not after a build.
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	defer ln.Close()
	if err := s.setupSources(ctx); err != nil {
		return err
	}
	siteCfg := s.cfg.Site
	siteCfg.Out = ""
	siteCfg.Progress = nil
	if siteCfg.Index != nil {
		s.staticIndex = true
		s.indexDir = filepath.Join(s.tmp, "search-index")
		s.indexRec = &search.StaticRecord{}
		siteCfg.Index = func(string, []indexer.Document, func(indexer.Document) string) error {
			return nil // the index loop writes it, off the save → reload path
		}
	}
	s.builder = site.NewBuilder(siteCfg, s.load)

	start := time.Now()
	if err := s.rebuild(ctx); err == nil {
		s.logf("built the site in %s", time.Since(start).Round(time.Millisecond))
	}

	w, err := newWatcher(s.watchTargets(), s.cfg.Quiet, s.cfg.MaxDelay, func(err error) {
		s.logf("watching files: %v", err)
	})
	if err != nil {
		return fmt.Errorf("watching files: %w", err)
	}
	defer w.close()

	var h http.Handler = s
	if isLoopback(ln.Addr()) {
		h = loopbackOnly(s)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	siteURL := "http://" + ln.Addr().String() + s.base
	if !isLoopback(ln.Addr()) {
		s.logf("listening on %s, which other machines can reach; use --addr 127.0.0.1:PORT to keep the preview local", ln.Addr())
	}

	work, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	batches := make(chan batch)
	wg.Go(func() { w.run(work, batches) })
	wg.Go(func() { s.buildLoop(work) })
	if s.live != nil {
		wg.Go(func() { s.nixLoop(work) })
	}
	wg.Go(func() { s.indexLoop(work) })
	if !s.cfg.NoSearchAPI {
		wg.Go(func() { s.bleveLoop(work) })
	}
	wg.Go(func() {
		for {
			select {
			case <-work.Done():
				return
			case b := <-batches:
				s.changed(b)
			}
		}
	})

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	s.logf("serving %s (Ctrl-C stops)", siteURL)
	if s.cfg.Ready != nil {
		s.cfg.Ready(siteURL)
	}

	var err2 error
	select {
	case <-ctx.Done():
	case err2 = <-serveErr:
		err2 = fmt.Errorf("serving: %w", err2)
	}
	// Shut down: end the event streams (they never finish on their own),
	// let requests in flight complete, stop watching and building.
	s.broker.close()
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && err2 == nil {
		err2 = fmt.Errorf("shutting down: %w", err)
	}
	stop()
	w.close()
	wg.Wait()
	s.searchMu.Lock()
	if s.searchIx != nil {
		s.searchIx.Close()
		s.searchIx = nil
	}
	s.searchMu.Unlock()
	if err2 == nil {
		s.logf("stopped")
	}
	return err2
}

// watchTargets lists what to watch: guides and theme (rebuild), the
// --options/--packages files and the snapshot (rebuild), nix/ and the
// top-level Nix files (re-evaluate) when evaluating live.
func (s *server) watchTargets() []watchTarget {
	content := s.cfg.Sources.ContentDir
	if content == "" {
		content = filepath.Join(s.repoDir, "content")
	}
	t := []watchTarget{{path: content, recursive: true, kind: changeSite}}
	if s.themeDir != "" {
		t = append(t, watchTarget{path: s.themeDir, recursive: true, kind: changeSite})
	}
	for _, in := range append(append([]indexer.FileInput{}, s.cfg.Sources.Options...), s.cfg.Sources.Packages...) {
		t = append(t, watchTarget{path: in.Path, kind: changeSite})
	}
	if s.files.Mode == indexer.SourceSnapshot {
		t = append(t, watchTarget{path: filepath.Join(s.repoDir, indexer.SnapshotFile), kind: changeSite})
	}
	if s.live != nil {
		t = append(t, watchTarget{path: filepath.Join(s.repoDir, "nix"), recursive: true, kind: changeNix, nixOnly: true,
			exclude: filepath.Join(s.repoDir, "nix", "tests")})
		for _, f := range []string{"default.nix", "flake.nix", "flake.lock"} {
			t = append(t, watchTarget{path: filepath.Join(s.repoDir, f), kind: changeNix})
		}
	}
	return t
}

func (s *server) changed(b batch) {
	s.mu.Lock()
	if s.pending.IsZero() {
		s.pending = b.first
	}
	s.mu.Unlock()
	if b.kind&changeSite != 0 {
		kick(s.kickBuild)
	}
	if b.kind&changeNix != 0 && s.live != nil {
		kick(s.kickNix)
	}
}

func kick(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default: // one is already queued; it will see this change too
	}
}

func (s *server) buildLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.kickBuild:
			s.rebuild(ctx)
		}
	}
}

func (s *server) nixLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.kickNix:
		}
		start := time.Now()
		s.logf("evaluating %s…", exportExpression)
		changed, err := s.live.evaluate(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.setProblem("nix", err)
			continue
		}
		s.clearProblem("nix")
		if !changed {
			s.logf("evaluated %s in %s: no change to the documentation", exportExpression, time.Since(start).Round(time.Millisecond))
			continue
		}
		s.logf("evaluated %s in %s", exportExpression, time.Since(start).Round(time.Millisecond))
		kick(s.kickBuild)
	}
}

// rebuild builds into the slot not being served and swaps it in on
// success; on failure the served site stays and the overlay shows why.
func (s *server) rebuild(ctx context.Context) error {
	slot := s.next
	dir := s.slots[slot]
	s.slotMu[slot].Lock()
	defer s.slotMu[slot].Unlock()
	res, err := s.builder.BuildInto(ctx, dir)
	s.mu.Lock()
	since := s.pending
	s.pending = time.Time{}
	s.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		// The failed build may have written some files: the builder
		// remembers which, and the next build into this folder rewrites
		// them (the served folder is untouched).
		s.setProblem("build", err)
		return err
	}
	s.builds++
	st := &served{dir: dir, build: s.instance + "-" + strconv.Itoa(s.builds)}
	prev := s.cur.Swap(st)
	s.next = 1 - slot
	s.mu.Lock()
	s.buildProb = nil
	newWarnings := len(res.Diagnostics) != s.warnings
	s.warnings = len(res.Diagnostics)
	s.mdProbs = markdownProblems(res.Diagnostics, s.repoDir)
	s.mu.Unlock()
	ev := reloadEvent{liveState: s.state()}
	if prev != nil {
		// The slot held a copy of the served build (Mirror) or, after a
		// failed Mirror, nothing: Changed is then every file, and
		// changesOf's bound makes every tab reload.
		ev.From, ev.Changes = prev.build, changesOf(res.Changed, s.base)
	}
	s.broker.publish("reload", ev)
	if s.builds > 1 {
		msg := fmt.Sprintf("rebuilt in %s (%d of %d pages rendered, %d of %d files changed)",
			res.Stats.Duration.Round(time.Millisecond), res.Stats.Rendered, res.Stats.Pages, res.Stats.Written, res.Stats.Files)
		if !since.IsZero() {
			msg += fmt.Sprintf(", %s after the save", time.Since(since).Round(time.Millisecond))
		}
		s.logf("%s", msg)
	}
	if newWarnings && len(res.Diagnostics) > 0 {
		s.logf("%d warnings (nurdocs check lists them), first: %s", len(res.Diagnostics), res.Diagnostics[0])
	}
	s.afterBuild(slot, dir, res.Layout, res.DocsStamp)
	// Bring the other slot up to this build (after the reload went out),
	// so the next rebuild there renders only what the next save changes.
	other := s.slots[s.next]
	s.slotMu[s.next].Lock()
	err = s.builder.Mirror(dir, other)
	s.slotMu[s.next].Unlock()
	if err != nil {
		// Not a problem for the preview: the next build there is a full one.
		s.logf("preparing the next build folder: %v", err)
	}
	return nil
}

// afterBuild hands the build just served to the index loop, which brings
// the browser's static search index and the bleve index behind
// /api/search in step once the saves have paused.
func (s *server) afterBuild(slot int, dir string, layout *site.Layout, stamp string) {
	s.mu.Lock()
	s.indexJob = &indexJob{slot: slot, dir: dir, docs: s.lastDocs, layout: layout, stamp: stamp}
	s.mu.Unlock()
	kick(s.kickIndex)
}

func (s *server) setProblem(kind string, err error) {
	p := problemFrom(kind, err, s.repoDir, s.themeDir)
	s.mu.Lock()
	if kind == "nix" {
		s.nixProb = &p
	} else {
		s.buildProb = &p
	}
	s.mu.Unlock()
	s.logf("error: %s", p)
	s.broker.publish("problems", s.state())
}

func (s *server) clearProblem(kind string) {
	s.mu.Lock()
	had := (kind == "nix" && s.nixProb != nil) || (kind == "build" && s.buildProb != nil)
	if kind == "nix" {
		s.nixProb = nil
	} else {
		s.buildProb = nil
	}
	s.mu.Unlock()
	if had {
		s.broker.publish("problems", s.state())
	}
}

// state is what a tab needs: the build served now and current problems.
func (s *server) state() liveState {
	st := liveState{Problems: []Problem{}}
	if cur := s.cur.Load(); cur != nil {
		st.Build = cur.build
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nixProb != nil {
		st.Problems = append(st.Problems, *s.nixProb)
	}
	if s.buildProb != nil {
		st.Problems = append(st.Problems, *s.buildProb)
	}
	st.Problems = append(st.Problems, s.mdProbs...)
	return st
}

func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}

// loopbackOnly refuses requests whose Host is not a loopback name: with
// DNS rebinding a web page could otherwise point its own host name at
// 127.0.0.1 and read the preview from the contributor's browser.
func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			host = hh
		}
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		ip := net.ParseIP(host)
		if !strings.EqualFold(host, "localhost") && !strings.HasSuffix(strings.ToLower(host), ".localhost") &&
			(ip == nil || !ip.IsLoopback()) {
			http.Error(w, "this preview answers only to localhost", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// ServeHTTP routes the live-reload endpoints, the search API and the site.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case livePrefix + "events":
		s.broker.serveEvents(w, r, s.state)
		return
	case livePrefix + "live.js":
		writeBody(w, r, http.StatusOK, "text/javascript; charset=utf-8", liveJS)
		return
	case "/api/search":
		if !s.cfg.NoSearchAPI {
			s.serveSearch(w, r)
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if s.base != "/" && (r.URL.Path == "/" || r.URL.Path+"/" == s.base) {
		http.Redirect(w, r, s.base, http.StatusFound)
		return
	}
	rel, ok := sitePath(r, s.base)
	if !ok {
		s.notFound(w, r)
		return
	}
	cur := s.cur.Load()
	if cur == nil {
		s.noSiteYet(w, r)
		return
	}
	dir := cur.dir
	if s.staticIndex && strings.HasPrefix(rel, "search/") && rel != "search/" && rel != "search/index.html" {
		// The browser's search index (search.js fetches search/manifest.json,
		// search/n/…), kept outside the slots.
		dir, rel = s.indexDir, strings.TrimPrefix(rel, "search/")
	}
	data, name, redirect, err := readSiteFile(dir, rel)
	switch {
	case redirect:
		target := (&url.URL{Path: r.URL.Path + "/", RawQuery: r.URL.RawQuery}).String()
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return
	case err != nil:
		s.notFound(w, r)
		return
	}
	ct := contentType(name)
	if strings.HasPrefix(ct, "text/html") {
		data = injectLive(data, s.state())
	} else if notModified(w, r, data) {
		return
	}
	writeBody(w, r, http.StatusOK, ct, data)
}

// notModified lets the browser keep the site's other files (style
// sheets, scripts, search shards) between reloads: they carry an ETag of
// their bytes and must be revalidated on every use, so a reload after a
// save fetches only what changed, and the script engine can reuse what it
// compiled. It answers 304 when the tab already has these bytes. Pages
// stay no-store: they carry the live state.
func notModified(w http.ResponseWriter, r *http.Request, data []byte) bool {
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimPrefix(strings.TrimSpace(t), "W/"); t == etag || t == "*" {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

// notFound answers with the site's own 404 page (live script included, so
// a tab left on a page that went away still reloads).
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	if cur := s.cur.Load(); cur != nil {
		if data, _, _, err := readSiteFile(cur.dir, "404.html"); err == nil {
			writeBody(w, r, http.StatusNotFound, "text/html; charset=utf-8", injectLive(data, s.state()))
			return
		}
	}
	writeBody(w, r, http.StatusNotFound, "text/plain; charset=utf-8", []byte("404 page not found\n"))
}

// noSiteYet is every page while no build has succeeded: the overlay says
// why, and the tab reloads when the first build works.
func (s *server) noSiteYet(w http.ResponseWriter, r *http.Request) {
	page := []byte("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>nurdocs serve</title></head>" +
		"<body><p>The site has not been built yet. This page reloads when the build succeeds.</p></body></html>")
	writeBody(w, r, http.StatusServiceUnavailable, "text/html; charset=utf-8", injectLive(page, s.state()))
}

// errNoIndex is reported by /api/search before its index exists.
var errNoIndex = errors.New("the search index is being built; try again in a moment")
