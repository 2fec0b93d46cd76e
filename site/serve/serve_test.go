package serve

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// wait is how long a test waits for an event; far above the 200 ms the
// preview aims for, so a loaded machine does not make the test flaky (the
// latency itself is measured by BenchmarkSaveToReload).
const wait = 20 * time.Second

func decodeState(tb testing.TB, ev sseEvent) liveState {
	tb.Helper()
	var st liveState
	if err := json.Unmarshal([]byte(ev.data), &st); err != nil {
		tb.Fatalf("event %s: %v in %q", ev.name, err, ev.data)
	}
	return st
}

func TestServeEndToEnd(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // to check the preview's folder is removed
	repo := fixture(t)
	guide := filepath.Join(repo, "content", "getting-started.md")
	tmpl := filepath.Join(repo, "themes", "default", "templates", "guide.html")
	goodTmpl, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, Config{Site: siteConfig(repo),
		Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceNone}})
	page := srv.url + "guides/getting-started/"

	code, h, body := get(t, page)
	if code != 200 || !strings.Contains(body, "First version of the guide.") {
		t.Fatalf("GET %s: %d, body lacks the guide:\n%.400s", page, code, body)
	}
	if !strings.Contains(body, `id="nurdocs-live"`) {
		t.Errorf("page lacks the live-reload script")
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", h.Get("Cache-Control"))
	}

	ev := openEvents(t, srv.url)
	first := ev.next(t, wait)
	if first.name != "state" || len(decodeState(t, first).Problems) != 0 {
		t.Fatalf("first event = %s %s, want state without problems", first.name, first.data)
	}
	ev.quiet(100 * time.Millisecond)

	// 1. Edit a guide: the page changes and tabs are told to reload.
	t.Run("guide edit reloads", func(t *testing.T) {
		saved := time.Now()
		writeFile(t, guide, strings.Replace(guideV1, "First version", "Second version", 1))
		e := ev.next(t, wait)
		if e.name != "reload" {
			t.Fatalf("event %s %s, want reload", e.name, e.data)
		}
		t.Logf("save → reload event: %s", e.at.Sub(saved).Round(time.Millisecond))
		_, _, body := get(t, page)
		if !strings.Contains(body, "Second version of the guide.") {
			t.Fatalf("served page lacks the edit:\n%.400s", body)
		}
	})
	ev.quiet(100 * time.Millisecond)

	// 2. Break the guide template with an error that shows only while
	// rendering (some pages may already be written): overlay event, and
	// the last good site keeps being served.
	t.Run("template error shows overlay", func(t *testing.T) {
		bad := strings.Replace(string(goodTmpl), `{{define "content"}}`, "{{define \"content\"}}\n<p>\n{{.NoSuchField}}", 1)
		if bad == string(goodTmpl) {
			t.Fatal("guide.html has no content block to break")
		}
		writeFile(t, tmpl, bad)
		e := ev.next(t, wait)
		if e.name != "problems" {
			t.Fatalf("event %s %s, want problems", e.name, e.data)
		}
		st := decodeState(t, e)
		if len(st.Problems) != 1 {
			t.Fatalf("problems = %+v, want one", st.Problems)
		}
		p := st.Problems[0]
		if p.Kind != "build" || p.File != "themes/default/templates/guide.html" || p.Line != 3 ||
			!strings.Contains(p.Message, "NoSuchField") {
			t.Errorf("problem = %+v, want build error at themes/default/templates/guide.html:3 naming NoSuchField", p)
		}
		code, _, body := get(t, page)
		if code != 200 || !strings.Contains(body, "Second version of the guide.") {
			t.Fatalf("while broken: %d, want the last good page:\n%.400s", code, body)
		}
		if !strings.Contains(body, "NoSuchField") {
			t.Errorf("a page loaded while broken does not carry the problem for the overlay")
		}
		// Every page of the served build is intact (the failed build went
		// into the other folder).
		if _, _, home := get(t, srv.url); !strings.Contains(home, "</html>") {
			t.Errorf("home page damaged while the template is broken")
		}
	})
	ev.quiet(100 * time.Millisecond)

	t.Run("template fix clears overlay", func(t *testing.T) {
		writeFile(t, tmpl, string(goodTmpl))
		e := ev.next(t, wait)
		if e.name != "reload" || len(decodeState(t, e).Problems) != 0 {
			t.Fatalf("event %s %s, want reload without problems", e.name, e.data)
		}
		_, _, body := get(t, page)
		if strings.Contains(body, "NoSuchField") {
			t.Errorf("fixed page still carries the problem")
		}
	})
	ev.quiet(100 * time.Millisecond)

	// 3. Bad front matter: overlay with the guide's file and line.
	t.Run("front matter error", func(t *testing.T) {
		writeFile(t, guide, "---\ntitle: Getting started\nweight: first\n---\nText.\n")
		e := ev.next(t, wait)
		if e.name != "problems" {
			t.Fatalf("event %s %s, want problems", e.name, e.data)
		}
		p := decodeState(t, e).Problems
		if len(p) != 1 || !strings.HasSuffix(p[0].File, "getting-started.md") || p[0].Line != 3 ||
			!strings.Contains(p[0].Message, "weight") {
			t.Errorf("problems = %+v, want getting-started.md:3 about weight", p)
		}
		writeFile(t, guide, guideV1)
		e = ev.next(t, wait)
		if e.name != "reload" || len(decodeState(t, e).Problems) != 0 {
			t.Fatalf("after the fix: event %s %s, want reload without problems", e.name, e.data)
		}
	})
	ev.quiet(100 * time.Millisecond)

	// 4. A new folder with a guide in it, then an edit inside it (the
	// watch must have followed the folder).
	t.Run("new folder", func(t *testing.T) {
		dir := filepath.Join(repo, "content", "howto", "deep")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "backups.md"), "# Back ups\n\nCopy the data folder.\n")
		if e := ev.next(t, wait); e.name != "reload" {
			t.Fatalf("event %s, want reload", e.name)
		}
		ev.quiet(100 * time.Millisecond)
		writeFile(t, filepath.Join(dir, "backups.md"), "# Back ups\n\nSnapshot the data folder.\n")
		if e := ev.next(t, wait); e.name != "reload" {
			t.Fatalf("event %s, want reload", e.name)
		}
		code, _, body := get(t, srv.url+"guides/howto/deep/backups/")
		if code != 200 || !strings.Contains(body, "Snapshot the data folder.") {
			t.Fatalf("new guide: %d\n%.400s", code, body)
		}
	})
	ev.quiet(100 * time.Millisecond)

	// 5. vim's save: probe file 4913, backup by rename, new file, backup
	// removed. One reload, not one per step; probes alone none.
	t.Run("vim save", func(t *testing.T) {
		probe := filepath.Join(repo, "content", "4913")
		writeFile(t, probe, "")
		os.Remove(probe)
		writeFile(t, filepath.Join(repo, "content", ".getting-started.md.swp"), "swap")
		if got := ev.quiet(300 * time.Millisecond); len(got) != 0 {
			t.Fatalf("probe and swap files caused events: %+v", got)
		}
		backup := guide + "~"
		writeFile(t, probe, "")
		os.Remove(probe)
		if err := os.Rename(guide, backup); err != nil {
			t.Fatal(err)
		}
		writeFile(t, guide, strings.Replace(guideV1, "First version", "Vim version", 1))
		os.Remove(backup)
		if e := ev.next(t, wait); e.name != "reload" {
			t.Fatalf("event %s, want reload", e.name)
		}
		if extra := ev.quiet(300 * time.Millisecond); len(extra) != 0 {
			t.Errorf("one save caused %d more events: %+v", len(extra), extra)
		}
		if _, _, body := get(t, page); !strings.Contains(body, "Vim version") {
			t.Errorf("vim save not served")
		}
	})

	// 6. Write to a temporary file, then rename over the guide.
	t.Run("atomic rename save", func(t *testing.T) {
		tmp := filepath.Join(repo, "content", ".getting-started.md.tmp-1234")
		writeFile(t, tmp, strings.Replace(guideV1, "First version", "Renamed version", 1))
		if err := os.Rename(tmp, guide); err != nil {
			t.Fatal(err)
		}
		if e := ev.next(t, wait); e.name != "reload" {
			t.Fatalf("event %s, want reload", e.name)
		}
		if _, _, body := get(t, page); !strings.Contains(body, "Renamed version") {
			t.Errorf("renamed save not served")
		}
	})

	// Shut down: the stream ends, the port is free, the folder is gone.
	addr := strings.TrimSuffix(strings.TrimPrefix(srv.url, "http://"), "/")
	if err := srv.stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	for range ev.c { // drains until the server closed the stream
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Errorf("port not freed after shutdown: %v", err)
	} else {
		ln.Close()
	}
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "nurdocs-serve-*")); len(left) > 0 {
		t.Errorf("temporary folder left behind: %v", left)
	}
}

