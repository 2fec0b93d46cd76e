package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputReportsWriteErrors checks a file that cannot be written fails
// the build: the queued writer's error comes back from close, and later
// writes are refused with it.
func TestOutputReportsWriteErrors(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	// A file where a folder must go makes every write below it fail.
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "blocked"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := newOutput(root, false, nil)
	if err := o.write(segCore, "ok.txt", []byte("fine")); err != nil {
		t.Fatalf("first write: %v", err)
	}
	if err := o.write(segCore, "blocked/page.html", []byte("<p>x</p>")); err != nil {
		t.Fatalf("queued write failed early: %v", err)
	}
	err := o.close()
	if err == nil || !strings.Contains(err.Error(), "blocked") {
		t.Fatalf("close = %v, want the error naming blocked/", err)
	}
	if err := o.write(segCore, "later.txt", []byte("x")); err == nil {
		t.Error("write after a failed one succeeded")
	}
	if got, err := os.ReadFile(filepath.Join(root, "ok.txt")); err != nil || string(got) != "fine" {
		t.Errorf("ok.txt = %q, %v", got, err)
	}
}
