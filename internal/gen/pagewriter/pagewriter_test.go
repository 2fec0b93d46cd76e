package pagewriter

import (
	"html/template"
	"reflect"
	"strings"
	"testing"
)

type testPage struct {
	Name, Link, Title string
	Items             []string
	Body              template.HTML
	Groups            []testGroup
}

type testGroup struct{ Items []string }

func generate(t *testing.T, src string) (string, error) {
	t.Helper()
	tpl := template.Must(template.New("page.html").Parse(src))
	out, err := Generate(Spec{
		Package: "p", Writer: "w", Command: "test", Table: "writers", Without: "nowriters",
		Pages:  []Page{{Kind: "page", Method: "write", Template: tpl, Entry: "page.html", Data: reflect.TypeFor[*testPage]()}},
		Minify: func(s string) (string, error) { return s, nil },
	})
	return string(out), err
}

// TestEscapersFollowContext checks each value is written with the writer
// method for the escaper html/template chose for its place.
func TestEscapersFollowContext(t *testing.T) {
	code, err := generate(t, `<a href="{{.Link}}" title="{{.Title}}">{{.Name}}</a><title>{{.Title}}</title>`+
		`{{range $i, $x := .Items}}{{if $i}}, {{end}}{{$x}}{{end}}<p>{{len .Items}}</p>{{.Body}}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"w.url(data.Link)", "w.attr(data.Title)", "w.text(data.Name)", "w.text(data.Title)",
		"w.int(len(data.Items))", "w.html(data.Body)", "w.raw(`<a href=\"`)",
		"//go:build !nowriters\n", `var writers = map[string]func(*w, *testPage) error{`, `"page": (*w).write,`} {
		if !strings.Contains(code, want) {
			t.Errorf("generated code lacks %s:\n%s", want, code)
		}
	}
}

// TestUnsupportedConstructNamesItsLine checks generation fails, naming
// the template file and line, on what the generator cannot write.
func TestUnsupportedConstructNamesItsLine(t *testing.T) {
	for _, src := range []string{
		"<p>\n{{printf \"%s\" .Name}}</p>",
		"<p>\n{{.Missing}}</p>",
		"<p>\n<script>var x = {{.Name}};</script></p>",
		"<p>\n{{$x := .Name}}{{$x}}</p>",
		"<p>\n<title>{{.Body}}</title></p>",
		"<p>\n<a title=\"{{.Body}}\">x</a></p>",
	} {
		_, err := generate(t, src)
		if err == nil || !strings.Contains(err.Error(), "page.html:2:") {
			t.Errorf("%q: error %v, want one naming page.html:2", src, err)
		}
	}
}

// TestLoopsDeclareWhatTheyUse checks a range loop declares only the
// variables its body uses (Go refuses unused ones), counting a use by an
// inner loop's range expression.
func TestLoopsDeclareWhatTheyUse(t *testing.T) {
	code, err := generate(t, `{{range .Items}}<hr>{{end}}{{range $i, $x := .Items}}{{$i}}{{end}}`+
		`{{range .Groups}}{{range .Items}}{{.}}{{end}}{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"for range data.Items {", "for i3 := range data.Items {",
		"for _, v6 := range data.Groups {", "for _, v8 := range v6.Items {"} {
		if !strings.Contains(code, want) {
			t.Errorf("generated code lacks %q:\n%s", want, code)
		}
	}
}
