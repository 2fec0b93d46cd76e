package serve

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/site"
)

//go:embed live.js
var liveJS []byte

// Problem is an error shown in the browser overlay: what failed, where.
type Problem struct {
	Kind    string `json:"kind"` // "build" (guides, templates, inputs), "nix" (evaluation) or "markdown" (a warning of a build that succeeded)
	Message string `json:"message"`
	File    string `json:"file,omitempty"` // repository-relative when inside the repository
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
}

func (p Problem) String() string {
	switch {
	case p.File != "" && p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	case p.File != "":
		return p.File + ": " + p.Message
	}
	return p.Message
}

// maxMessage bounds the text sent to the browser; Nix traces can be long.
const maxMessage = 8000

var (
	// html/template: `template: guide.html:12:5: executing "content" at <.X>: …`
	templateErrRE = regexp.MustCompile(`template: ([^:\s]+\.html):(\d+)(?::(\d+))?: `)
	// nix: `at /abs/path/file.nix:3:5:` (Nix 2.4+), older «at /path.nix:3:5»
	nixPosRE = regexp.MustCompile(`at «?(/[^\s:»]+\.nix):(\d+):(\d+)`)
)

// problemFrom turns a build or evaluation error into an overlay entry,
// finding the file and line from the error's structure or its text.
func problemFrom(kind string, err error, repo, themeDir string) Problem {
	msg := err.Error()
	p := Problem{Kind: kind, Message: msg}
	var pe *indexer.PositionError
	switch {
	case errors.As(err, &pe):
		p.File, p.Line, p.Column = pe.File, pe.Line, pe.Column
		p.Message = pe.Err.Error()
	case kind == "build" && templateErrRE.MatchString(msg):
		m := templateErrRE.FindStringSubmatch(msg)
		p.File = templateFile(themeDir, m[1])
		p.Line, _ = strconv.Atoi(m[2])
		p.Column, _ = strconv.Atoi(m[3])
	case kind == "nix" && nixPosRE.MatchString(msg):
		m := nixPosRE.FindStringSubmatch(msg)
		p.File = m[1]
		p.Line, _ = strconv.Atoi(m[2])
		p.Column, _ = strconv.Atoi(m[3])
	}
	p.File = relTo(repo, p.File)
	if len(p.Message) > maxMessage {
		p.Message = p.Message[:maxMessage] + "\n…"
	}
	return p
}

// maxMarkdownProblems bounds the Markdown warnings sent to the page; the
// last entry says how many more there are.
const maxMarkdownProblems = 30

// markdownProblems turns the diagnostics of a successful build (an unclosed
// ::: block, an unknown {option} reference: what `nurdocs check` fails on)
// into overlay entries. Those of other option sets (the NixOS options of a
// preview built with --options) are left to the terminal: the writer of
// this repository cannot fix them.
func markdownProblems(diags []site.Diagnostic, repo string) []Problem {
	var out []Problem
	more := 0
	for _, d := range diags {
		if d.Scope != indexer.PrimaryScope {
			continue
		}
		if len(out) == maxMarkdownProblems {
			more++
			continue
		}
		p := Problem{Kind: "markdown", File: relTo(repo, d.File), Line: d.Line, Message: d.Message}
		if d.File == "" {
			p.Message = d.Where + ": " + d.Message
		}
		out = append(out, p)
	}
	if more > 0 {
		out = append(out, Problem{Kind: "markdown", Message: fmt.Sprintf("… and %d more (nurdocs check lists them all)", more)})
	}
	return out
}

// templateFile finds the theme file a template name came from: page
// templates live in templates/, partials in templates/partials/.
func templateFile(themeDir, name string) string {
	if themeDir == "" {
		return "templates/" + name + " (built-in theme)"
	}
	for _, dir := range []string{"templates", "templates/partials"} {
		f := filepath.Join(themeDir, dir, name)
		if _, err := os.Stat(f); err == nil {
			return f
		}
	}
	return filepath.Join(themeDir, "templates", name)
}

