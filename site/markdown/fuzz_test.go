package markdown

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRender checks that any input renders without panicking, gives inert
// HTML from Render and RenderInline, diagnostics with lines inside the
// source, and one line from PlainText. Seeds: testdata/fuzz/FuzzRender and
// the golden inputs.
func FuzzRender(f *testing.F) {
	files, _ := filepath.Glob("testdata/golden/*.md")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(string(b))
		}
	}
	r := New(testResolver{}, WithManpageURL("https://man.example/{page}.{section}"), WithAutoHeadingIDs())
	f.Fuzz(func(t *testing.T, src string) {
		html, diags := r.Render(src)
		if p := inertProblem(string(html)); p != "" {
			t.Fatalf("Render output not inert: %s\ninput: %q\noutput: %s", p, src, html)
		}
		lines := strings.Count(src, "\n") + 1
		for _, d := range diags {
			if d.Line < 0 || d.Line > lines || d.Message == "" || strings.HasPrefix(d.Message, "rendering failed") {
				t.Fatalf("bad diagnostic %+v for %d-line input %q", d, lines, src)
			}
		}
		if inl := r.RenderInline(src); inertProblem(string(inl)) != "" {
			t.Fatalf("RenderInline output not inert: %s\ninput: %q", inertProblem(string(inl)), src)
		}
		if pt := PlainText(src); strings.ContainsAny(pt, "\n\r\t") {
			t.Fatalf("PlainText kept a line break: %q", pt)
		}
	})
}

// FuzzSafeURL compares safeURL with the test's independent reading of a
// URL as a browser would: whatever safeURL accepts must have no dangerous
// scheme once written as an attribute and decoded.
func FuzzSafeURL(f *testing.F) {
	for _, s := range []string{"https://example.org", "javascript:alert(1)", "java&#9;script:x", "&#x6A;avascript:x", "data:x", " vbscript:x", "a/b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dest string) {
		if !safeURL([]byte(dest)) {
			return
		}
		// The renderer writes the destination with entities resolved and
		// HTML-escaped; browserScheme decodes again.
		attr := string(unescape([]byte(dest)))
		scheme := browserScheme(strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;", ">", "&gt;").Replace(attr))
		for _, d := range dangerousSchemes {
			if scheme == d {
				t.Fatalf("safeURL accepts %q (scheme %s)", dest, scheme)
			}
		}
	})
}
