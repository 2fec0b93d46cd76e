// Package testcorpus finds the real option sets that tests and benchmarks
// read: ../shared/corpus beside the repository (see ../shared/README.md),
// or the folder named by $NURDOCS_CORPUS for a checkout that lives
// elsewhere. The corpus is never copied into the repository.
package testcorpus

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvVar names a corpus folder to use instead of ../shared/corpus.
const EnvVar = "NURDOCS_CORPUS"

// ErrMissing is returned when no corpus folder exists.
var ErrMissing = errors.New("shared corpus not found: expected ../shared/corpus beside the repository (or a folder in $" + EnvVar + "); see ../shared/README.md")

// Dir returns the corpus folder, or ErrMissing.
func Dir() (string, error) {
	dir := os.Getenv(EnvVar)
	if dir == "" {
		// This file is <repo>/internal/testcorpus/testcorpus.go.
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			return "", ErrMissing
		}
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "corpus")
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return "", ErrMissing
	} else if err != nil {
		return "", fmt.Errorf("corpus folder %s: %w", dir, err)
	}
	return filepath.Clean(dir), nil
}

// Path returns the path of one corpus file, or skips the test with one
// line saying what is missing and how to provide it.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	dir, err := Dir()
	if err != nil {
		tb.Skipf("skipped: %v", err)
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("skipped: corpus file %s is absent (%v)", p, err)
	}
	return p
}