// relTo shortens absolute paths inside root to root-relative ones.
func relTo(root, file string) string {
	if file == "" || root == "" {
		return file
	}
	absRoot, err1 := filepath.Abs(root)
	absFile, err2 := filepath.Abs(file)
	if err1 != nil || err2 != nil {
		return file
	}
	rel, err := filepath.Rel(absRoot, absFile)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return file
	}
	return filepath.ToSlash(rel)
}

// liveState is what a page needs to know on load and on (re)connect: the
// build it shows and the problems current now.
type liveState struct {
	Build    string    `json:"build"`
	Problems []Problem `json:"problems"`
}

// reloadEvent is the "reload" event: the state after a build, and what
// the build changed since the one before it (From), so that a tab whose
// page did not change stays as it is and one whose page changed can swap
// its content in place instead of reloading (live.js).
type reloadEvent struct {
	liveState
	From    string       `json:"from,omitempty"`
	Changes *pageChanges `json:"changes,omitempty"` // nil: unknown, every tab reloads
}

// pageChanges is what a build changed, as a tab sees it.
type pageChanges struct {
	Pages  []string `json:"pages"`  // URL paths of the changed pages (a folder's page ends in /)
	Assets bool     `json:"assets"` // a style sheet, script, image or other static file changed
}

// maxChangedPages bounds the page list of a reload event: a build that
// changed more (a template edit, a first build) reloads every tab.
const maxChangedPages = 2000

// changesOf turns a build's changed files (site.Result.Changed) into what
// a tab needs to know. The search index files of the build folder are
// not served (the preview serves its own, see writeStaticIndex); the
// sitemap, robots.txt and the build marker are no part of any page.
func changesOf(changed []string, base string) *pageChanges {
	c := &pageChanges{Pages: []string{}}
	for _, rel := range changed {
		switch {
		case strings.HasSuffix(rel, ".html"):
			if len(c.Pages) == maxChangedPages {
				return nil
			}
			c.Pages = append(c.Pages, base+strings.TrimSuffix(rel, "index.html"))
		case strings.HasPrefix(rel, "search/"), rel == "sitemap.xml", rel == "robots.txt", strings.HasPrefix(rel, ".nurdocs"):
		default:
			c.Assets = true
		}
	}
	return c
}

// broker fans server-sent events out to every open tab.
type broker struct {
	mu      sync.Mutex
	clients map[chan event]struct{}
	closed  bool
	done    chan struct{}
}

type event struct {
	name string
	data []byte
}

func newBroker() *broker {
	return &broker{clients: map[chan event]struct{}{}, done: make(chan struct{})}
}

// publish sends an event to every client; a client too slow to take it
// (its buffer is full) misses it and gets the current state on reconnect.
func (b *broker) publish(name string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.clients {
		select {
		case c <- event{name, data}:
		default:
		}
	}
}

func (b *broker) subscribe() (chan event, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, false
	}
	c := make(chan event, 16)
	b.clients[c] = struct{}{}
	return c, true
}

func (b *broker) unsubscribe(c chan event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.clients, c)
}

// close ends every event stream so http.Server.Shutdown does not wait for
// tabs that never disconnect.
func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		close(b.done)
	}
}

func (b *broker) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.clients)
}

// keepAlive is how often an idle stream gets a comment, so proxies and
// browsers do not time it out.
const keepAlive = 20 * time.Second

// serveEvents is the SSE endpoint. The first event is the current state,
// so a tab that reconnects after a rebuild (or a server restart) reloads.
func (b *broker) serveEvents(w http.ResponseWriter, r *http.Request, state func() liveState) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c, ok := b.subscribe()
	if !ok {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	defer b.unsubscribe(c)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	data, _ := json.Marshal(state())
	writeEvent(w, event{"state", data})
	fl.Flush()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case ev := <-c:
			writeEvent(w, ev)
			fl.Flush()
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			fl.Flush()
		case <-r.Context().Done():
			return
		case <-b.done:
			return
		}
	}
}

func writeEvent(w http.ResponseWriter, ev event) {
	// JSON has no raw newlines, so one data line carries it.
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, ev.data)
}
