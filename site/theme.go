package site

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"path"
	"slices"
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
	// pages may be written by the code generated from them (see
	// pagewriter.go), even when the theme was read from disk, as the
	// preview server does.
	stock bool
	// key hashes every template file (names and bytes), for page keys.
	key [32]byte
}

// pageKinds are the page templates a theme must provide.
var pageKinds = []string{"home", "options", "option-index", "all-options", "package", "packages",
	"guide", "guides", "search", "404"}

// optionalKinds are page templates a theme may leave out; their pages are
// then not written. (Themes made before a kind was added keep working.)
var optionalKinds = []string{"scope", "changes", "redirect"}

func loadTheme(fsys fs.FS) (*theme, error) {
	// The templates are read once: parsed here, compared with the default
	// theme's and hashed for page keys.
	files, err := templateFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	source := func(name string) (string, error) {
		src, ok := files[name]
		if !ok {
			return "", fmt.Errorf("theme: %w", &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist})
		}
		return src, nil
	}
	baseSrc, err := source("templates/base.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"join": strings.Join,
		"add":  func(a, b int) int { return a + b },
	}
	base, err := template.New("base.html").Funcs(funcs).Parse(baseSrc)
	if err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	// Partials (templates/partials/*.html) are shared by every page.
	var partials []string
	for name := range files {
		if ok, _ := path.Match("templates/partials/*.html", name); ok {
			partials = append(partials, name)
		}
	}
	sort.Strings(partials)
	for _, p := range partials {
		if _, err := base.New(path.Base(p)).Parse(files[p]); err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
	}
	th := &theme{pages: map[string]*template.Template{}}
	for _, kind := range slices.Concat(pageKinds, optionalKinds) {
		src, err := source("templates/" + kind + ".html")
		if err != nil && slices.Contains(optionalKinds, kind) {
			continue
		}
		if err != nil {
			return nil, err
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.New(kind + ".html").Parse(src); err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
		th.pages[kind] = t
	}
	static, err := fs.Sub(fsys, "static")
	if err != nil {
		return nil, err
	}
	th.static = static
	stock, err := templateFiles(themes.Default())
	if err != nil {
		return nil, err
	}
	th.stock = sameFiles(files, stock)
	th.key = filesKey(files)
	return th, nil
}

// templateFiles reads every file under templates/, by path.
func templateFiles(fsys fs.FS) (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(fsys, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out[p] = string(data)
		return nil
	})
	return out, err
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for p, data := range a {
		if other, ok := b[p]; !ok || other != data {
			return false
		}
	}
	return true
}

func filesKey(files map[string]string) [32]byte {
	h := sha256.New()
	for _, p := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(h, "%s\x00%d\x00%s", p, len(files[p]), files[p])
	}
	var key [32]byte
	h.Sum(key[:0])
	return key
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