// TestServeNixError breaks a module of a copy of this repository's Nix
// tree: the evaluation error shows with its file and line while the last
// good site is served, and fixing it reloads.
func TestServeNixError(t *testing.T) {
	lib := os.Getenv("HOME") + "/.cache/nixpkgs-lib"
	if os.Getenv("NIX_PATH") == "" {
		if _, err := os.Stat(lib); err == nil {
			t.Setenv("NIX_PATH", "nixpkgs="+lib)
		}
	}
	repo := fixture(t)
	copyTree(t, filepath.Join(repoRoot, "nix"), filepath.Join(repo, "nix"))
	if err := indexer.NixAvailable(t.Context(), repo); err != nil {
		t.Skipf("needs Nix with nixpkgs lib (NIX_PATH=nixpkgs=$HOME/.cache/nixpkgs-lib): %v", err)
	}
	mod := filepath.Join(repo, "nix", "modules", "pds.nix")
	if _, err := os.Stat(mod); err != nil {
		t.Skip("nix/modules/pds.nix is missing")
	}
	good, err := os.ReadFile(mod)
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, Config{Site: siteConfig(repo), Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceLive}})
	code, _, home := get(t, srv.url)
	if code != 200 || !strings.Contains(home, "live evaluation") {
		t.Fatalf("home: %d, not built from a live evaluation:\n%.300s", code, home)
	}
	ev := openEvents(t, srv.url)
	ev.next(t, wait)
	ev.quiet(200 * time.Millisecond)

	// Line 2 gets a syntax error.
	lines := strings.SplitN(string(good), "\n", 2)
	writeFile(t, mod, lines[0]+"\n  = = ;\n"+lines[1])
	e := ev.next(t, wait)
	if e.name != "problems" {
		t.Fatalf("event %s %s, want problems", e.name, e.data)
	}
	p := decodeState(t, e).Problems
	rel := "nix/modules/" + filepath.Base(mod)
	if len(p) != 1 || p[0].Kind != "nix" || p[0].File != rel || p[0].Line != 2 {
		t.Errorf("problems = %+v, want a nix problem at %s:2", p, rel)
	}
	if code, _, body := get(t, srv.url); code != 200 || !strings.Contains(body, "live evaluation") {
		t.Errorf("last good site not served during the Nix error: %d", code)
	} else if !strings.Contains(body, filepath.Base(mod)) {
		t.Errorf("page loaded during the Nix error lacks it for the overlay")
	}

	// The fix restores the same export: the overlay clears (a reload is
	// not needed, the site never changed).
	writeFile(t, mod, string(good))
	for {
		e = ev.next(t, wait)
		if e.name != "problems" && e.name != "reload" {
			t.Fatalf("after the fix: event %s %s", e.name, e.data)
		}
		if len(decodeState(t, e).Problems) == 0 {
			break
		}
	}
	ev.quiet(200 * time.Millisecond)

	// An edit that changes an option's description: re-evaluated in the
	// background, then the page shows it.
	const phrase = "the secret signing session tokens"
	if !strings.Contains(string(good), phrase) {
		t.Skipf("pds.nix no longer says %q; cannot check a description edit", phrase)
	}
	writeFile(t, mod, strings.Replace(string(good), phrase, phrase+" EDITED-BY-TEST", 1))
	if e := ev.next(t, wait); e.name != "reload" {
		t.Fatalf("after a description edit: event %s %s, want reload", e.name, e.data)
	}
	if _, _, body := get(t, srv.url+"options/services.atproto.pds/"); !strings.Contains(body, "EDITED-BY-TEST") {
		t.Errorf("the pds options page does not show the edited description")
	}
}

