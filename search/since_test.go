package search

import (
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search/internal/corpus"
	"github.com/atproto-nur/atproto-nur/search/internal/jsrun"
)

// TestSinceInIndex: the browser index carries a document's newest change
// (Document.Since, set when the build compares releases) so results can
// show it, and it costs little: the NixOS option set with one option in
// four changed in the release (a large release) grows by at most 10%,
// compressed as it is served.
func TestSinceInIndex(t *testing.T) {
	docs, err := corpus.NixOSOptions()
	if err != nil {
		t.Skipf("skipped: %v", err)
	}
	plain, err := WriteStaticIndex(t.TempDir(), docs, testURL)
	if err != nil {
		t.Fatal(err)
	}
	marked := make([]indexer.Document, len(docs))
	copy(marked, docs)
	marks := []string{"new in 26.05", "default changed in 26.05", "type changed in 26.05", "renamed in 26.05 from services.x.y"}
	changed := 0
	for i := range marked {
		if i%4 == 0 || marked[i].Name == "services.openssh.enable" {
			marked[i].Since = marks[(i/4)%len(marks)]
			changed++
		}
	}
	dir := t.TempDir()
	withSince, err := WriteStaticIndex(dir, marked, testURL)
	if err != nil {
		t.Fatal(err)
	}
	growth := float64(withSince.GzipBytes-plain.GzipBytes) / float64(plain.GzipBytes)
	t.Logf("%d documents, %d with since: index %d → %d bytes gzip (+%.1f%%), %d → %d bytes as written",
		len(docs), changed, plain.GzipBytes, withSince.GzipBytes, 100*growth, plain.Bytes, withSince.Bytes)
	if growth > 0.10 {
		t.Errorf("since grows the index by %.1f%%, more than 10%%", 100*growth)
	}
	if growth <= 0 {
		t.Errorf("the index did not grow: since is not in it")
	}
	// search.js reads it back as the result's since.
	answers := runJS(t, dir, []jsrun.Query{{Q: "services.openssh.enable"}}, 3)
	want := ""
	for _, d := range marked {
		if d.Name == "services.openssh.enable" {
			want = d.Since
		}
	}
	if want == "" {
		t.Fatal("the test did not mark services.openssh.enable")
	}
	if len(answers[0].Results) == 0 || answers[0].Results[0].Name != "services.openssh.enable" {
		t.Fatalf("services.openssh.enable not found first: %+v", answers[0].Results)
	}
	if got := answers[0].Results[0].Since; got != want {
		t.Errorf("search.js gives since %q, want %q", got, want)
	}
}
