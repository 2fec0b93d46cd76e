package site

import "strings"

// tag is one start tag found by scanTags.
type tag struct {
	Name  string
	Attrs map[string]string
}

// scanTags is a small HTML start-tag scanner for tests: it understands
// quoted and unquoted attribute values (what the minifier emits) and
// skips text, so escaped markup in text is never mistaken for a tag.
func scanTags(s string) []tag {
	var tags []tag
	for i := 0; i < len(s); i++ {
		if s[i] != '<' || i+1 >= len(s) || !isLetter(s[i+1]) {
			continue
		}
		j := i + 1
		for j < len(s) && !isSpace(s[j]) && s[j] != '>' && s[j] != '/' {
			j++
		}
		t := tag{Name: strings.ToLower(s[i+1 : j]), Attrs: map[string]string{}}
		for j < len(s) && s[j] != '>' {
			for j < len(s) && (isSpace(s[j]) || s[j] == '/') {
				j++
			}
			k := j
			for j < len(s) && !isSpace(s[j]) && s[j] != '=' && s[j] != '>' {
				j++
			}
			name := strings.ToLower(s[k:j])
			val := ""
			if j < len(s) && s[j] == '=' {
				j++
				if j < len(s) && (s[j] == '"' || s[j] == '\'') {
					q := s[j]
					e := strings.IndexByte(s[j+1:], q)
					if e < 0 {
						e = len(s) - j - 1
					}
					val = s[j+1 : j+1+e]
					j += e + 2
				} else {
					k := j
					for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
						j++
					}
					val = s[k:j]
				}
			}
			if name != "" {
				t.Attrs[name] = htmlUnescape(val)
			}
		}
		tags = append(tags, t)
		if t.Name == "script" || t.Name == "style" {
			// Skip raw text up to the end tag.
			if e := strings.Index(s[j:], "</"+t.Name); e >= 0 {
				j += e
			}
		}
		i = j
	}
	return tags
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