func TestGzipAndTypes(t *testing.T) {
	repo := fixture(t)
	srv := start(t, Config{Site: siteConfig(repo), Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceNone}})
	for _, c := range []struct{ path, ct string }{
		{"", "text/html; charset=utf-8"},
		{"static/style.css", "text/css; charset=utf-8"},
		{"static/nurdocs.js", "text/javascript; charset=utf-8"},
		{"static/favicon.svg", "image/svg+xml"},
		{"sitemap.xml", "application/xml"},
		{"robots.txt", "text/plain; charset=utf-8"},
	} {
		req, _ := http.NewRequest("GET", srv.url+c.path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", c.path, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != c.ct {
			t.Errorf("%s: Content-Type %q, want %q", c.path, got, c.ct)
		}
		// Pages are never stored (they carry the live state); other files
		// are revalidated on every use by their ETag.
		wantCache := "no-cache"
		if strings.HasPrefix(c.ct, "text/html") {
			wantCache = "no-store"
		}
		if got := resp.Header.Get("Cache-Control"); got != wantCache {
			t.Errorf("%s: Cache-Control %q, want %q", c.path, got, wantCache)
		}
		if etag := resp.Header.Get("ETag"); wantCache == "no-cache" {
			req.Header.Set("If-None-Match", etag)
			again, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			again.Body.Close()
			if etag == "" || again.StatusCode != http.StatusNotModified {
				t.Errorf("%s: ETag %q, revalidation answered %d, want 304", c.path, etag, again.StatusCode)
			}
		}
		if resp.ContentLength >= minGzip && resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: %d bytes not compressed", c.path, resp.ContentLength)
		}
	}
	// No gzip when the client does not take it.
	req, _ := http.NewRequest("GET", srv.url+"static/style.css", nil)
	req.Header.Set("Accept-Encoding", "gzip;q=0, identity")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip sent to a client that refused it")
	}
}

