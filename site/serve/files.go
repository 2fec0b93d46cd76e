package serve

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// sitePath turns a request into a path relative to the site's root, or
// reports that the request does not name a file of the site. It is strict
// on purpose: the preview serves a folder on the contributor's machine, so
// anything that looks like a way out of it (.., absolute paths, encoded
// separators or dots, backslashes, NUL, hidden files) is refused before the
// file system is touched; os.Root then refuses symlinks that lead out.
func sitePath(r *http.Request, base string) (rel string, ok bool) {
	raw := strings.ToLower(r.URL.EscapedPath())
	for _, bad := range []string{"%2e", "%2f", "%5c", "%00", "%25"} {
		if strings.Contains(raw, bad) {
			return "", false
		}
	}
	p := r.URL.Path
	if strings.ContainsAny(p, "\\\x00") || !strings.HasPrefix(p, base) {
		return "", false
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f {
			return "", false
		}
	}
	rel = p[len(base):]
	if rel == "" {
		return "", true
	}
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		switch {
		case s == "" && i == len(segs)-1: // trailing slash: a folder
		case s == "", s == ".", s == "..":
			return "", false // "//x" (absolute), ".", ".."
		case strings.HasPrefix(s, ".") && s != ".well-known":
			return "", false // build markers, temporary files
		}
	}
	if !fs.ValidPath(strings.TrimSuffix(rel, "/")) {
		return "", false
	}
	return rel, true
}

// contentType picks the media type of a site file by its extension; the
// site's own files all have one the table knows.
func contentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".xml":
		return "application/xml"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".ico":
		return "image/x-icon"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".webp":
		return "image/webp"
	case ".woff2":
		return "font/woff2"
	case ".wasm":
		return "application/wasm"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// compressible says whether gzip is worth it for a media type.
func compressible(ct string) bool {
	t, _, _ := strings.Cut(ct, ";")
	switch t {
	case "application/json", "application/xml", "image/svg+xml", "application/wasm", "image/x-icon":
		return true
	}
	return strings.HasPrefix(t, "text/")
}

// acceptsGzip parses Accept-Encoding: gzip (or *) with a non-zero q.
func acceptsGzip(h string) bool {
	for _, part := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "*" {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}

// minGzip is the smallest body worth compressing.
const minGzip = 512

var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// writeBody sends body with the headers every preview response carries:
// no caching (unless the caller set Cache-Control), no sniffing, gzip
// when the client takes it.
func writeBody(w http.ResponseWriter, r *http.Request, status int, ct string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ct)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	if compressible(ct) {
		h.Add("Vary", "Accept-Encoding")
		if len(body) >= minGzip && acceptsGzip(r.Header.Get("Accept-Encoding")) {
			var buf bytes.Buffer
			zw := gzipPool.Get().(*gzip.Writer)
			zw.Reset(&buf)
			zw.Write(body)
			zw.Close()
			gzipPool.Put(zw)
			body = buf.Bytes()
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// errNotFound covers every reason a request gets the 404 page.
var errNotFound = errors.New("not found")

// readSiteFile reads rel from the built site in dir through os.Root, which
// refuses paths and symlinks that lead outside dir. A folder yields its
// index.html; redirect is set when a folder was asked for without the
// trailing slash its relative links need.
func readSiteFile(dir, rel string) (data []byte, name string, redirect bool, err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", false, err
	}
	defer root.Close()
	name = strings.TrimSuffix(rel, "/")
	if name == "" {
		name = "."
	}
	fi, err := root.Stat(name)
	if err != nil {
		return nil, "", false, errNotFound
	}
	if fi.IsDir() {
		if rel != "" && !strings.HasSuffix(rel, "/") {
			return nil, "", true, nil
		}
		name = path.Join(name, "index.html")
		fi, err = root.Stat(name)
		if err != nil {
			return nil, "", false, errNotFound
		}
	}
	if !fi.Mode().IsRegular() {
		return nil, "", false, errNotFound
	}
	data, err = root.ReadFile(name)
	if err != nil {
		return nil, "", false, errNotFound
	}
	return data, name, false, nil
}

// injectLive adds the live-reload script, with the current state so the
// overlay shows at once and the page's frame (see pageFrame), before
// </body> of an HTML page.
func injectLive(page []byte, st liveState) []byte {
	state, _ := json.Marshal(st)
	tag := `<script id="nurdocs-live" defer src="` + livePrefix + `live.js" data-events="` + livePrefix +
		`events" data-state="` + html.EscapeString(string(state)) + `" data-frame="` + pageFrame(page) + `"></script>`
	i := bytes.LastIndex(bytes.ToLower(page), []byte("</body>"))
	if i < 0 {
		i = len(page)
	}
	out := make([]byte, 0, len(page)+len(tag))
	out = append(out, page[:i]...)
	out = append(out, tag...)
	return append(out, page[i:]...)
}

// headText is what the head of a page says about that page alone; the
// live script copies it over when it swaps a page's content in place.
var headText = regexp.MustCompile(`<title>[^<]*</title>|<meta name="?description"?[^>]*>|<link rel="?canonical"?[^>]*>`)

// pageFrame identifies everything of a page but its <main id="main">
// element and the head's title, description and canonical link: the
// style sheets and scripts it loads, the header, the footer, the body's
// class. Two pages with the same frame differ only in what the live
// script can swap in place without reloading (the frame's scripts keep
// running and the style sheets stay applied). Empty when the page has no
// such main element: the script then always reloads.
func pageFrame(page []byte) string {
	i := bytes.Index(page, []byte(`<main id="main"`))
	if i < 0 {
		i = bytes.Index(page, []byte(`<main id=main`))
	}
	j := bytes.LastIndex(page, []byte("</main>"))
	if i < 0 || j < i {
		return ""
	}
	h := sha256.New()
	h.Write(headText.ReplaceAll(page[:i], nil))
	h.Write(page[j:])
	return hex.EncodeToString(h.Sum(nil)[:12])
}
