package search

import (
	"errors"
	"slices"
	"testing"

	"github.com/atproto-nur/atproto-nur/search/internal/jsrun"
	"github.com/atproto-nur/atproto-nur/search/internal/releval"
)

// TestRelevance ranks the judged queries over the NixOS option set with the
// bleve index (as the CLI and the preview server do) and with search.js on
// the static shards, requires the same top ten from both, and success@10
// of at least 0.9. go run ./search/cmd/releval -v prints the details.
func TestRelevance(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: builds indexes of the NixOS option set")
	}
	queries, err := releval.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) < 60 {
		t.Fatalf("%d judged queries, want at least 60", len(queries))
	}
	ix := nixosBleve(t)
	var qs []jsrun.Query
	for _, q := range queries {
		qs = append(qs, jsrun.Query{Q: q.Q})
	}
	answers, err := jsrun.Run(nixosStatic(t), qs, releval.Cutoff)
	if errors.Is(err, jsrun.ErrNoNode) {
		t.Log("search.js not compared: " + err.Error())
	} else if err != nil {
		t.Fatal(err)
	}
	var outs []releval.Outcome
	for i, q := range queries {
		rs, err := ix.Search(q.Q, Options{Limit: releval.Cutoff})
		if err != nil {
			t.Fatal(err)
		}
		var top []string
		for _, r := range rs {
			top = append(top, r.Name)
		}
		outs = append(outs, releval.Judge(q, top, nil))
		if answers != nil {
			var js []string
			for _, r := range answers[i].Results {
				js = append(js, r.Name)
			}
			if !slices.Equal(js, top) {
				t.Errorf("%q: search.js top %q, bleve %q", q.Q, js, top)
			}
		}
	}
	s := releval.Summarize(outs)
	t.Logf("%d queries: MRR %.3f, success@10 %.3f", s.N, s.MRR, s.SuccessAt)
	if s.SuccessAt < 0.9 {
		for _, o := range outs {
			if o.Rank == 0 {
				t.Logf("miss: %q (top: %q)", o.Query.Q, o.Top)
			}
		}
		t.Errorf("success@10 = %.3f, want at least 0.9", s.SuccessAt)
	}
}
