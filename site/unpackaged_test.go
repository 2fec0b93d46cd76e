package site

import (
	"context"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// TestModulePageSaysWhyNotPackaged builds the repository's own snapshot
// with one module's package taken away, as nix/pkgs/_unpackaged.nix
// exports a module whose program is not packaged yet (every module has a
// package today): that module's page says so and why, escaped, and a
// packaged module links its package instead.
func TestModulePageSaysWhyNotPackaged(t *testing.T) {
	if _, err := os.Stat(filepath.Join(repoRoot, indexer.SnapshotFile)); err != nil {
		t.Skip("no snapshot in site/data: run nurdocs eval")
	}
	src := &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceSnapshot}
	load := sourcesLoader(src)
	const why = "upstream publishes no release <yet> & the lockfile pins a private fork"
	var unpackaged, packaged string
	withUnpackaged := func(ctx context.Context) (*Inputs, error) {
		in, err := load(ctx)
		if err != nil {
			return nil, err
		}
		var found []int
		for i, m := range in.Modules {
			if m.Package != nil && m.Unpackaged == nil {
				found = append(found, i)
			}
		}
		if len(found) < 2 {
			return nil, fmt.Errorf("snapshot has %d packaged modules, want two", len(found))
		}
		packaged = in.Modules[found[0]].OptionPrefix
		m := &in.Modules[found[1]]
		unpackaged = m.OptionPrefix
		// As the export has it: the module names the package its program
		// will have, no such package exists, and the reason says why.
		name, reason := "not-packaged-yet", why
		m.Package, m.Unpackaged = &name, &reason
		return in, nil
	}
	out := filepath.Join(t.TempDir(), "public")
	if _, err := NewBuilder(Config{NoMinify: true, Out: out}, withUnpackaged).Build(t.Context()); err != nil {
		t.Fatalf("build: %v", err)
	}
	page := func(prefix string) string {
		return readFile(t, filepath.Join(out, "options", prefix, "index.html"))
	}
	// The reason is plain text from the export; the page escapes it.
	want := `<p class="unpackaged">Not packaged: ` + template.HTMLEscapeString(why) + `</p>`
	if got := page(unpackaged); !strings.Contains(got, want) || strings.Contains(got, "Runs the package") {
		t.Errorf("%s page: want %q and no package link", unpackaged, want)
	}
	if got := page(packaged); !strings.Contains(got, "Runs the package") || strings.Contains(got, "Not packaged:") {
		t.Errorf("%s page: want its package link and no \"Not packaged\" line", packaged)
	}
}
