package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	// Notes are things about the build worth telling its user that are not
	// problems of the input.
	Notes []string
}

// relativeNote says what a base URL without a host means for the output.
const relativeNote = "the base URL has no host, so canonical links and sitemap.xml are relative paths, which search engines ignore: give the full URL, e.g. --base-url https://example.org/docs/"

// Builder builds a site repeatedly from inputs that may change between
// builds. It keeps rendered Markdown between builds (while the document set
// is the same) and, for BuildInto, the hash of every file it wrote, so a
// rebuild after one guide changed re-renders that guide's Markdown only and
// rewrites only the files whose bytes changed. Build and BuildInto may not
// run concurrently with each other on one Builder.
type Builder struct {
	cfg  Config
	load func(context.Context) (*Inputs, error)

	mu       sync.Mutex
	docsKey  string                         // identity of the last document set, for the caches
	optCache *mdCache                       // option descriptions, package long descriptions
	prev     map[string]map[string][32]byte // per BuildInto folder: file → content hash
	prevKeys map[string]map[string][32]byte // per BuildInto folder: page file → key of its data (pageKey)
}

// NewBuilder returns a Builder. load is called at the start of every build
// and should itself avoid re-reading inputs that did not change.
func NewBuilder(cfg Config, load func(context.Context) (*Inputs, error)) *Builder {
	return &Builder{cfg: cfg, load: load, optCache: &mdCache{}, prev: map[string]map[string][32]byte{},
		prevKeys: map[string]map[string][32]byte{}}
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
// build's files (some may already be updated).
func (b *Builder) BuildInto(ctx context.Context, dir string) (*Result, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b.mu.Lock()
	prev, prevKeys := b.prev[dir], b.prevKeys[dir]
	b.mu.Unlock()
	if prev == nil {
		prev = map[string][32]byte{}
	}
	out := newOutput(dir, !b.cfg.NoMinify, prev)
	out.prevKeys = prevKeys
	res, err := b.render(ctx, out)
	if err != nil {
		return nil, err
	}
	if err := out.prune(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.prev[dir] = out.hashes
	b.prevKeys[dir] = out.keys
	b.mu.Unlock()
	return res, nil
}

// Mirror makes folder to hold what the last BuildInto wrote into from:
// files that differ are copied, files of an earlier build into to that
// from's build did not write are removed, and to takes from's record, so
// the next BuildInto(to) renders only what changed since from's build.
// Other files in to (the search index the preview server writes beside
// the pages) are left alone. The preview server alternates between two
// folders; mirroring the one just built into the other keeps every
// rebuild incremental.
func (b *Builder) Mirror(from, to string) error {
	b.mu.Lock()
	src, keys, have := b.prev[from], b.prevKeys[from], b.prev[to]
	// Until the copy is done, to's record is unknown.
	delete(b.prev, to)
	delete(b.prevKeys, to)
	b.mu.Unlock()
	if src == nil {
		return fmt.Errorf("mirroring %s: no build there", from)
	}
	for rel, sum := range src {
		dst, err := safeJoin(to, rel)
		if err != nil {
			return err
		}
		if have[rel] == sum {
			if _, err := os.Stat(dst); err == nil {
				continue
			}
		}
		data, err := os.ReadFile(filepath.Join(from, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("mirroring %s: %w", from, err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := writeAtomic(dst, data); err != nil {
			return fmt.Errorf("mirroring into %s: %w", to, err)
		}
	}
	for rel := range have {
		if _, ok := src[rel]; ok {
			continue
		}
		if dst, err := safeJoin(to, rel); err == nil {
			if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	b.mu.Lock()
	// The maps are never changed after a build made them, so both
	// folders can share them.
	b.prev[to], b.prevKeys[to] = src, keys
	b.mu.Unlock()
	return nil
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
	in = withoutInvisible(in)
	fsys := themes.Default()
	if cfg.ThemeDir != "" {
		fsys = os.DirFS(cfg.ThemeDir)
	}
	th, err := loadTheme(fsys)
	if err != nil {
		return nil, err
	}
	var modPrefixes []string
	for _, m := range in.Modules {
		if m.OptionPrefix != "" {
			modPrefixes = append(modPrefixes, m.OptionPrefix)
		}
	}
	layout := NewLayout(in.Docs, modPrefixes)
	// Rendered Markdown depends on the layout (role links), so the cache
	// survives only while the document set keeps its identity.
	key := docsKey(in.Docs)
	b.mu.Lock()
	if key != b.docsKey {
		b.optCache = &mdCache{}
		b.docsKey = key
	}
	cache := b.optCache
	b.mu.Unlock()

	// Every return stops the file writer first, so a failed build never
	// leaves it writing into a folder that is being removed.
	defer out.close()
	r, err := newRun(&cfg, in, layout, th, cache, out)
	if err != nil {
		return nil, err
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
	jobs := r.jobs()
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
	if err := out.write(markerFile, []byte("built by nurdocs; this folder is replaced on every build\n")); err != nil {
		return nil, err
	}
	if err := out.close(); err != nil {
		return nil, fmt.Errorf("writing the site: %w", err)
	}
	mark("flush")
	prog.Done()
	res := &Result{Source: in.Source, Layout: layout, Diagnostics: r.sortedDiags()}
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
	res.Stats.Rendered = int(r.rendered.Load())
	res.Stats.Files, res.Stats.Bytes = out.files, out.bytes
	res.Stats.Written = out.files
	if out.prev != nil {
		res.Stats.Written = 0
		for p, h := range out.hashes {
			if out.prev[p] != h {
				res.Stats.Written++
			}
		}
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

// docsKey identifies a document set cheaply: count plus the IDs and sizes
// of descriptions would be expensive for 100k documents, so it hashes IDs
// and the length of each document's Markdown.
func docsKey(docs []indexer.Document) string {
	h := fnvNew()
	for i := range docs {
		d := &docs[i]
		h.add(d.ID)
		if d.Option != nil {
			h.addInt(len(d.Option.Description))
		}
	}
	return h.String()
}

// run is the state of one build.
type run struct {
	cfg      *Config
	in       *Inputs
	layout   *Layout
	th       *theme
	eng      mdEngine // descriptions
	guideEng mdEngine // guides: automatic heading ids
	cache    *mdCache
	out      *output
	site     *siteInfo

	snippetOnce [2]sync.Once // index: primary scope or not
	frameMu     sync.Mutex
	frames      map[string]*frame
	snippets    [2][]snippetTemplate

	// wholePages minifies every page whole instead of splicing in the
	// minified frame (tests compare the two).
	wholePages bool

	siteKeyOnce sync.Once
	siteKey     [32]byte // see computeSiteKey
	rendered    atomic.Int64

	mu    sync.Mutex
	diags []Diagnostic
	pages []string // site-relative paths of the HTML pages, for the sitemap
}

func newRun(cfg *Config, in *Inputs, layout *Layout, th *theme, cache *mdCache, out *output) (*run, error) {
	base, origin, err := parseBase(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	res := resolver{l: layout, base: base}
	r := &run{cfg: cfg, in: in, layout: layout, th: th, cache: cache, out: out,
		eng: newEngine(res, false), guideEng: newEngine(res, true), wholePages: minifyWholePages}
	title := cfg.Title
	if title == "" {
		title = "atproto-nur"
	}
	r.site = &siteInfo{Title: title, Base: base, Origin: origin, RepoURL: strings.TrimSuffix(cfg.RepoURL, "/"),
		Source: in.Source, HasSearchCSS: exists(th.static, "search.css"), HasSearchJS: exists(th.static, "search.js")}
	return r, nil
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

// markdown renders a description with the shared cache.
func (r *run) markdown(src string, guide bool) (template.HTML, []mdDiag) {
	if strings.TrimSpace(src) == "" {
		return "", nil
	}
	if guide {
		return r.guideEng.render(src)
	}
	if c, ok := r.cache.get(src); ok {
		return c.html, c.diags
	}
	h, d := r.eng.render(src)
	r.cache.put(src, rendered{html: h, diags: d})
	return h, d
}

func (r *run) addDiags(scope, file string, firstLine int, where string, diags []mdDiag) {
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
		r.diags = append(r.diags, dg)
	}
}

func (r *run) sortedDiags() []Diagnostic {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]Diagnostic(nil), r.diags...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Where < out[j].Where
	})
	return out
}

// job renders one page.
type job struct {
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
		if !j.noMap {
			r.pages = append(r.pages, j.path)
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
	// also those that could be written directly (tests compare the two).
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
	if r.out.prev != nil {
		key, err := r.pageKey(j.kind, p)
		if err != nil {
			return fmt.Errorf("rendering %s: %w", j.path, err)
		}
		if r.out.keep(file, key) {
			return nil
		}
		defer r.out.setKey(file, key)
	}
	r.rendered.Add(1)
	if ok, err := r.writeDirect(j.kind, file, p, f); ok || err != nil {
		return err
	}
	if r.out.min != nil && !r.wholePages {
		if ok, err := r.writeSpliced(j, p, file, f); ok || err != nil {
			return err
		}
		p.Frame = f
	}
	buf, err := r.th.execute(j.kind, p)
	if err != nil {
		return fmt.Errorf("rendering %s: %w", j.path, err)
	}
	defer bufPool.Put(buf)
	return r.out.write(file, buf.Bytes())
}

// writeSpliced writes a page rendered with the marker frame, minified,
// with the minified frame spliced in; false means the page must be
// minified whole.
func (r *run) writeSpliced(j job, p *page, file string, f *frame) (bool, error) {
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
	return true, r.out.writeMinified(file, buf.Bytes())
}

// writeStatic copies the theme's static files and the highlighting CSS.
func (r *run) writeStatic() error {
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
		return r.out.write("static/"+p, data)
	})
	if err != nil {
		return fmt.Errorf("theme static files: %w", err)
	}
	return r.out.write("static/highlight.css", []byte(r.eng.styleCSS()))
}
