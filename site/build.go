package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atproto-nur/atproto-nur/changes"
	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/themes"
)

// Config says how to build a site.
type Config struct {
	Out        string // output folder (Build swaps the finished site in here)
	BaseURL    string // "/", "/atproto-nur/" or "https://example.org/docs/"
	RepoURL    string // source browser of this repository, "https://github.com/o/r"
	Revision   string // commit or branch for source links; "main" when empty
	EditBranch string // branch for "edit this page" links; "main" when empty
	// ScopeSource maps a scope to the URL prefix of its repository-relative
	// declaration paths, e.g. "NixOS" → "https://github.com/NixOS/nixpkgs/blob/master".
	ScopeSource map[string]string
	// ScopeRevision maps a scope to the revision of its upstream repository
	// its options were taken from ("NixOS" → a nixpkgs commit): source
	// links open that revision and the scope's pages name it.
	ScopeRevision map[string]string
	ContentDir    string // repository-relative folder of the guides, for "edit this page" links; "content" when empty
	ThemeDir      string // theme folder on disk; empty uses the embedded default theme
	Title         string // site title; "atproto-nur" when empty
	NoMinify      bool   // write HTML as the templates produce it (golden tests, debugging)
	Workers       int    // parallel renderers; GOMAXPROCS when 0
	Progress      Progress
	Log           io.Writer // verbose messages; nil for none
	// Index writes the browser search index into dir (search.WriteStaticIndex).
	// nil skips it.
	Index func(dir string, docs []indexer.Document, url func(indexer.Document) string) error
}

// Inputs are the documents of one build and what the export says beside them.
type Inputs struct {
	Docs      []indexer.Document
	Modules   []indexer.Module
	Templates []indexer.Template
	Source    string // where the repository's data came from, for messages
	// ContentDir is where the guides were read from, so diagnostics name
	// the real file; "edit this page" links use Config.ContentDir instead.
	ContentDir string
	// History is what changed release by release, newest first
	// (changes.History); nil when the build compared no revisions.
	History []*changes.Release
}

// Stats counts what a build did.
type Stats struct {
	Options, Packages, Guides int
	Pages                     int
	Files                     int
	Bytes                     int64
	Written                   int // files actually written (BuildInto skips unchanged ones)
	Rendered                  int // pages rendered (BuildInto skips those whose data did not change)
	Duration                  time.Duration
	Phases                    []PhaseTime
}

// PhaseTime is how long one phase of a build took.
type PhaseTime struct {
	Name     string
	Duration time.Duration
}

// Result is the outcome of a build.
type Result struct {
	Stats       Stats
	Diagnostics []Diagnostic
	Source      string
	Layout      *Layout // where each document ended up (URL function for search)
	// DocsStamp identifies the documents and the layout the build read,
	// cheaply (see groupScopes): two builds with the same stamp give the
	// same search index.
	DocsStamp string
	// Notes are things about the build worth telling its user that are not
	// problems of the input.
	Notes []string
	// Changed lists, for BuildInto, the site-relative paths (slash
	// separated, sorted) whose bytes differ from the previous build into
	// the same folder: files written and files removed. The preview uses
	// it to tell open tabs whether their page changed. Nil for Build.
	Changed []string
}

// relativeNote says what a base URL without a host means for the output.
const relativeNote = "the base URL has no host, so canonical links and sitemap.xml are relative paths, which search engines ignore: give the full URL, e.g. --base-url https://example.org/docs/"

// Builder builds a site repeatedly from inputs that may change between
// builds. It keeps rendered Markdown between builds, per segment of the
// site (see segments.go), and for BuildInto a record of every file it
// wrote, so a rebuild after one guide changed renders that guide and the
// pages that list it, carries the option and package pages over without
// reading them, and rewrites only the files whose bytes changed. Build and
// BuildInto may not run concurrently with each other on one Builder.
type Builder struct {
	cfg  Config
	load func(context.Context) (*Inputs, error)

	mu     sync.Mutex
	recs   map[string]*folderRec // per BuildInto folder: what the last build wrote there
	caches map[string]*mdCache   // per segment: rendered Markdown
	gen    int                   // builds started, to sweep unused cache entries
	last   *lastBuild
}

