package markdown

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
)

// The inertness check reads rendered HTML independently of the renderer's
// own sanitising: every tag and attribute must be on a list of what the
// renderer legitimately produces, and every href/src must, after the
// decoding a browser does, use no dangerous scheme. Raw HTML that slipped
// through would show up as a tag or attribute not on the list.

var inertTags = map[string]bool{
	"a": true, "p": true, "code": true, "pre": true, "span": true, "div": true, "button": true,
	"em": true, "strong": true, "del": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "ul": true, "ol": true, "li": true, "blockquote": true, "table": true,
	"thead": true, "tbody": true, "tr": true, "th": true, "td": true, "hr": true, "br": true,
	"img": true, "input": true, "dl": true, "dt": true, "dd": true, "kbd": true,
}

var inertAttrs = map[string]bool{
	"class": true, "id": true, "href": true, "src": true, "alt": true, "title": true, "role": true,
	"type": true, "aria-label": true, "checked": true, "disabled": true, "start": true, "style": true,
}

var (
	tableAlign       = regexp.MustCompile(`^text-align:(left|right|center)$`)
	dangerousSchemes = []string{"javascript:", "vbscript:", "data:", "file:"}
)

// inertProblem returns a description of the first thing in out that could
// run script, or "".
func inertProblem(out string) string {
	for i := 0; i < len(out); i++ {
		if out[i] != '<' {
			continue
		}
		j := i + 1
		if j < len(out) && out[j] == '/' {
			j++
		}
		start := j
		for j < len(out) && (out[j] >= 'a' && out[j] <= 'z' || out[j] >= '0' && out[j] <= '9') {
			j++
		}
		tag := out[start:j]
		if !inertTags[tag] {
			return fmt.Sprintf("tag %q at byte %d: %.60q", tag, i, out[i:])
		}
		// attributes
		for {
			for j < len(out) && out[j] == ' ' {
				j++
			}
			if j >= len(out) {
				return "unterminated tag at byte " + fmt.Sprint(i)
			}
			if out[j] == '>' {
				break
			}
			if out[j] == '/' && j+1 < len(out) && out[j+1] == '>' {
				j++
				break
			}
			as := j
			for j < len(out) && (out[j] >= 'a' && out[j] <= 'z' || out[j] == '-') {
				j++
			}
			name := out[as:j]
			if name == "" || !inertAttrs[name] {
				return fmt.Sprintf("attribute %q in <%s> at byte %d: %.60q", name, tag, i, out[i:])
			}
			value := ""
			if j < len(out) && out[j] == '=' {
				j++
				if j >= len(out) || out[j] != '"' {
					return fmt.Sprintf("unquoted attribute %q at byte %d", name, i)
				}
				end := strings.IndexByte(out[j+1:], '"')
				if end < 0 {
					return "unterminated attribute value at byte " + fmt.Sprint(i)
				}
				value = out[j+1 : j+1+end]
				j += end + 2
			}
			if strings.ContainsAny(value, "<>") {
				return fmt.Sprintf("unescaped markup in attribute %s=%q", name, value)
			}
			switch name {
			case "href", "src":
				if scheme := browserScheme(value); scheme != "" {
					for _, d := range dangerousSchemes {
						if scheme == d {
							return fmt.Sprintf("dangerous URL %s=%q", name, value)
						}
					}
				}
			case "style":
				if !tableAlign.MatchString(value) {
					return fmt.Sprintf("style %q", value)
				}
			case "type":
				if value != "button" && value != "checkbox" {
					return fmt.Sprintf("type %q", value)
				}
			}
		}
		i = j
	}
	return ""
}

// browserScheme decodes an attribute value as a browser would and returns
// its scheme with the colon, lower-cased, or "" when it has none.
func browserScheme(v string) string {
	v = html.UnescapeString(v)
	var b strings.Builder
	for _, r := range v {
		if r <= 0x20 || r == 0x7f {
			continue
		}
		b.WriteRune(r)
	}
	s := strings.ToLower(b.String())
	if i := strings.IndexAny(s, ":/?#"); i > 0 && s[i] == ':' {
		return s[:i+1]
	}
	return ""
}

func checkInert(t *testing.T, out string) {
	t.Helper()
	if p := inertProblem(out); p != "" {
		t.Errorf("output is not inert: %s", p)
	}
}

// TestInertCheckerCatches makes sure the checker is not vacuous.
func TestInertCheckerCatches(t *testing.T) {
	for _, bad := range []string{
		`<script>alert(1)</script>`,
		`<p onclick="x">a</p>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="java&#9;script:alert(1)">x</a>`,
		`<img src="data:text/html,x">`,
		`<p style="background:url(x)">`,
		`<iframe src="x">`,
	} {
		if inertProblem(bad) == "" {
			t.Errorf("checker accepts %q", bad)
		}
	}
	if p := inertProblem(`<p><a href="https://example.org/">x</a> &lt;script&gt;</p>`); p != "" {
		t.Errorf("checker rejects safe HTML: %s", p)
	}
}
