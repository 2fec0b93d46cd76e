package site

import (
	"html/template"

	"github.com/atproto-nur/atproto-nur/site/markdown"
)

// mdEngine is the Markdown renderer the site uses, behind a small
// interface so the diagnostics carry the site's own type.
type mdEngine interface {
	render(src string) (template.HTML, []mdDiag, []markdown.Ref)
	highlight(lang, code string) template.HTML
	styleCSS() string
}

type markdownEngine struct{ r *markdown.Renderer }

// newEngine makes the renderer for descriptions (headings demoted below
// the option's own heading) or for guides (automatic heading ids).
func newEngine(res resolver, guide bool) mdEngine {
	opts := []markdown.Option{markdown.WithManpageURL("https://man.archlinux.org/man/{page}.{section}")}
	if guide {
		opts = append(opts, markdown.WithAutoHeadingIDs())
	} else {
		opts = append(opts, markdown.WithHeadingShift(2))
	}
	return markdownEngine{r: markdown.New(res, opts...)}
}

func (e markdownEngine) render(src string) (template.HTML, []mdDiag, []markdown.Ref) {
	h, diags, refs := e.r.RenderRefs(src)
	if len(diags) == 0 {
		return h, nil, refs
	}
	out := make([]mdDiag, len(diags))
	for i, d := range diags {
		out[i] = mdDiag{Line: d.Line, Message: d.Message}
	}
	return h, out, refs
}

func (markdownEngine) highlight(lang, code string) template.HTML {
	return markdown.Highlight(lang, code)
}

func (markdownEngine) styleCSS() string { return markdown.StyleCSS() }