// lastBuild is what the previous build read, kept for the next: its
// layout is reused while the option and package documents are the same,
// and its inputs stay alive so that fingerprints stay sound (groupScopes).
type lastBuild struct {
	in     *Inputs
	layout *Layout
	fps    map[string]uint64 // scope segment → fingerprint
}

// NewBuilder returns a Builder. load is called at the start of every build
// and should itself avoid re-reading inputs that did not change.
func NewBuilder(cfg Config, load func(context.Context) (*Inputs, error)) *Builder {
	return &Builder{cfg: cfg, load: load, recs: map[string]*folderRec{}, caches: map[string]*mdCache{}}
}

// Build renders the whole site into a temporary folder beside cfg.Out and
// swaps it in only when everything succeeded; on error the previous site
// is left exactly as it was.
func (b *Builder) Build(ctx context.Context) (*Result, error) {
	if b.cfg.Out == "" {
		return nil, errors.New("no output folder given")
	}
	tmp, err := prepareTemp(b.cfg.Out)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	res, err := b.render(ctx, newOutput(tmp, !b.cfg.NoMinify, nil))
	if err != nil {
		return nil, err
	}
	swapStart := time.Now()
	if err := swapIn(tmp, b.cfg.Out); err != nil {
		return nil, err
	}
	ok = true
	res.Stats.Phases = append(res.Stats.Phases, PhaseTime{"swap", time.Since(swapStart)})
	res.Stats.Duration += time.Since(swapStart)
	if b.cfg.Log != nil {
		fmt.Fprintf(b.cfg.Log, "  %-14s %s\n", "swap", time.Since(swapStart).Round(time.Millisecond))
	}
	return res, nil
}

// BuildInto renders the site into dir in place, for the preview server:
// files whose bytes did not change since the previous BuildInto into the
// same dir are not rewritten, changed ones are replaced atomically, and
// files no longer produced are removed. On error dir keeps the previous
// build's files, some possibly already updated: the Builder remembers
// which, so the next BuildInto (or a Mirror into dir) puts them right.
func (b *Builder) BuildInto(ctx context.Context, dir string) (*Result, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b.mu.Lock()
	prev := b.recs[dir]
	b.mu.Unlock()
	if prev == nil {
		prev = &folderRec{segs: map[string]*segRec{}}
	}
	out := newOutput(dir, !b.cfg.NoMinify, prev)
	res, err := b.render(ctx, out)
	var removed []string
	if err == nil {
		removed, err = out.prune()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.recs[dir] = out.failedRecord()
		return nil, err
	}
	b.recs[dir] = out.cur
	res.Changed = out.changed(removed)
	return res, nil
}

