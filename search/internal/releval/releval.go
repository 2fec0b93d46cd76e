// Package releval measures search relevance: judged queries in, success@10,
// mean reciprocal rank and nDCG@10 out, overall and per category, for any
// ranking given as a list of names per query.
package releval

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
)

// Query is one judged query: the options a user typing Q wants on top.
type Query struct {
	Q        string   `json:"q"`
	Category string   `json:"category"`
	Want     []string `json:"want"`              // the answers (gain 2); any of them in the top Cutoff is a success
	Related  []string `json:"related,omitempty"` // name prefixes of relevant options (gain 1)
	Half     string   `json:"half,omitempty"`    // "tune" or "held" in the judged set; "" in the old set
}

// A Set is a named list of judged queries.
type Set struct {
	Name    string
	Queries []Query
}

func testdata(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", name)
}

func load(path string) ([]Query, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		Queries []Query `json:"queries"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, q := range f.Queries {
		if q.Q == "" || len(q.Want) == 0 {
			return nil, fmt.Errorf("%s: query %d (%q) has no text or no wanted results", path, i+1, q.Q)
		}
		if q.Half != "" && q.Half != "tune" && q.Half != "held" {
			return nil, fmt.Errorf("%s: query %d (%q): half %q, want tune or held", path, i+1, q.Q, q.Half)
		}
	}
	return f.Queries, nil
}

// Load reads the old judged queries (search/testdata/relevance.json).
func Load() ([]Query, error) { return load(testdata("relevance.json")) }

// LoadSets reads the old set and the two halves of the judged set of
// issue 14 (search/testdata/judged.json): "old", "tune" and "held".
func LoadSets() ([]Set, error) {
	old, err := Load()
	if err != nil {
		return nil, err
	}
	judged, err := load(testdata("judged.json"))
	if err != nil {
		return nil, err
	}
	sets := []Set{{Name: "old", Queries: old}, {Name: "tune"}, {Name: "held"}}
	for _, q := range judged {
		if q.Half == "tune" {
			sets[1].Queries = append(sets[1].Queries, q)
		} else {
			sets[2].Queries = append(sets[2].Queries, q)
		}
	}
	return sets, nil
}

// LoadPackageSets reads the two halves of the judged package queries of
// issue 24 (search/testdata/packages-judged.json), judged against the
// nixpkgs package set searched together with the NixOS options:
// "pkg-tune" and "pkg-held".
func LoadPackageSets() ([]Set, error) {
	judged, err := load(testdata("packages-judged.json"))
	if err != nil {
		return nil, err
	}
	sets := []Set{{Name: "pkg-tune"}, {Name: "pkg-held"}}
	for _, q := range judged {
		if q.Half == "tune" {
			sets[0].Queries = append(sets[0].Queries, q)
		} else {
			sets[1].Queries = append(sets[1].Queries, q)
		}
	}
	return sets, nil
}

// Cutoff is the number of results judged.
const Cutoff = 10

// Outcome is how one query fared.
type Outcome struct {
	Query Query
	Rank  int      // 1-based rank of the first wanted result in the top Cutoff; 0 when none
	NDCG  float64  // normalized discounted cumulative gain of the top Cutoff
	Top   []string // the names returned
}

// gain is the judgement of name for q: 2 wanted, 1 related, 0 neither.
func (q Query) gain(name string) int {
	if slices.Contains(q.Want, name) {
		return 2
	}
	for _, p := range q.Related {
		if strings.HasPrefix(name, p) {
			return 1
		}
	}
	return 0
}

func dcg(gains []int) float64 {
	s := 0.0
	for i, g := range gains[:min(len(gains), Cutoff)] {
		s += float64(int(1)<<g-1) / math.Log2(float64(i+2))
	}
	return s
}

// Judge finds the first wanted name in top and its nDCG, the ideal
// ranking being the best Cutoff of all names (every document of the
// corpus) by gain.
func Judge(q Query, top, all []string) Outcome {
	o := Outcome{Query: q, Top: top}
	var got []int
	for i, name := range top[:min(len(top), Cutoff)] {
		if slices.Contains(q.Want, name) && o.Rank == 0 {
			o.Rank = i + 1
		}
		got = append(got, q.gain(name))
	}
	var ideal []int
	for _, name := range all {
		if g := q.gain(name); g > 0 {
			ideal = append(ideal, g)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ideal)))
	if best := dcg(ideal); best > 0 {
		o.NDCG = dcg(got) / best
	}
	return o
}

// Metrics are the means of one group of outcomes.
type Metrics struct {
	N         int
	SuccessAt float64 // share of queries with a wanted result in the top Cutoff
	MRR       float64 // mean of 1/Rank (0 for misses)
	NDCG      float64 // mean nDCG@Cutoff
}

// Score sums outcomes, overall and per category.
type Score struct {
	Metrics
	ByCategory map[string]Metrics
}

func (m *Metrics) add(o Outcome) {
	m.N++
	if o.Rank > 0 {
		m.SuccessAt++
		m.MRR += 1 / float64(o.Rank)
	}
	m.NDCG += o.NDCG
}

func (m *Metrics) mean() {
	if m.N > 0 {
		m.SuccessAt /= float64(m.N)
		m.MRR /= float64(m.N)
		m.NDCG /= float64(m.N)
	}
}

// Summarize computes the metrics, overall and per category.
func Summarize(outs []Outcome) Score {
	s := Score{ByCategory: map[string]Metrics{}}
	for _, o := range outs {
		s.add(o)
		c := s.ByCategory[o.Query.Category]
		c.add(o)
		s.ByCategory[o.Query.Category] = c
	}
	s.mean()
	for c, m := range s.ByCategory {
		m.mean()
		s.ByCategory[c] = m
	}
	return s
}

// Categories returns the category names in a stable order.
func (s Score) Categories() []string {
	var cs []string
	for c := range s.ByCategory {
		cs = append(cs, c)
	}
	sort.Strings(cs)
	return cs
}
