package site

import (
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// TestModulePageSaysWhyNotPackaged builds the repository's own snapshot: a
// module whose program has no package says so and why, and a packaged
// module links its package instead.
func TestModulePageSaysWhyNotPackaged(t *testing.T) {
	if _, err := os.Stat(filepath.Join(repoRoot, indexer.SnapshotFile)); err != nil {
		t.Skip("no snapshot in site/data: run nurdocs eval")
	}
	src := &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceSnapshot}
	loaded, err := src.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var unpackaged, packaged *indexer.Module
	for i, m := range loaded.Modules {
		switch {
		case m.Unpackaged != nil && unpackaged == nil:
			unpackaged = &loaded.Modules[i]
		case m.Package != nil && m.Unpackaged == nil && packaged == nil:
			packaged = &loaded.Modules[i]
		}
	}
	if unpackaged == nil || packaged == nil {
		t.Fatalf("snapshot lacks a packaged and an unpackaged module (unpackaged %v, packaged %v)", unpackaged, packaged)
	}

	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, src, Config{NoMinify: true}, out)
	page := func(m *indexer.Module) string {
		return readFile(t, filepath.Join(out, "options", m.OptionPrefix, "index.html"))
	}
	// The reason is plain text from the export; the page escapes it.
	want := `<p class="unpackaged">Not packaged: ` + template.HTMLEscapeString(*unpackaged.Unpackaged) + `</p>`
	if got := page(unpackaged); !strings.Contains(got, want) || strings.Contains(got, "Runs the package") {
		t.Errorf("%s page: want %q and no package link", unpackaged.OptionPrefix, want)
	}
	if got := page(packaged); !strings.Contains(got, "Runs the package") || strings.Contains(got, "Not packaged:") {
		t.Errorf("%s page: want its package link and no \"Not packaged\" line", packaged.OptionPrefix)
	}
}
