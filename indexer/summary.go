package indexer

import (
	"strings"
	"unicode/utf8"
)

// maxSummary bounds a summary so result lists stay one line.
const maxSummary = 160

// Summary makes a one-line plain-text summary of a Markdown description:
// its first sentence (or first paragraph, cut at a word boundary), with
// roles, links, code marks and emphasis reduced to their text. It is a
// cheap approximation used for lists and search results (a single pass,
// no regular expressions: it runs for every one of 100,000 packages);
// pages render the full Markdown.
func Summary(md string) string {
	md = firstParagraph(md)
	if md == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(min(len(md), maxSummary+16))
	space := false
	emit := func(s string) {
		for _, r := range s {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				space = b.Len() > 0
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	for i := 0; i < len(md) && b.Len() < 4*maxSummary; {
		c := md[i]
		switch {
		case c == '{':
			// {role}`text` → text; {#anchor} and {.class} vanish.
			end := strings.IndexByte(md[i:], '}')
			if end > 0 && i+end+1 < len(md) && md[i+end+1] == '`' && isRoleName(md[i+1:i+end]) {
				i += end + 1
				continue
			}
			if end > 0 && (md[i+1] == '#' || md[i+1] == '.') {
				i += end + 1
				continue
			}
			emit("{")
			i++
		case c == '[':
			// [text](url) → text
			close := strings.IndexByte(md[i:], ']')
			if close > 0 && i+close+1 < len(md) && md[i+close+1] == '(' {
				if paren := strings.IndexByte(md[i+close:], ')'); paren > 0 {
					emit(md[i+1 : i+close])
					i += close + paren + 1
					continue
				}
			}
			emit("[")
			i++
		case c == '`' || c == '\\':
			i++
		case c == '*':
			i++
		case c == '_' && i+1 < len(md) && md[i+1] == '_':
			i += 2
		default:
			_, size := utf8.DecodeRuneInString(md[i:])
			emit(md[i : i+size])
			i += size
		}
	}
	s := strings.TrimLeft(b.String(), "#>-+ ")
	if fs := firstSentence(s); fs != "" {
		s = fs
	}
	if len(s) > maxSummary {
		cut := strings.LastIndexByte(s[:maxSummary], ' ')
		if cut < maxSummary/2 {
			cut = maxSummary
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
		}
		s = strings.TrimRight(s[:cut], " ,;:") + "…"
	}
	return s
}

// firstParagraph returns the first paragraph of text, skipping admonition
// fences (":::") and blank lines before it.
func firstParagraph(md string) string {
	var lines []string
	for len(md) > 0 {
		line := md
		if nl := strings.IndexByte(md, '\n'); nl >= 0 {
			line, md = md[:nl], md[nl+1:]
		} else {
			md = ""
		}
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, ":::") {
			continue
		}
		if t == "" {
			if len(lines) > 0 {
				break
			}
			continue
		}
		lines = append(lines, t)
	}
	return strings.Join(lines, "\n")
}

func isRoleName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// firstSentence returns text up to the first ". " that ends a sentence
// (not "e.g. " or "i.e. "), or "" when there is none.
func firstSentence(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '.' || s[i+1] != ' ' {
			continue
		}
		word := s[:i]
		if j := strings.LastIndexByte(word, ' '); j >= 0 {
			word = word[j+1:]
		}
		switch strings.ToLower(word) {
		case "e.g", "i.e", "etc", "vs", "cf":
			continue
		}
		return s[:i+1]
	}
	return ""
}
