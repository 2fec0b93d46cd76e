package search

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search/internal/corpus"
)

// testURL is the page of a document as the site lays pages out; the search
// package only stores what it is given.
func testURL(d indexer.Document) string {
	switch d.Kind {
	case indexer.KindOption:
		return "options/" + d.Scope + "/#" + d.Name
	case indexer.KindPackage:
		return "packages/" + d.Name + "/"
	}
	return "guides/" + d.Name + "/"
}

var (
	largeOnce sync.Once
	largeDocs []indexer.Document
	largeErr  error
)

// largeInput is the benchmark input the issue names: the real NixOS option
// set (20,919 options) and 100,000 generated packages.
func largeInput(tb testing.TB) []indexer.Document {
	largeOnce.Do(func() {
		opts, err := corpus.NixOSOptions()
		if err != nil {
			largeErr = err
			return
		}
		largeDocs = append(opts, corpus.Packages(100_000)...)
	})
	if errors.Is(largeErr, corpus.ErrMissing) {
		tb.Skip("skipped: " + largeErr.Error())
	}
	if largeErr != nil {
		tb.Fatal(largeErr)
	}
	return largeDocs
}

func nixosOptions(tb testing.TB) []indexer.Document {
	docs, err := corpus.NixOSOptions()
	if errors.Is(err, corpus.ErrMissing) {
		tb.Skip("skipped: " + err.Error())
	}
	if err != nil {
		tb.Fatal(err)
	}
	return docs
}

func BenchmarkWriteStaticIndexLarge(b *testing.B) {
	docs := largeInput(b)
	dir := b.TempDir()
	var st Stats
	for b.Loop() {
		var err error
		st, err = WriteStaticIndex(filepath.Join(dir, "search"), docs, testURL)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.GzipBytes), "gzip-bytes")
	b.ReportMetric(float64(st.MaxShardGzip), "max-shard-gzip-bytes")
	b.Logf("%d docs: %d name shards, %d description shards, %d doc chunks; %d bytes (%d gzip); manifest %d gzip; largest shard %s %d gzip",
		st.Docs, st.NameShards, st.DescShards, st.DocChunks, st.Bytes, st.GzipBytes, st.ManifestGzip, st.MaxShard, st.MaxShardGzip)
	os.RemoveAll(dir)
}