// TestSearchAPI: /api/search answers from the bleve index of the served
// documents, and follows a guide edit.
func TestSearchAPI(t *testing.T) {
	repo := repoFixture(t)
	srv := start(t, Config{Site: siteConfig(repo), Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceSnapshot}})
	type answer struct {
		Results []struct {
			Name, URL string
			Kind      indexer.Kind
		}
	}
	query := func(q string) answer {
		t.Helper()
		var a answer
		for deadline := time.Now().Add(wait); ; time.Sleep(50 * time.Millisecond) {
			code, _, body := get(t, srv.url+"api/search?"+q)
			if code == http.StatusServiceUnavailable && time.Now().Before(deadline) {
				continue // index still being built
			}
			if code != 200 {
				t.Fatalf("search %s: %d %s", q, code, body)
			}
			if err := json.Unmarshal([]byte(body), &a); err != nil {
				t.Fatal(err)
			}
			return a
		}
	}
	a := query("q=services.atproto.pds.enable&kind=option&limit=5")
	if len(a.Results) == 0 || a.Results[0].Name != "services.atproto.pds.enable" || a.Results[0].Kind != indexer.KindOption {
		t.Fatalf("top result for services.atproto.pds.enable: %+v", a.Results)
	}
	if code, _, _ := get(t, srv.url+"api/search?q=x&kind=bogus"); code != http.StatusBadRequest {
		t.Errorf("bad kind: %d, want 400", code)
	}
	// A query over a limit: 400 naming the limit, without the query.
	if code, _, body := get(t, srv.url+"api/search?q="+strings.Repeat("a", 5000)); code != http.StatusBadRequest ||
		body != `{"error":"query too long: at most 256 characters"}` {
		t.Errorf("a 5,000-letter word: %d %.200s", code, body)
	}
	if code, _, body := get(t, srv.url+"api/search?q=pds+"+strings.Repeat("a", 65)); code != http.StatusBadRequest ||
		body != `{"error":"query word too long: at most 64 letters or digits without a space or other separator"}` {
		t.Errorf("a 65-letter word: %d %.200s", code, body)
	}
	writeFile(t, filepath.Join(repo, "content", "zebra.md"), "# Zebra crossings\n\nStriped.\n")
	for deadline := time.Now().Add(wait); ; time.Sleep(100 * time.Millisecond) {
		a := query("q=zebra&kind=guide")
		if len(a.Results) > 0 && a.Results[0].Name == "Zebra crossings" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("new guide never found by /api/search: %+v", a.Results)
		}
	}
	// The browser's static index in the served folder follows too: the
	// new guide's title in its name shard, and a heading added to a guide
	// in its description shard.
	code, _, _ := get(t, srv.url+"search/")
	if code != 200 {
		t.Errorf("search page: %d", code)
	}
	inShard := func(shard, word string) {
		t.Helper()
		for deadline := time.Now().Add(wait); ; time.Sleep(50 * time.Millisecond) {
			code, _, body := get(t, srv.url+"search/"+shard)
			if code == 200 && strings.Contains(body, `"`+word+`"`) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%q never reached search/%s of the served site: %d %.300s", word, shard, code, body)
			}
		}
	}
	inShard("n/ze.json", "zebra")
	writeFile(t, filepath.Join(repo, "content", "zebra.md"), "# Zebra crossings\n\nStriped.\n\n## Quokka habitats\n\nIslands.\n")
	inShard("d/qu.json", "quokka")
}

