package examples_test

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var (
	linkRE   = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	anchorRE = regexp.MustCompile(`\{#([A-Za-z0-9_.:-]+)\}`)
)

// guidePage is the site folder of a guide, as site/layout.go lays guides
// out: content/administration/pds.md -> guides/administration/pds,
// content/administration/index.md -> guides/administration.
func guidePage(rel string) string {
	p := strings.TrimSuffix(strings.TrimPrefix(rel, "content/"), ".md")
	if path.Base(p) == "index" {
		p = path.Dir(p)
	}
	return path.Join("guides", p)
}

// brokenLinks checks the relative links between guides: each must land on
// a guide's page and, with a fragment, on an explicit {#anchor} there.
// Links with a scheme, absolute paths and code blocks are not checked.
func brokenLinks(guides map[string]string) []string {
	pages := map[string]string{} // page -> source
	for rel, text := range guides {
		pages[guidePage(rel)] = text
	}
	var problems []string
	for rel, text := range guides {
		inFence := false
		for n, line := range strings.Split(text, "\n") {
			t := strings.TrimSpace(line)
			if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
				inFence = !inFence
				continue
			}
			if inFence {
				continue
			}
			for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "/") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				page, frag, _ := strings.Cut(target, "#")
				dest := guidePage(rel)
				if page != "" {
					dest = path.Join(dest, page)
				}
				src, ok := pages[dest]
				if !ok {
					problems = append(problems, fmt.Sprintf("%s:%d: link %q leads to %s/, which is no guide", rel, n+1, target, dest))
					continue
				}
				if frag != "" && !hasAnchor(src, frag) {
					problems = append(problems, fmt.Sprintf("%s:%d: link %q: the guide at %s/ has no {#%s} heading", rel, n+1, target, dest, frag))
				}
			}
		}
	}
	sort.Strings(problems)
	return problems
}

func hasAnchor(src, id string) bool {
	for _, m := range anchorRE.FindAllStringSubmatch(src, -1) {
		if m[1] == id {
			return true
		}
	}
	return false
}

func TestGuideLinksResolve(t *testing.T) {
	guides := readTree(t, "..", "content", ".md")
	for _, p := range brokenLinks(guides) {
		t.Error(p)
	}
}

func TestLinkCheckCanFail(t *testing.T) {
	guides := map[string]string{
		"content/a.md":       "[ok](../b/x/#here) [bad page](../c/) [bad anchor](../b/x/#nowhere)\n```sh\n[in code](../zzz/)\n```\n",
		"content/b/index.md": "[child](x/) [self](#top)\n# B {#top}\n",
		"content/b/x.md":     "## Here {#here}\n[up](../) [sibling](../../a/)\n",
	}
	got := brokenLinks(guides)
	joined := strings.Join(got, "\n")
	if len(got) != 2 || !strings.Contains(joined, `"../c/" leads to guides/c/`) || !strings.Contains(joined, "{#nowhere}") {
		t.Fatalf("brokenLinks = %q, want the missing page and the missing anchor", got)
	}
}