func (b *Builder) render(ctx context.Context, out *output) (*Result, error) {
	start := time.Now()
	cfg := b.cfg
	prog := cfg.Progress
	if prog == nil {
		prog = nopProgress{}
	}
	var phases []PhaseTime
	phaseStart := start
	mark := func(name string) {
		now := time.Now()
		phases = append(phases, PhaseTime{name, now.Sub(phaseStart)})
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "  %-14s %s\n", name, now.Sub(phaseStart).Round(time.Millisecond))
		}
		phaseStart = now
	}
	prog.Phase("load inputs", 0)
	in, err := b.load(ctx)
	if err != nil {
		return nil, err
	}
	// Renamed options are known from the invisible aliases, which the
	// site does not show otherwise.
	withAliases := in.Docs
	in = withoutInvisible(in)
	in = withSince(in)
	fsys := themes.Default()
	if cfg.ThemeDir != "" {
		fsys = os.DirFS(cfg.ThemeDir)
	}
	th, err := loadTheme(fsys)
	if err != nil {
		return nil, err
	}
	order, scopes := groupScopes(in)
	fps := make(map[string]uint64, len(scopes))
	for sc, sd := range scopes {
		fps[scopeSeg(sc)] = sd.fp
	}
	var guides []*indexer.Document
	for i := range in.Docs {
		if d := &in.Docs[i]; d.Kind == indexer.KindGuide {
			guides = append(guides, d)
		}
	}
	b.mu.Lock()
	last := b.last
	b.gen++
	gen := b.gen
	b.mu.Unlock()
	// The layout of a scope's options and packages depends on its
	// documents alone (and, for the repository's own scope, the modules,
	// which its fingerprint covers): scopes whose documents are the same
	// keep their layout, and while all are, only the guides are placed
	// anew.
	var layout *Layout
	sameData := last != nil && maps.Equal(last.fps, fps)
	if sameData {
		layout = last.layout.withGuides(guides)
	} else {
		var modPrefixes []string
		for _, m := range in.Modules {
			if m.OptionPrefix != "" {
				modPrefixes = append(modPrefixes, m.OptionPrefix)
			}
		}
		var prev *Layout
		var keep func(string) bool
		if last != nil {
			prev = last.layout
			keep = func(scope string) bool {
				fp, ok := last.fps[scopeSeg(scope)]
				return ok && fp == fps[scopeSeg(scope)]
			}
		}
		layout = layoutScopes(order, scopes, modPrefixes, guides, prev, keep)
	}

	// Every return stops the file writer first, so a failed build never
	// leaves it writing into a folder that is being removed.
	defer out.close()
	r, err := newRun(&cfg, in, layout, th, out)
	if err != nil {
		return nil, err
	}
	r.gen, r.guides, r.scopes = gen, guides, scopes
	r.hist = newHistory(withAliases, in.History, layout, in.Modules)
	r.site.HasChanges = len(in.History) > 0 && th.pages["changes"] != nil
	r.prepareSite()
	b.mu.Lock()
	r.caches = b.caches
	for _, seg := range append(slices.Collect(maps.Keys(fps)), segGuides) {
		if r.caches[seg] == nil {
			r.caches[seg] = &mdCache{}
		}
	}
	if !sameData {
		// Rendered Markdown whose role lookups resolve differently under
		// the new layout is dropped (its segment's epoch moves on, so no
		// folder carries that segment's pages over).
		res := resolver{l: layout, base: r.site.Base}
		for _, c := range r.caches {
			c.revalidate(res)
		}
	}
	b.mu.Unlock()
	if out.cur != nil {
		out.cur.siteKey = r.siteKey
	}
	// Which scope segments this build renders, which it carries over.
	var render []string
	for seg := range fps {
		p := out.prevSeg(seg)
		if p != nil && out.prev.siteKey == r.siteKey && p.fp == fps[seg] && p.epoch == r.caches[seg].epoch {
			out.carry(seg)
			continue
		}
		render = append(render, seg)
	}
	slices.Sort(render)
	for _, seg := range render {
		out.begin(seg, fps[seg], r.caches[seg].epoch)
	}
	for _, seg := range []string{segCore, segGuides, segStatic} {
		out.begin(seg, 0, 0)
	}
	mark("load")
	// The search index needs only the documents and their URLs, so it is
	// written while the pages render: it is one goroutine of mostly
	// single-threaded work, and the renderers spend part of their time
	// waiting on the file system, which leaves a core for it.
	indexDone := make(chan error, 1)
	if cfg.Index != nil {
		go func() { indexDone <- cfg.Index(out.root+"/search", in.Docs, layout.URL) }()
	} else {
		indexDone <- nil
	}
	// Every return waits for the index writer, so a failed build never
	// leaves it writing into a folder that is being removed.
	indexWaited := false
	waitIndex := func() error {
		if indexWaited {
			return nil
		}
		indexWaited = true
		if err := <-indexDone; err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		return nil
	}
	defer waitIndex()
	want := map[string]bool{segCore: true, segGuides: true}
	for _, seg := range render {
		want[seg] = true
	}
	jobs := r.jobs(func(seg string) bool { return want[seg] })
	prog.Phase("render pages", len(jobs))
	if err := r.execute(ctx, jobs, prog); err != nil {
		return nil, err
	}
	mark("render")
	prog.Phase("static files", 0)
	if err := r.writeStatic(); err != nil {
		return nil, err
	}
	if err := r.writeSitemap(); err != nil {
		return nil, err
	}
	mark("static")
	if cfg.Index != nil {
		prog.Phase("search index", 0)
	}
	if err := waitIndex(); err != nil {
		return nil, err
	}
	if cfg.Index != nil {
		mark("search index") // the time left after rendering
	}
	if err := out.write(segCore, markerFile, []byte("built by nurdocs; this folder is replaced on every build\n")); err != nil {
		return nil, err
	}
	if err := out.close(); err != nil {
		return nil, fmt.Errorf("writing the site: %w", err)
	}
	b.mu.Lock()
	for seg := range want {
		if c := r.caches[seg]; c != nil {
			c.sweep(gen)
		}
	}
	b.last = &lastBuild{in: in, layout: layout, fps: fps}
	b.mu.Unlock()
	mark("flush")
	prog.Done()
	res := &Result{Source: in.Source, Layout: layout, Diagnostics: r.allDiags(), DocsStamp: docsStamp(fps, guides)}
	if r.site.Origin == "" {
		res.Notes = append(res.Notes, relativeNote)
	}
	for _, d := range in.Docs {
		switch d.Kind {
		case indexer.KindOption:
			res.Stats.Options++
		case indexer.KindPackage:
			res.Stats.Packages++
		case indexer.KindGuide:
			res.Stats.Guides++
		}
	}
	res.Stats.Pages = len(jobs)
	for _, sr := range r.carried() {
		res.Stats.Pages += sr.jobs
	}
	res.Stats.Rendered = int(r.rendered.Load())
	res.Stats.Files, res.Stats.Bytes = out.files, out.bytes
	res.Stats.Written = out.files
	if out.cur != nil {
		res.Stats.Written = out.written
	}
	res.Stats.Duration = time.Since(start)
	res.Stats.Phases = phases
	return res, nil
}

