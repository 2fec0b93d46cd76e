package site

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/atproto-nur/atproto-nur/themes"
)

// theme is a parsed theme: one template set per page kind, each holding
// the shared "base" layout plus the page's "content".
type theme struct {
	pages  map[string]*template.Template
	static fs.FS
	// stock: every template is byte for byte the embedded default's, so
	// pages may be written directly (see direct.go) even when the theme
	// was read from disk, as the preview server does.
	stock bool
}

// pageKinds are the page templates a theme must provide.
var pageKinds = []string{"home", "options", "option-index", "all-options", "package", "packages",
	"guide", "guides", "search", "404"}

func loadTheme(fsys fs.FS) (*theme, error) {
	baseSrc, err := fs.ReadFile(fsys, "templates/base.html")
	if err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	funcs := template.FuncMap{
		"join": strings.Join,
		"add":  func(a, b int) int { return a + b },
	}
	base, err := template.New("base.html").Funcs(funcs).Parse(string(baseSrc))
	if err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	// Partials (templates/partials/*.html) are shared by every page.
	partials, _ := fs.Glob(fsys, "templates/partials/*.html")
	sort.Strings(partials)
	for _, p := range partials {
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
		if _, err := base.New(path.Base(p)).Parse(string(src)); err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
	}
	th := &theme{pages: map[string]*template.Template{}}
	for _, kind := range pageKinds {
		name := "templates/" + kind + ".html"
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.New(kind + ".html").Parse(string(src)); err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
		th.pages[kind] = t
	}
	static, err := fs.Sub(fsys, "static")
	if err != nil {
		return nil, err
	}
	th.static = static
	th.stock = sameTemplates(fsys, themes.Default())
	return th, nil
}

// sameTemplates reports whether two themes have the same templates.
func sameTemplates(a, b fs.FS) bool {
	list := func(fsys fs.FS) map[string]string {
		out := map[string]string{}
		fs.WalkDir(fsys, "templates", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if data, err := fs.ReadFile(fsys, p); err == nil {
					out[p] = string(data)
				}
			}
			return nil
		})
		return out
	}
	la, lb := list(a), list(b)
	if len(la) != len(lb) || len(la) == 0 {
		return false
	}
	for p, data := range la {
		if other, ok := lb[p]; !ok || other != data {
			return false
		}
	}
	return true
}

// part renders one of the shared named templates (assets, header,
// footer) with the page data given.
func (th *theme) part(name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := th.pages["home"].ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("template %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil
}

// bufPool recycles page buffers: every page is rendered into one, then
// minified into a new slice, so the buffer is free again at once.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// execute renders a page into a pooled buffer; the caller must give the
// buffer back with bufPool.Put once done with the bytes.
func (th *theme) execute(kind string, data any) (*bytes.Buffer, error) {
	t := th.pages[kind]
	if t == nil {
		return nil, fmt.Errorf("theme has no %s template", kind)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	if err := t.ExecuteTemplate(buf, "base", data); err != nil {
		bufPool.Put(buf)
		return nil, fmt.Errorf("template %s: %w", kind, err)
	}
	return buf, nil
}
