package serve

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestWatcherBatches: a burst of saves across folders becomes one batch
// that says what changed; files the build does not read start none.
func TestWatcherBatches(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"content/a", "nix/modules", "nix/tests", "themes/t/templates", "inputs"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	input := filepath.Join(root, "inputs", "options.json")
	writeFile(t, input, "{}")
	w, err := newWatcher([]watchTarget{
		{path: filepath.Join(root, "content"), recursive: true, kind: changeSite},
		{path: filepath.Join(root, "themes", "t"), recursive: true, kind: changeSite},
		{path: input, kind: changeSite},
		{path: filepath.Join(root, "nix"), recursive: true, kind: changeNix, nixOnly: true, exclude: filepath.Join(root, "nix", "tests")},
	}, 200*time.Millisecond, 5*time.Second, func(err error) { t.Error(err) })
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan batch, 8)
	go w.run(ctx, out)

	next := func() (batch, bool) {
		select {
		case b := <-out:
			return b, true
		case <-time.After(1 * time.Second):
			return batch{}, false
		}
	}

	// Nothing the build reads: another file beside the input, nix/tests,
	// a README under nix/, editor litter.
	writeFile(t, filepath.Join(root, "inputs", "other.json"), "{}")
	writeFile(t, filepath.Join(root, "nix", "tests", "t.nix"), "{}")
	writeFile(t, filepath.Join(root, "nix", "README.md"), "x")
	writeFile(t, filepath.Join(root, "content", "a", "x.md~"), "x")
	writeFile(t, filepath.Join(root, "content", "a", ".x.md.swp"), "x")
	if b, ok := next(); ok {
		t.Fatalf("irrelevant files made a batch: %+v", b)
	}

	// One burst: a guide, a template, the input file, a module.
	writeFile(t, filepath.Join(root, "content", "a", "x.md"), "# X")
	writeFile(t, filepath.Join(root, "themes", "t", "templates", "base.html"), "x")
	writeFile(t, input, `{"a": 1}`)
	writeFile(t, filepath.Join(root, "nix", "modules", "m.nix"), "{}")
	b, ok := next()
	if !ok {
		t.Fatal("no batch for the burst")
	}
	if b.kind != changeSite|changeNix {
		t.Errorf("kind = %b, want site and nix", b.kind)
	}
	for _, p := range []string{"content/a/x.md", "themes/t/templates/base.html", "inputs/options.json", "nix/modules/m.nix"} {
		if !slices.Contains(b.paths, filepath.Join(root, p)) {
			t.Errorf("batch lacks %s: %v", p, b.paths)
		}
	}
	if extra, ok := next(); ok {
		t.Errorf("one burst made a second batch: %+v", extra)
	}

	// A folder made after start is watched, files inside it too.
	deep := filepath.Join(root, "content", "new", "deeper")
	os.MkdirAll(deep, 0o755)
	if _, ok := next(); !ok {
		t.Fatal("no batch for the new folder")
	}
	writeFile(t, filepath.Join(deep, "y.md"), "# Y")
	if b, ok := next(); !ok || !slices.Contains(b.paths, filepath.Join(deep, "y.md")) {
		t.Fatalf("edit in the new folder: %+v, %v", b, ok)
	}

	// The content folder deleted and made again (a branch switch): its
	// new files are still seen.
	content := filepath.Join(root, "content")
	if err := os.RemoveAll(content); err != nil {
		t.Fatal(err)
	}
	if _, ok := next(); !ok {
		t.Fatal("no batch for the deleted content folder")
	}
	os.MkdirAll(filepath.Join(content, "b"), 0o755)
	next()
	writeFile(t, filepath.Join(content, "b", "z.md"), "# Z")
	if b, ok := next(); !ok || !slices.Contains(b.paths, filepath.Join(content, "b", "z.md")) {
		t.Fatalf("edit in the recreated content folder: %+v, %v", b, ok)
	}
}
