package site

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLargeSiteStructure shrinks the limits so the small test data takes
// the paths big sites take: a sitemap index over several sitemaps and a
// package list split by name prefix. Every link must still resolve.
func TestLargeSiteStructure(t *testing.T) {
	oldSitemap, oldList := sitemapLimit, maxList
	sitemapLimit, maxList = 5, 2
	defer func() { sitemapLimit, maxList = oldSitemap, oldList }()

	out := filepath.Join(t.TempDir(), "public")
	res := buildSite(t, testSources(), testConfig(), out)
	idx := readFile(t, filepath.Join(out, "sitemap.xml"))
	if !strings.Contains(idx, "<sitemapindex") {
		t.Fatalf("sitemap.xml is not an index: %.200s", idx)
	}
	n := strings.Count(idx, "<sitemap>")
	urls := 0
	for i := 1; i <= n; i++ {
		sm := readFile(t, filepath.Join(out, "sitemap-"+itoa(i)+".xml"))
		c := strings.Count(sm, "<url>")
		if c > sitemapLimit {
			t.Errorf("sitemap-%d.xml lists %d URLs, limit %d", i, c, sitemapLimit)
		}
		urls += c
	}
	if urls != res.Stats.Pages-2 { // 404.html and search/ are left out
		t.Errorf("sitemaps list %d URLs for %d pages", urls, res.Stats.Pages)
	}
	list := readFile(t, filepath.Join(out, "packages", "index.html"))
	if !strings.Contains(list, "/package-index/") {
		t.Errorf("package list not split: %.300s", list)
	}
	checkLinks(t, out, "/")
}

// TestTermProgress checks the terminal progress line names the phase and
// counts, and is cleared at the end.
func TestTermProgress(t *testing.T) {
	var b bytes.Buffer
	p := &TermProgress{W: &b}
	p.Phase("render pages", 3)
	p.Step(1)
	p.Step(2)
	p.Done()
	s := b.String()
	if !strings.Contains(s, "render pages 0/3") || !strings.Contains(s, "render pages 3/3") || !strings.HasSuffix(s, "\r\033[K") {
		t.Errorf("progress output %q", s)
	}
	_ = os.Stderr
}