// TestBaseURLAndBrokenStart: under --base-url /sub/ the site is served
// below /sub/; a build that fails at start still serves a page carrying
// the error, and the fix brings the site.
func TestBaseURLAndBrokenStart(t *testing.T) {
	repo := fixture(t)
	guide := filepath.Join(repo, "content", "getting-started.md")
	writeFile(t, guide, "---\ntitle: [unclosed\n---\n")
	cfg := siteConfig(repo)
	cfg.BaseURL = "/sub/"
	srv := start(t, Config{Site: cfg, Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceNone}})
	if !strings.HasSuffix(srv.url, "/sub/") {
		t.Fatalf("url %s does not end in the base path", srv.url)
	}
	code, _, body := get(t, srv.url)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "getting-started.md") {
		t.Fatalf("before the first good build: %d\n%.500s", code, body)
	}
	root := strings.TrimSuffix(srv.url, "sub/")
	ev := openEvents(t, root) // the live endpoints are outside the site
	if e := ev.next(t, wait); len(decodeState(t, e).Problems) != 1 {
		t.Fatalf("state %s, want the front matter problem", e.data)
	}
	writeFile(t, guide, guideV1)
	if e := ev.next(t, wait); e.name != "reload" {
		t.Fatalf("event %s, want reload", e.name)
	}
	resp, err := http.DefaultTransport.RoundTrip(mustRequest(t, root))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/sub/" {
		t.Errorf("GET /: %d → %q, want a redirect to /sub/", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = http.DefaultTransport.RoundTrip(mustRequest(t, root+"sub"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/sub/" {
		t.Errorf("GET /sub: %d → %q, want a redirect to /sub/", resp.StatusCode, resp.Header.Get("Location"))
	}
	if code, _, body := get(t, srv.url+"guides/getting-started/"); code != 200 || !strings.Contains(body, `href="/sub/static/style.css"`) {
		t.Errorf("guide under /sub/: %d", code)
	}
	if code, _, _ := get(t, root+"guides/getting-started/"); code != 404 {
		t.Errorf("guide outside the base path: %d, want 404", code)
	}
}

func mustRequest(t *testing.T, u string) *http.Request {
	t.Helper()
	r, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestInputFileChange: an --options file replaced by a rename (as a
// generator writing atomically would) rebuilds the site.
func TestInputFileChange(t *testing.T) {
	repo := fixture(t)
	opts := filepath.Join(t.TempDir(), "options.json")
	optionsJSON := func(desc string) string {
		return `{"demo.enable": {"declarations": ["demo.nix"], "description": "` + desc +
			`", "type": "boolean", "default": {"_type": "literalExpression", "text": "false"}, "loc": ["demo", "enable"], "readOnly": false}}`
	}
	writeFile(t, opts, optionsJSON("Old description."))
	srv := start(t, Config{Site: siteConfig(repo), Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceNone,
		Options: []indexer.FileInput{{Path: opts, Scope: indexer.PrimaryScope}}}})
	ev := openEvents(t, srv.url)
	ev.next(t, wait)
	tmp := opts + ".new"
	writeFile(t, tmp, optionsJSON("New description."))
	if err := os.Rename(tmp, opts); err != nil {
		t.Fatal(err)
	}
	if e := ev.next(t, wait); e.name != "reload" {
		t.Fatalf("event %s %s, want reload", e.name, e.data)
	}
	_, _, body := get(t, srv.url+"options/demo/")
	if !strings.Contains(body, "demo.enable") || !strings.Contains(body, "New description.") {
		t.Errorf("all-options page lacks the new description:\n%s", body[strings.Index(body, "<main"):])
	}
}

// TestServeNixBrokenAtStart: when the first evaluation fails, the preview
// starts anyway from the snapshot, shows the error, and switches to the
// live evaluation once the file is fixed.
func TestServeNixBrokenAtStart(t *testing.T) {
	lib := os.Getenv("HOME") + "/.cache/nixpkgs-lib"
	if os.Getenv("NIX_PATH") == "" {
		t.Setenv("NIX_PATH", "nixpkgs="+lib)
	}
	repo := repoFixture(t)
	copyTree(t, filepath.Join(repoRoot, "nix"), filepath.Join(repo, "nix"))
	if err := indexer.NixAvailable(t.Context(), repo); err != nil {
		t.Skipf("needs Nix with nixpkgs lib (NIX_PATH=nixpkgs=$HOME/.cache/nixpkgs-lib): %v", err)
	}
	mod := filepath.Join(repo, "nix", "modules", "pds.nix")
	good, err := os.ReadFile(mod)
	if err != nil {
		t.Skip("nix/modules/pds.nix is missing")
	}
	writeFile(t, mod, "{ broken")
	srv := start(t, Config{Site: siteConfig(repo), Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceAuto}})
	code, _, home := get(t, srv.url)
	if code != 200 || !strings.Contains(home, "the live evaluation failed") || !strings.Contains(home, "pds.nix") {
		t.Fatalf("home while broken: %d, want the snapshot site carrying the error:\n%.300s", code, home)
	}
	ev := openEvents(t, srv.url)
	if p := decodeState(t, ev.next(t, wait)).Problems; len(p) != 1 || p[0].Kind != "nix" || p[0].File != "nix/modules/pds.nix" {
		t.Fatalf("problems at start = %+v, want the pds.nix evaluation error", p)
	}
	writeFile(t, mod, string(good))
	for {
		e := ev.next(t, wait)
		if e.name == "reload" {
			if p := decodeState(t, e).Problems; len(p) != 0 {
				t.Fatalf("reload still carries problems: %+v", p)
			}
			break
		}
	}
	if _, _, home := get(t, srv.url); !strings.Contains(home, "from a live evaluation") {
		t.Errorf("after the fix the site is not from the live evaluation")
	}
}
