package site

import (
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/internal/testcorpus"
)

// TestRealNixpkgsSite builds the site of the real nixpkgs package set of
// ../shared/corpus (packages.json v2, read from source; see its
// PROVENANCE.txt) and reads the pages a user would: a package's source
// position opens nixpkgs at the --scope-revision, a package whose entry
// lacks facts says which, and no package list page is over 1 MB.
func TestRealNixpkgsSite(t *testing.T) {
	path := testcorpus.Path(t, "nixpkgs-packages.json.gz")
	if testing.Short() {
		t.Skip("skipped in -short: builds 36,000 package pages")
	}
	const rev = "7beb50e7ff79da548c79762c9130477208787e96"
	out := filepath.Join(t.TempDir(), "public")
	src := &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceNone, ContentDir: t.TempDir(),
		Packages: []indexer.FileInput{{Path: path, Scope: "nixpkgs"}}}
	res := buildSite(t, src, Config{ScopeRevision: map[string]string{"nixpkgs": rev}}, out)
	if res.Stats.Packages != 36172 {
		t.Errorf("%d package pages, want one per attribute (36,172)", res.Stats.Packages)
	}
	pkgDir := filepath.Join(out, "scope", "nixpkgs", "packages")
	pg := readFile(t, filepath.Join(pkgDir, "postgresql_16.html"))
	want := `href="https://github.com/NixOS/nixpkgs/blob/` + rev + `/pkgs/servers/sql/postgresql/`
	if !strings.Contains(pg, want) {
		t.Errorf("postgresql_16: no source link %s…", want)
	}
	if strings.Index(pg, `id="install"`) > strings.Index(pg, `class="facts"`) {
		t.Error("postgresql_16: the install box comes after the facts")
	}
	// OVMF-xen's entry has a description and a position but no version
	// and no licence; _1password-gui-beta has neither description nor version.
	if ovmf := readFile(t, filepath.Join(pkgDir, "OVMF-xen.html")); !strings.Contains(ovmf, `<p class="unknown">Not given in the package list: version, license, homepage.</p>`) {
		t.Errorf("OVMF-xen does not say what is unknown")
	}
	if op := readFile(t, filepath.Join(pkgDir, "_1password-gui-beta.html")); !strings.Contains(op, "Not given in the package list: description, version, license, homepage.") {
		t.Errorf("_1password-gui-beta does not say what is unknown")
	}
	lists := 0
	filepath.WalkDir(filepath.Join(out, "scope", "nixpkgs"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "index.html" {
			return err
		}
		lists++
		if fi, _ := d.Info(); fi.Size() > 1<<20 {
			t.Errorf("%s: %d bytes, over 1 MB", p, fi.Size())
		}
		return nil
	})
	if lists < 20 {
		t.Errorf("%d list pages: the list of 36,172 packages should be split", lists)
	}
}

// TestMalformedV2PackagesWritesNothing: an error inside the packages of a
// packages.json v2 file names its line and column in the file, and the
// build writes nothing.
func TestMalformedV2PackagesWritesNothing(t *testing.T) {
	parent := t.TempDir()
	bad := filepath.Join(t.TempDir(), "packages.json.gz")
	f, _ := os.Create(bad)
	zw := gzip.NewWriter(f)
	zw.Write([]byte("{\"version\": 2,\n \"packages\": {\n  \"ok\": {},\n  \"a\": {\"meta\": {\"license\": true}}\n}}"))
	zw.Close()
	f.Close()
	cfg := testConfig()
	cfg.Out = filepath.Join(parent, "public")
	src := testSources()
	src.Packages = []indexer.FileInput{{Path: bad, Scope: "nixpkgs"}}
	_, err := NewBuilder(cfg, sourcesLoader(src)).Build(context.Background())
	if err == nil || !strings.Contains(err.Error(), "packages.json.gz:4:8: package \"a\": meta.license") {
		t.Fatalf("error %v does not name the file, position and problem", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("failed build left %d entries in the output's parent", len(entries))
	}
}

// TestPackagePagesLinkTheirModules builds the real nixpkgs package set
// with the real NixOS and home-manager option sets: a package that a
// module's `.package` option defaults to links, next to its install box,
// that module's enable option on its option page; a package no module
// defaults to links none.
func TestPackagePagesLinkTheirModules(t *testing.T) {
	pkgs := testcorpus.Path(t, "nixpkgs-packages.json.gz")
	nixos := testcorpus.Path(t, "nixos-options.json.gz")
	hm := testcorpus.Path(t, "home-manager-options.json.gz")
	if testing.Short() {
		t.Skip("skipped in -short: builds 36,000 package pages and two option sets")
	}
	out := filepath.Join(t.TempDir(), "public")
	src := &indexer.Sources{Repo: repoRoot, Mode: indexer.SourceNone, ContentDir: t.TempDir(),
		Options:  []indexer.FileInput{{Path: nixos, Scope: "NixOS"}, {Path: hm, Scope: "home-manager"}},
		Packages: []indexer.FileInput{{Path: pkgs, Scope: "nixpkgs"}}}
	buildSite(t, src, Config{}, out)
	pkgDir := filepath.Join(out, "scope", "nixpkgs", "packages")
	for _, c := range []struct {
		attr string
		want []string // the links, in order; none for no module
	}{
		// services.postgresql.package defaults to pkgs.postgresql; its
		// versions are chosen by hand, so postgresql_16 names no module.
		{"postgresql", []string{`<a href="/scope/NixOS/options/services.postgresql/#services.postgresql.enable"><code>services.postgresql.enable</code></a>`}},
		{"postgresql_16", nil},
		{"vaultwarden", []string{`<a href="/scope/NixOS/options/services.vaultwarden/#services.vaultwarden.enable"><code>services.vaultwarden.enable</code></a>`}},
		// Both option sets have a firefox module: each is named.
		{"firefox", []string{
			`<a href="/scope/NixOS/options/programs.firefox/#programs.firefox.enable"><code>programs.firefox.enable</code></a> (NixOS)`,
			`<a href="/scope/home-manager/options/programs.firefox/#programs.firefox.enable"><code>programs.firefox.enable</code></a> (home-manager)`}},
		{"hello", nil},
	} {
		page := readFile(t, filepath.Join(pkgDir, c.attr+".html"))
		at := strings.Index(page, `<p class="services">`)
		if c.want == nil {
			if at >= 0 {
				t.Errorf("%s links a module, but no option defaults to it: %s", c.attr, page[at:at+200])
			}
			continue
		}
		if at < 0 {
			t.Errorf("%s links no module; want %s", c.attr, c.want[0])
			continue
		}
		line := page[at : at+strings.Index(page[at:], "</p>")]
		if got, want := line, `<p class="services">Configure it with `+strings.Join(c.want, ", "); got != want {
			t.Errorf("%s:\n got %s\nwant %s", c.attr, got, want)
		}
		if strings.Index(page, `id="install"`) > at || at > strings.Index(page, `class="facts"`) {
			t.Errorf("%s: the module link is not between the install box and the facts", c.attr)
		}
		// The link leads to the option's own anchor on its page.
		href := c.want[0][strings.Index(c.want[0], `"`)+1:]
		href = href[:strings.Index(href, `"`)]
		file, anchor, _ := strings.Cut(strings.TrimPrefix(href, "/"), "#")
		if opt := readFile(t, filepath.Join(out, file, "index.html")); !strings.Contains(opt, `id="`+anchor+`"`) && !strings.Contains(opt, `id=`+anchor+`>`) {
			t.Errorf("%s: %s has no anchor %s", c.attr, file, anchor)
		}
	}
}