// withoutInvisible drops options declared with visible = false: like
// nixosOptionsDoc, the site does not document them (nor does search).
// Internal options stay, marked as such.
func withoutInvisible(in *Inputs) *Inputs {
	hidden := 0
	for i := range in.Docs {
		if o := in.Docs[i].Option; o != nil && !o.Visible {
			hidden++
		}
	}
	if hidden == 0 {
		return in
	}
	out := *in
	out.Docs = make([]indexer.Document, 0, len(in.Docs)-hidden)
	for _, d := range in.Docs {
		if d.Option == nil || d.Option.Visible {
			out.Docs = append(out.Docs, d)
		}
	}
	return &out
}

// withSince gives every document that changed in the history its newest
// mark (Document.Since), which the search index carries.
func withSince(in *Inputs) *Inputs {
	if len(in.History) == 0 {
		return in
	}
	marks := changes.Marks(in.History)
	out := *in
	out.Docs = make([]indexer.Document, len(in.Docs))
	for i, d := range in.Docs {
		d.Since = changes.Since(marks[d.ID])
		out.Docs[i] = d
	}
	return &out
}

// run is the state of one build.
type run struct {
	cfg      *Config
	in       *Inputs
	layout   *Layout
	th       *theme
	eng      mdEngine // descriptions
	guideEng mdEngine // guides: automatic heading ids
	caches   map[string]*mdCache
	gen      int
	out      *output
	site     *siteInfo
	guides   []*indexer.Document
	scopes   map[string]*scopeDocs

	snippetOnce  [2]sync.Once // index: primary scope or not
	servicesOnce sync.Once
	services     map[string][]serviceLink // see servicesRunning
	frameMu      sync.Mutex
	frames       map[string]*frame
	snippets     [2][]snippetTemplate

	// wholePages minifies every page whole instead of splicing in the
	// minified frame (tests compare the two).
	wholePages bool

	hist *history // marks, release pages, redirects of renamed options

	siteKey  [32]byte // see computeSiteKey
	rendered atomic.Int64

	mu    sync.Mutex
	diags map[string][]Diagnostic // by segment
	pages map[string][]string     // by segment: site-relative paths of the HTML pages, for the sitemap
	jobsN map[string]int          // by segment: pages rendered or kept
}

