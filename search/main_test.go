package search

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// shared holds the NixOS-option indexes that several tests read, built
// once per test binary.
var shared struct {
	dir        string
	bleveOnce  sync.Once
	bleve      *Index
	bleveErr   error
	staticOnce sync.Once
	static     string
	staticErr  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nurdocs-search-test-")
	if err != nil {
		panic(err)
	}
	shared.dir = dir
	code := m.Run()
	if shared.bleve != nil {
		shared.bleve.Close()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// nixosBleve is the bleve index of the NixOS option set.
func nixosBleve(t *testing.T) *Index {
	docs := nixosOptions(t)
	shared.bleveOnce.Do(func() {
		shared.bleve, shared.bleveErr = OpenOrBuild(filepath.Join(shared.dir, "bleve"), docs, testURL)
	})
	if shared.bleveErr != nil {
		t.Fatal(shared.bleveErr)
	}
	return shared.bleve
}

// nixosStatic is the folder of the static index of the NixOS option set.
func nixosStatic(t *testing.T) string {
	docs := nixosOptions(t)
	shared.staticOnce.Do(func() {
		shared.static = filepath.Join(shared.dir, "static")
		_, shared.staticErr = WriteStaticIndex(shared.static, docs, testURL)
	})
	if shared.staticErr != nil {
		t.Fatal(shared.staticErr)
	}
	return shared.static
}
