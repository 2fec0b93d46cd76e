package serve

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// rawGet sends a request line exactly as given (no client-side cleaning
// or escaping) and returns the status code and body.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %q: %v", target, err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	bufio.NewReader(resp.Body).WriteTo(&b)
	return resp.StatusCode, b.String()
}

// TestTraversal sends escape attempts to a running preview whose served
// folder has symlinks planted in it: every one is a 404 that does not
// leak the target, while the site's own files are served.
func TestTraversal(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	repo := fixture(t)
	secret := filepath.Join(t.TempDir(), "secret.txt")
	writeFile(t, secret, "TOP-SECRET-CONTENT")
	srv := start(t, Config{Site: siteConfig(repo), Sources: &indexer.Sources{Repo: repo, Mode: indexer.SourceNone}})
	addr := strings.TrimSuffix(strings.TrimPrefix(srv.url, "http://"), "/")

	// Plant links in both build folders (either may be the one served).
	slots, _ := filepath.Glob(filepath.Join(tmp, "nurdocs-serve-*", "site-*"))
	if len(slots) == 0 {
		t.Fatal("no build folders found under TMPDIR")
	}
	for _, s := range slots {
		os.MkdirAll(filepath.Join(s, "static"), 0o755)
		must(t, os.Symlink(secret, filepath.Join(s, "leak.txt")))
		must(t, os.Symlink(filepath.Dir(secret), filepath.Join(s, "leakdir")))
		must(t, os.Symlink("../../../../../../../../"+strings.TrimPrefix(secret, "/"), filepath.Join(s, "static", "rel.txt")))
		must(t, os.Symlink("robots.txt", filepath.Join(s, "inside.txt"))) // stays inside: allowed
	}

	for _, target := range []string{
		"/../../../../etc/passwd",
		"/static/../../../../etc/passwd",
		"/..%2f..%2f..%2fetc%2fpasswd",
		"/%2e%2e/%2e%2e/etc/passwd",
		"/%2E%2E/%2E%2E/etc/passwd",
		"/static/%2e%2e/%2e%2e/etc/passwd",
		"/%252e%252e/%252e%252e/etc/passwd",
		"/..\\..\\etc\\passwd",
		"/..%5c..%5cetc%5cpasswd",
		"/static%5c..%5c..%5cetc%5cpasswd",
		"//etc/passwd",
		"/static//etc/passwd",
		"/%2fetc/passwd",
		"/etc/passwd",
		"/index.html%00.txt",
		"/%00",
		"/./index.html",
		"/static/./style.css",
		"/.nurdocs-site",
		"/leak.txt",
		"/leakdir/secret.txt",
		"/static/rel.txt",
		"/" + strings.TrimPrefix(secret, "/"),
		"http://" + addr + "/../../etc/passwd",
		"/C:/Windows/win.ini",
		"/static/style.css%20",
	} {
		code, body := rawGet(t, addr, target)
		if code != http.StatusNotFound && code != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 404", target, code)
		}
		if strings.Contains(body, "TOP-SECRET") || strings.Contains(body, "root:x:") {
			t.Errorf("GET %s leaked a file outside the site", target)
		}
	}
	for _, target := range []string{"/", "/index.html", "/static/style.css", "/robots.txt", "/inside.txt", "/guides/getting-started/"} {
		if code, _ := rawGet(t, addr, target); code != 200 {
			t.Errorf("GET %s: %d, want 200", target, code)
		}
	}
	// DNS rebinding: a foreign Host name is refused on a loopback listener.
	for host, want := range map[string]int{"evil.example": 403, "127.0.0.1.evil.example:80": 403,
		"localhost": 200, "LOCALHOST:1": 200, "[::1]:8080": 200, "127.0.0.2": 200} {
		req, _ := http.NewRequest("GET", srv.url, nil)
		req.Host = host
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
	// A folder without its slash redirects so relative links work.
	if code, _ := rawGet(t, addr, "/guides"); code != http.StatusMovedPermanently {
		t.Errorf("GET /guides: %d, want 301", code)
	}
	for _, method := range []string{"POST", "PUT", "DELETE"} {
		req, _ := http.NewRequest(method, srv.url+"index.html", strings.NewReader("x"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s: %d, want 405", method, resp.StatusCode)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSitePath(t *testing.T) {
	for _, c := range []struct {
		base, target, want string
		ok                 bool
	}{
		{"/", "/", "", true},
		{"/", "/options/services.atproto.pds/", "options/services.atproto.pds/", true},
		{"/", "/static/style.css", "static/style.css", true},
		{"/", "/.well-known/x", ".well-known/x", true},
		{"/sub/", "/sub/packages/", "packages/", true},
		{"/sub/", "/other/", "", false},
		{"/sub/", "/sub/../etc", "", false},
		{"/", "/a/../b", "", false},
		{"/", "/a%2Fb", "", false},
		{"/", "/a\\b", "", false},
		{"/", "/a\x01b", "", false},
		{"/", "/.git/config", "", false},
	} {
		r, err := http.NewRequest("GET", "http://x"+c.target, nil)
		if err != nil {
			// Targets net/url refuses never reach the handler either.
			continue
		}
		got, ok := sitePath(r, c.base)
		if got != c.want || ok != c.ok {
			t.Errorf("sitePath(%q, base %q) = %q, %v; want %q, %v", c.target, c.base, got, ok, c.want, c.ok)
		}
	}
}

func TestIgnoredName(t *testing.T) {
	for name, want := range map[string]bool{
		"4913": true, "4914": true, "guide.md~": true, ".guide.md.swp": true, ".guide.md.swx": true,
		"#guide.md#": true, ".#guide.md": true, "guide.md___jb_tmp___": true, ".goutputstream-ABC": true,
		"guide.md": false, "base.html": false, "pds.nix": false, "2024.md": false, "4913.md": false,
	} {
		if got := ignoredName(name); got != want {
			t.Errorf("ignoredName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"gzip": true, "gzip, deflate, br": true, "br;q=1.0, gzip;q=0.5": true, "*": true,
		"": false, "identity": false, "gzip;q=0": false, "deflate": false, "GZIP": true,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}

// TestChangesOf: a build's changed files become the pages open tabs
// compare their address with, and a changed style sheet or script makes
// them reload; the build folder's own search index and sitemap do not.
func TestChangesOf(t *testing.T) {
	c := changesOf([]string{"guides/a/index.html", "404.html", "search/n/ab.json", "sitemap.xml", "robots.txt", ".nurdocs-site"}, "/sub/")
	if c == nil || c.Assets || strings.Join(c.Pages, " ") != "/sub/guides/a/ /sub/404.html" {
		t.Errorf("pages only: got %+v", c)
	}
	if c := changesOf([]string{"guides/a/index.html", "static/style.css"}, "/"); c == nil || !c.Assets {
		t.Errorf("a style sheet changed: got %+v, want Assets", c)
	}
	many := make([]string, maxChangedPages+1)
	for i := range many {
		many[i] = fmt.Sprintf("options/o%d.html", i)
	}
	if c := changesOf(many, "/"); c != nil {
		t.Errorf("%d pages changed: got a list, want nil (every tab reloads)", len(many))
	}
}

// TestPageFrame: pages that differ only inside <main> and in the head's
// title, description and canonical link share a frame; a different style
// sheet or body class does not.
func TestPageFrame(t *testing.T) {
	page := func(title, body, main, css string) []byte {
		return []byte(`<!doctype html><html><head><title>` + title + `</title><meta name="description" content="` + title +
			`"><link rel="canonical" href="/` + title + `/"><link rel="stylesheet" href="/static/` + css + `"></head><body class="` +
			body + `"><header>h</header><main id="main">` + main + `</main><footer>f</footer></body></html>`)
	}
	a := pageFrame(page("A", "page-guides", "one", "style.css"))
	if a == "" {
		t.Fatal("no frame for a page with a main element")
	}
	if b := pageFrame(page("B", "page-guides", "two <main>nested</main>", "style.css")); b != a {
		t.Errorf("pages differing in main and title have frames %s and %s, want the same", a, b)
	}
	if b := pageFrame(page("A", "page-options", "one", "style.css")); b == a {
		t.Error("a different body class kept the frame")
	}
	if b := pageFrame(page("A", "page-guides", "one", "other.css")); b == a {
		t.Error("a different style sheet kept the frame")
	}
	if f := pageFrame([]byte("<html><body>no main</body></html>")); f != "" {
		t.Errorf("a page without main has frame %q, want none", f)
	}
}