func newRun(cfg *Config, in *Inputs, layout *Layout, th *theme, out *output) (*run, error) {
	base, origin, err := parseBase(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	res := resolver{l: layout, base: base}
	r := &run{cfg: cfg, in: in, layout: layout, th: th, out: out,
		eng: newEngine(res, false), guideEng: newEngine(res, true), wholePages: minifyWholePages,
		diags: map[string][]Diagnostic{}, pages: map[string][]string{}, jobsN: map[string]int{}}
	title := cfg.Title
	if title == "" {
		title = "atproto-nur"
	}
	r.site = &siteInfo{Title: title, Base: base, Origin: origin, RepoURL: strings.TrimSuffix(cfg.RepoURL, "/"),
		Source: in.Source, HasSearchCSS: exists(th.static, "search.css"), HasSearchJS: exists(th.static, "search.js")}
	return r, nil
}

// prepareSite settles what every page shows of the whole site and the
// site key that covers it.
func (r *run) prepareSite() {
	r.site.HasOptions = len(r.layout.OptionPages) > 0
	for _, sd := range r.scopes {
		r.site.HasPackages = r.site.HasPackages || len(sd.pkgs) > 0
	}
	r.site.HasGuides = len(r.guides) > 0
	r.computeSiteKey()
}

// carried are the segments this build kept from the previous one.
func (r *run) carried() map[string]*segRec {
	out := map[string]*segRec{}
	if r.out.cur == nil {
		return out
	}
	for name, s := range r.out.cur.segs {
		if r.out.prev.segs[name] == s {
			out[name] = s
		}
	}
	return out
}

func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return err == nil
}

// parseBase splits --base-url into the path prefix every link starts with
// and, when a full URL was given, the origin for canonical URLs.
func parseBase(raw string) (base, origin string, err error) {
	if raw == "" {
		raw = "/"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("--base-url %q: %w", raw, err)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("--base-url %q: must not have a query or fragment", raw)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return "", "", fmt.Errorf("--base-url %q: only http and https URLs or a path", raw)
	}
	if u.Scheme != "" {
		origin = u.Scheme + "://" + u.Host
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p, origin, nil
}

func (r *run) href(rel string) string { return r.site.Base + rel }

// markdown renders a description of a document of scope (or a guide)
// with the cache of its segment.
func (r *run) markdown(scope, src string, guide bool) (template.HTML, []mdDiag) {
	if strings.TrimSpace(src) == "" {
		return "", nil
	}
	seg, eng := scopeSeg(scope), r.eng
	if guide {
		seg, eng = segGuides, r.guideEng
	}
	c := r.caches[seg]
	if c == nil {
		h, d, _ := eng.render(src)
		return h, d
	}
	if e, ok := c.get(src, r.gen); ok {
		return e.html, e.diags
	}
	h, d, refs := eng.render(src)
	c.put(src, &rendered{html: h, diags: d, refs: refs, gen: r.gen}, resolver{l: r.layout, base: r.site.Base})
	return h, d
}

// addDiags records Markdown problems of a document of segment seg.
func (r *run) addDiags(seg, scope, file string, firstLine int, where string, diags []mdDiag) {
	if len(diags) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range diags {
		dg := Diagnostic{Scope: scope, File: file, Where: where, Message: d.Message}
		if file != "" && d.Line > 0 {
			dg.Line = firstLine + d.Line - 1
		}
		r.diags[seg] = append(r.diags[seg], dg)
	}
}

// allDiags are the problems of this build's segments and of those it
// carried over, sorted.
func (r *run) allDiags() []Diagnostic {
	r.mu.Lock()
	var out []Diagnostic
	for _, ds := range r.diags {
		out = append(out, ds...)
	}
	r.mu.Unlock()
	for _, sr := range r.carried() {
		out = append(out, sr.diags...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Where != b.Where {
			return a.Where < b.Where
		}
		return a.Message < b.Message
	})
	return out
}

// job renders one page.
type job struct {
	seg   string // segment (segments.go)
	path  string // site-relative folder ("options/x/") or file ("404.html")
	kind  string // template
	noMap bool   // left out of the sitemap
	build func() *page
}

func (r *run) execute(ctx context.Context, jobs []job, prog Progress) error {
	workers := r.cfg.Workers
	if workers <= 0 {
		// Rendering is CPU work: files go to the output's own writer.
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := r.renderJob(jobs[i]); err != nil {
					cancel(err)
					return
				}
				prog.Step(1)
			}
		}()
	}
