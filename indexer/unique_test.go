package indexer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoadFindsRepeatedIDs: two inputs of one scope naming the same
// option fail, also when the repeat comes from an input read anew while
// the other is served from the cache; fixing the input loads again.
func TestLoadFindsRepeatedIDs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, opts ...string) string {
		t.Helper()
		var entries []string
		for _, o := range opts {
			entries = append(entries, fmt.Sprintf(`%q: {"declarations": [], "description": "d", "loc": [%q], "readOnly": false, "type": "boolean"}`, o, o))
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("{"+strings.Join(entries, ",")+"}"), 0o644); err != nil {
			t.Fatal(err)
		}
		// The cache knows a file by its time and size: make a rewrite new.
		later := time.Now().Add(time.Duration(len(opts)) * time.Second)
		if err := os.Chtimes(path, later, later); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a, b := write("a.json", "x", "y"), write("b.json", "z")
	s := &Sources{Mode: SourceNone, ContentDir: t.TempDir(),
		Options: []FileInput{{Path: a, Scope: "S"}, {Path: b, Scope: "S"}}}
	load := func() error {
		_, err := s.Load(context.Background())
		return err
	}
	if err := load(); err != nil {
		t.Fatalf("distinct options: %v", err)
	}
	write("b.json", "z", "x") // a.json is served from the cache
	if err := load(); err == nil || !strings.Contains(err.Error(), "opt:S/x appears in two inputs") {
		t.Fatalf("repeated option: err = %v", err)
	}
	if err := load(); err == nil {
		t.Fatal("the repeat was reported once, then forgotten")
	}
	write("b.json", "z", "w", "v")
	if err := load(); err != nil {
		t.Fatalf("after the fix: %v", err)
	}
	write("a.json", "x", "v") // now a.json, read anew, repeats b.json's
	if err := load(); err == nil || !strings.Contains(err.Error(), "opt:S/v appears in two inputs") {
		t.Fatalf("repeat from the other input: err = %v", err)
	}
	// Other scopes may use the same names.
	s.Options[1].Scope = "T"
	if err := load(); err != nil {
		t.Fatalf("same names in two scopes: %v", err)
	}
}
