package search

import (
	"path/filepath"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search/internal/corpus"
)

// previewInput is what the preview serves at its largest: the NixOS
// options, the nixpkgs package set and a few guides.
func previewInput(tb testing.TB) []indexer.Document {
	opts := nixosOptions(tb)
	pkgs, err := corpus.NixpkgsPackages()
	if err != nil {
		tb.Skip("skipped: " + err.Error())
	}
	docs := append(append([]indexer.Document{}, opts...), pkgs...)
	for _, g := range []string{"getting-started", "writing", "upgrades"} {
		docs = append(docs, indexer.Document{ID: "guide:" + g, Kind: indexer.KindGuide, Scope: indexer.PrimaryScope, Name: g,
			Title: g, Guide: &indexer.Guide{Body: "A guide about " + g + " and the services it runs."}})
	}
	return docs
}

// BenchmarkStaticUpdateGuideEdit is the preview's search index update
// after a guide edit on the largest site: one document's text changed.
// "tokens" keeps the documents' words between writes, as the preview does.
func BenchmarkStaticUpdateGuideEdit(b *testing.B) {
	docs := previewInput(b)
	for _, withTokens := range []bool{false, true} {
		name := "no-cache"
		if withTokens {
			name = "tokens"
		}
		b.Run(name, func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "search")
			opt := StaticOptions{Record: &StaticRecord{}}
			if withTokens {
				opt.Tokens = &TokenCache{}
			}
			if _, err := WriteStaticIndexWith(dir, docs, testURL, opt); err != nil {
				b.Fatal(err)
			}
			last := len(docs) - 1
			orig := *docs[last].Guide
			defer func() { docs[last].Guide = &orig }()
			i := 0
			for b.Loop() {
				i++
				g := orig
				g.Body += " Edit " + string(rune('a'+i%26)) + "."
				docs[last].Guide = &g
				if _, err := WriteStaticIndexWith(dir, docs, testURL, opt); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(opt.Record.Written), "files-written")
			b.ReportMetric(float64(opt.Record.Tokenized), "docs-tokenized")
			b.ReportMetric(float64(len(docs)), "docs")
		})
	}
}

// BenchmarkBleveUpdateGuideEdit is the same edit applied to the bleve
// index behind the preview's /api/search (Index.Update).
func BenchmarkBleveUpdateGuideEdit(b *testing.B) {
	docs := previewInput(b)
	ix, err := OpenOrBuild(filepath.Join(b.TempDir(), "bleve"), docs, testURL)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	tokens := &TokenCache{}
	if _, err := ix.Update(docs, testURL, tokens); err != nil {
		b.Fatal(err)
	}
	last := len(docs) - 1
	orig := *docs[last].Guide
	defer func() { docs[last].Guide = &orig }()
	i, n := 0, 0
	for b.Loop() {
		i++
		g := orig
		g.Body += " Edit " + string(rune('a'+i%26)) + "."
		docs[last].Guide = &g
		if n, err = ix.Update(docs, testURL, tokens); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "docs-indexed")
	b.ReportMetric(float64(len(docs)), "docs")
}