feed:
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	for _, j := range jobs {
		r.jobsN[j.seg]++
		if !j.noMap {
			r.pages[j.seg] = append(r.pages[j.seg], j.path)
		}
	}
	for seg, ps := range r.pages {
		sort.Strings(ps)
		if sr := r.segRec(seg); sr != nil {
			sr.pages = ps
		}
	}
	for seg, n := range r.jobsN {
		if sr := r.segRec(seg); sr != nil {
			sr.jobs = n
			sr.diags = r.diags[seg]
		}
	}
	return nil
}

// frameFor renders (once per section) the parts of the page frame that
// do not change between pages of a section.
func (r *run) frameFor(section string) (*frame, error) {
	r.frameMu.Lock()
	defer r.frameMu.Unlock()
	if f, ok := r.frames[section]; ok {
		return f, nil
	}
	data := &page{Site: r.site, Section: section}
	f := &frame{}
	var err error
	if f.Assets, err = r.th.part("assets", data); err != nil {
		return nil, err
	}
	if f.Header, err = r.th.part("header", data); err != nil {
		return nil, err
	}
	if f.Footer, err = r.th.part("footer", data); err != nil {
		return nil, err
	}
	if r.out.min != nil {
		f.minified = [3]string{}
		for i, part := range []template.HTML{f.Assets, f.Header, f.Footer} {
			if f.minified[i], err = r.out.min.String("text/html", string(part)); err != nil {
				return nil, fmt.Errorf("minifying the page frame: %w", err)
			}
		}
	}
	if r.frames == nil {
		r.frames = map[string]*frame{}
	}
	r.frames[section] = f
	return f, nil
}

// The page frame is the same on every page of a section, so minified
// builds minify it once per section: a page is rendered with a marker
// element in place of each part, minified, and the minified parts replace
// the markers. Minifying the markers in context then has to give exactly
// the bytes that minifying the whole page gives (TestSplicedFrameMatches
// checks every page); a page where a marker does not come out once and
// intact is minified whole instead.
var frameMarkers = [3]string{
	"<nurdocs-frame-assets></nurdocs-frame-assets>",
	"<nurdocs-frame-header></nurdocs-frame-header>",
	"<nurdocs-frame-footer></nurdocs-frame-footer>",
}

// Test hooks: minifyWholePages turns splicing off; testHookSpliced is
// called for every spliced page with its number of fragments.
var (
	minifyWholePages bool
	testHookSpliced  func(fragments int)
	// templatePages renders every page through the theme's templates,
	// also those generated code could write (tests compare the two).
	templatePages bool
)

var markerFrame = &frame{Assets: template.HTML(frameMarkers[0]), Header: template.HTML(frameMarkers[1]),
	Footer: template.HTML(frameMarkers[2])}

func fragmentMarker(i int) string {
	return fmt.Sprintf("<nurdocs-fragment-%d></nurdocs-fragment-%d>", i, i)
}

// spliceOne replaces the one occurrence of marker in page by repl; false
// when there is none or more than one.
func spliceOne(dst *bytes.Buffer, page []byte, marker, repl string) bool {
	at := bytes.Index(page, []byte(marker))
	if at < 0 || bytes.Contains(page[at+len(marker):], []byte(marker)) {
		return false
	}
	dst.Write(page[:at])
	dst.WriteString(repl)
	dst.Write(page[at+len(marker):])
	return true
}

// splice replaces the frame markers in a minified page by the minified
// frame parts; ok is false when a marker is missing or repeated.
func splice(dst *bytes.Buffer, page []byte, f *frame) bool {
	dst.Reset()
	rest := page
	for i, m := range frameMarkers {
		at := bytes.Index(rest, []byte(m))
		if at < 0 {
			return false
		}
		dst.Write(rest[:at])
		dst.WriteString(f.minified[i])
		rest = rest[at+len(m):]
		if bytes.Contains(rest, []byte(m)) {
			return false
		}
	}
	dst.Write(rest)
	return true
}

