package live

import (
	"os"
	"sort"
	"testing"
)

// TestRustBuilds builds every Rust workspace the packages use, one cargo
// build each (cached), and prints each program's build time and size. The
// services' own tests (TestRustServices) start from the same cache
// entries.
func TestRustBuilds(t *testing.T) {
	var names []string
	for ws := range rustWorkspaces {
		names = append(names, ws)
	}
	// Smallest first: a failure in a large workspace still leaves the
	// smaller ones built.
	order := map[string]int{"allegedly": 0, "microcosm": 1, "rsky": 2, "hydrant": 3}
	sort.Slice(names, func(i, j int) bool { return order[names[i]] < order[names[j]] })
	for _, ws := range names {
		t.Run(ws, func(t *testing.T) {
			for _, pkg := range rustWorkspaces[ws] {
				b := BuildRust(t, pkg)
				st, err := os.Stat(b.Exe)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("BUILT %s: %s, %.1f MiB", pkg, b, float64(st.Size())/(1<<20))
			}
		})
	}
}
