// Package releval measures search relevance: judged queries in, mean
// reciprocal rank and success@10 out, for any ranking given as a function.
package releval

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
)

// Query is one judged query: the options a user typing Q wants on top.
type Query struct {
	Q        string   `json:"q"`
	Category string   `json:"category"`
	Want     []string `json:"want"`
}

// Load reads the judged queries (search/testdata/relevance.json).
func Load() ([]Query, error) {
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "relevance.json")
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
	}
	return f.Queries, nil
}

// Cutoff is the number of results judged.
const Cutoff = 10

// Outcome is how one query fared.
type Outcome struct {
	Query Query
	Rank  int      // 1-based rank of the first wanted result in the top Cutoff; 0 when none
	Top   []string // the names returned
}

// Score sums outcomes.
type Score struct {
	N          int
	MRR        float64 // mean of 1/Rank (0 for misses), over the top Cutoff
	SuccessAt  float64 // share of queries with a wanted result in the top Cutoff
	ByCategory map[string][2]float64
}

// Judge finds the first wanted name in top.
func Judge(q Query, top []string) Outcome {
	o := Outcome{Query: q, Top: top}
	for i, name := range top[:min(len(top), Cutoff)] {
		if slices.Contains(q.Want, name) {
			o.Rank = i + 1
			break
		}
	}
	return o
}

// Summarize computes MRR and success@10, overall and per category.
func Summarize(outs []Outcome) Score {
	s := Score{N: len(outs), ByCategory: map[string][2]float64{}}
	count := map[string]int{}
	for _, o := range outs {
		rr, hit := 0.0, 0.0
		if o.Rank > 0 {
			rr, hit = 1/float64(o.Rank), 1
		}
		s.MRR += rr
		s.SuccessAt += hit
		c := s.ByCategory[o.Query.Category]
		s.ByCategory[o.Query.Category] = [2]float64{c[0] + rr, c[1] + hit}
		count[o.Query.Category]++
	}
	if s.N > 0 {
		s.MRR /= float64(s.N)
		s.SuccessAt /= float64(s.N)
	}
	for c, v := range s.ByCategory {
		s.ByCategory[c] = [2]float64{v[0] / float64(count[c]), v[1] / float64(count[c])}
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
