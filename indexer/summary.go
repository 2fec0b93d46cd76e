package indexer

import (
	"regexp"
	"strings"
)

var (
	roleRE     = regexp.MustCompile("\\{[a-z]+\\}`([^`]*)`")
	linkRE     = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	headAttrRE = regexp.MustCompile(`\s*\{#[^}]*\}`)
	admonRE    = regexp.MustCompile(`(?m)^:::.*$`)
	spaceRE    = regexp.MustCompile(`\s+`)
)

// maxSummary bounds a summary so result lists stay one line.
const maxSummary = 160

// Summary makes a one-line plain-text summary of a Markdown description:
// its first sentence (or first paragraph, cut at a word boundary), with
// roles, links, code marks and emphasis reduced to their text. It is a
// cheap approximation used for lists and search results; pages render the
// full Markdown.
func Summary(md string) string {
	md = strings.TrimSpace(md)
	if md == "" {
		return ""
	}
	md = admonRE.ReplaceAllString(md, "")
	md = strings.TrimSpace(md)
	if i := strings.Index(md, "\n\n"); i >= 0 {
		md = md[:i]
	}
	md = roleRE.ReplaceAllString(md, "$1")
	md = linkRE.ReplaceAllString(md, "$1")
	md = headAttrRE.ReplaceAllString(md, "")
	md = strings.NewReplacer("`", "", "**", "", "__", "", "\\", "").Replace(md)
	md = strings.TrimLeft(md, "#>-* ")
	md = spaceRE.ReplaceAllString(md, " ")
	md = strings.TrimSpace(md)
	if s := firstSentence(md); s != "" {
		md = s
	}
	if len(md) > maxSummary {
		cut := strings.LastIndexByte(md[:maxSummary], ' ')
		if cut < maxSummary/2 {
			cut = maxSummary
			for cut > 0 && !utf8Start(md[cut]) {
				cut--
			}
		}
		md = strings.TrimRight(md[:cut], " ,;:") + "…"
	}
	return md
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

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