func (r *run) renderJob(j job) error {
	p := j.build()
	p.Site = r.site
	f, err := r.frameFor(p.Section)
	if err != nil {
		return err
	}
	p.Frame = f
	p.Path = j.path
	if p.Canonical == "" {
		p.Canonical = r.site.Origin + r.href(j.path)
	}
	if p.HeadTitle == "" {
		if p.Title != "" && p.Title != r.site.Title {
			p.HeadTitle = p.Title + " · " + r.site.Title
		} else {
			p.HeadTitle = r.site.Title
		}
	}
	file := j.path
	if file == "" || strings.HasSuffix(file, "/") {
		file += "index.html"
	}
	// A rebuild into a served folder skips a page whose data, theme and
	// settings are what they were: its file is already right. This keeps a
	// guide edit from re-rendering 2,000 option pages of a big site.
	var key [32]byte
	if r.out.cur != nil {
		var err error
		if key, err = r.pageKey(j.kind, p); err != nil {
			return fmt.Errorf("rendering %s: %w", j.path, err)
		}
		if r.out.keep(j.seg, file, key) {
			return nil
		}
	}
	r.rendered.Add(1)
	if ok, err := r.writeGenerated(j.seg, j.kind, file, p, key); ok || err != nil {
		return err
	}
	if r.out.min != nil && !r.wholePages {
		if ok, err := r.writeSpliced(j, p, file, f, key); ok || err != nil {
			return err
		}
		p.Frame = f
	}
	buf, err := r.th.execute(j.kind, p)
	if err != nil {
		return fmt.Errorf("rendering %s: %w", j.path, err)
	}
	defer bufPool.Put(buf)
	return r.out.writeKeyed(j.seg, file, buf.Bytes(), key)
}

// segRec is this build's record of a segment it renders; nil for Build.
func (r *run) segRec(seg string) *segRec {
	if r.out.cur == nil {
		return nil
	}
	r.out.mu.Lock()
	defer r.out.mu.Unlock()
	return r.out.cur.segs[seg]
}

// writeSpliced writes a page rendered with the marker frame, minified,
// with the minified frame spliced in; false means the page must be
// minified whole.
func (r *run) writeSpliced(j job, p *page, file string, f *frame, key [32]byte) (bool, error) {
	p.Frame = markerFrame
	for i, fr := range p.fragments {
		real := *fr.field
		*fr.field = template.HTML(fragmentMarker(i))
		defer func() { *fr.field = real }()
	}
	buf, err := r.th.execute(j.kind, p)
	if err != nil {
		return false, fmt.Errorf("rendering %s: %w", j.path, err)
	}
	defer bufPool.Put(buf)
	min := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(min)
	min.Reset()
	if err := r.out.min.Minify("text/html", min, bytes.NewReader(buf.Bytes())); err != nil {
		return false, fmt.Errorf("minifying %s: %w", file, err)
	}
	if !splice(buf, min.Bytes(), f) {
		return false, nil
	}
	for i, fr := range p.fragments {
		min.Reset()
		if !spliceOne(min, buf.Bytes(), fragmentMarker(i), fr.minified) {
			return false, nil
		}
		buf, min = min, buf
	}
	if testHookSpliced != nil {
		testHookSpliced(len(p.fragments))
	}
	return true, r.out.writeMinified(j.seg, file, buf.Bytes(), key)
}

// writeStatic copies the theme's static files and the highlighting CSS.
// A file whose source is what the previous build into the folder read is
// kept without minifying it again.
func (r *run) writeStatic() error {
	write := func(rel string, data []byte) error {
		key := sha256.Sum256(append([]byte(rel+"\x00"), data...))
		if r.out.keep(segStatic, rel, key) {
			return nil
		}
		return r.out.writeKeyed(segStatic, rel, data, key)
	}
	err := fs.WalkDir(r.th.static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") || strings.HasSuffix(d.Name(), "_test.js") {
			return nil
		}
		data, err := fs.ReadFile(r.th.static, p)
		if err != nil {
			return err
		}
		return write("static/"+p, data)
	})
	if err != nil {
		return fmt.Errorf("theme static files: %w", err)
	}
	return write("static/highlight.css", []byte(r.eng.styleCSS()))
}
