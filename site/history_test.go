package site

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/changes"
	"github.com/atproto-nur/atproto-nur/indexer"
)

// The history on the site: release pages, marks on option and package
// pages, and the old addresses of renamed options.

const historyBefore = `{"options": {
 "services.atproto.app.port": {"type": "16 bit unsigned integer", "description": "Port.", "default": {"_type": "literalExpression", "text": "3000"}, "declarations": ["nix/modules/app.nix"], "loc": ["services","atproto","app","port"]},
 "services.atproto.app.enable": {"type": "boolean", "description": "Whether to run app.", "declarations": ["nix/modules/app.nix"], "loc": ["services","atproto","app","enable"]},
 "services.atproto.app.logLevel": {"type": "string", "description": "Log level.", "declarations": ["nix/modules/app.nix"], "loc": ["services","atproto","app","logLevel"]},
 "services.atproto.app.gone": {"type": "string", "description": "Gone.", "declarations": ["nix/modules/app.nix"], "loc": ["services","atproto","app","gone"]},
 "services.atproto.old.enable": {"type": "boolean", "description": "Whether to run old.", "declarations": ["nix/modules/old.nix"], "loc": ["services","atproto","old","enable"]}
}, "packages": {"app": {"pname": "app", "version": "1.0", "meta": {"license": {"spdxId": "MIT"}}}}}`

const historyAfter = `{"options": {
 "services.atproto.app.port": {"type": "16 bit unsigned integer", "description": "Port.", "default": {"_type": "literalExpression", "text": "2583"}, "declarations": ["nix/modules/app.nix"], "loc": ["services","atproto","app","port"]},
 "services.atproto.app.enable": {"type": "boolean", "description": "Whether to run app.", "declarations": ["nix/modules/app.nix"], "loc": ["services","atproto","app","enable"]},
 "services.atproto.app.logLevel": {"type": "string", "description": "Alias of {option}` + "`services.atproto.app.settings.LOG_LEVEL`" + `.", "visible": false, "declarations": ["nix/modules/app.nix"], "loc": ["services","atproto","app","logLevel"]},
 "services.atproto.app.settings.LOG_LEVEL": {"type": "string", "description": "Log level.", "declarations": ["nix/modules/app.nix"], "loc": ["services","atproto","app","settings","LOG_LEVEL"]},
 "services.atproto.app.fresh": {"type": "boolean", "description": "Fresh.", "declarations": ["nix/modules/app.nix"], "loc": ["services","atproto","app","fresh"]},
 "services.atproto.old.enable": {"type": "boolean", "description": "Alias of {option}` + "`services.atproto.app.enable`" + `.", "visible": false, "declarations": ["nix/modules/old.nix"], "loc": ["services","atproto","old","enable"]}
}, "packages": {"app": {"pname": "app", "version": "2.0", "meta": {"license": {"spdxId": "MIT"}, "knownVulnerabilities": ["CVE-2026-1"]}}}}`

func historyDocs(t *testing.T, js string) []indexer.Document {
	t.Helper()
	var docs []indexer.Document
	// The export's sections have the shapes of the standalone files.
	i := strings.Index(js, `, "packages": `)
	opts, err := indexer.ParseOptions("options.json", []byte(js[len(`{"options": `):i]), indexer.PrimaryScope)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := indexer.ParsePackages("packages.json", []byte(js[i+len(`, "packages": `):len(js)-1]), indexer.PrimaryScope)
	if err != nil {
		t.Fatal(err)
	}
	return append(append(docs, opts...), pkgs...)
}

func buildHistorySite(t *testing.T, out string) {
	t.Helper()
	before, after := historyDocs(t, historyBefore), historyDocs(t, historyAfter)
	revs := []changes.Revision{{Name: "0.1.0", Source: "test data 0.1.0", Docs: before}}
	cfg := Config{Out: out}
	b := NewBuilder(cfg, func(context.Context) (*Inputs, error) {
		return &Inputs{Docs: after, Source: "test data", History: changes.History(revs, after, "test data now"),
			Modules: []indexer.Module{{Name: "app", File: "nix/modules/app.nix", OptionPrefix: "services.atproto.app"}}}, nil
	})
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestHistoryPages(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	buildHistorySite(t, out)
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	rel := read("changes/unreleased/index.html")
	for _, want := range []string{
		`<h1>What changed since 0.1.0</h1>`,
		`Removed without a migration helper`,
		`id="opt-services.atproto.app.gone"`,
		`renamed from services.atproto.app.logLevel (mkRenamedOptionModule)`,
		`was <code>3000</code>, now <code>2583</code>`,
		`<a href="/options/services.atproto.app/#services.atproto.app.fresh"><code>services.atproto.app.fresh</code></a>`,
		`known vulnerability added: CVE-2026-1`,
	} {
		if !strings.Contains(rel, want) {
			t.Errorf("release page lacks %q", want)
		}
	}
	if list := read("changes/index.html"); !strings.Contains(list, `href="/changes/unreleased/">What changed since 0.1.0</a>`) {
		t.Errorf("list of releases lacks the release:\n%s", list)
	}
	opts := read("options/services.atproto.app/index.html")
	for _, want := range []string{
		// The mark, linked to the release page at the change.
		`<a href="/changes/unreleased/#opt-services.atproto.app.port">default changed since 0.1.0</a>: was 3000, now 2583`,
		`>new since 0.1.0</a>`,
		`>renamed since 0.1.0 from services.atproto.app.logLevel</a>`,
		// The old anchor of the renamed option, inside its new section.
		`<section class="option" id="services.atproto.app.settings.LOG_LEVEL"><span id="services.atproto.app.logLevel"></span>`,
	} {
		if !strings.Contains(opts, want) {
			t.Errorf("option page lacks %q", want)
		}
	}
	// services.atproto.old had a page of its own; it is gone, so its
	// address sends the browser to the new name.
	redirect := read("options/services.atproto.old/index.html")
	for _, want := range []string{
		`<meta http-equiv="refresh" content="0; url=/options/services.atproto.app/#services.atproto.app.enable">`,
		`<code>services.atproto.old.enable</code> was renamed`,
	} {
		if !strings.Contains(redirect, want) {
			t.Errorf("redirect page lacks %q:\n%s", want, redirect)
		}
	}
	if sm := read("sitemap.xml"); strings.Contains(sm, "services.atproto.old") {
		t.Error("the redirect page is in the sitemap")
	}
	pkg := read("packages/app.html")
	if !strings.Contains(pkg, `<li class="mark mark-version"><a href="/changes/unreleased/#pkg-app">version 2.0 since 0.1.0</a>: was 1.0</li>`) {
		t.Errorf("package page lacks its marks")
	}
	if !strings.Contains(read("index.html"), `<a href="/changes/">Changes</a>`) {
		t.Error("the menu does not link the release pages")
	}
}

// TestHistoryMarksGeneratedMatchTemplate: package pages are written by
// generated code (pagewriter_gen.go); with marks they must still be what
// package.html gives.
func TestHistoryMarksGeneratedMatchTemplate(t *testing.T) {
	viaTemplate := filepath.Join(t.TempDir(), "template")
	templatePages = true
	buildHistorySite(t, viaTemplate)
	templatePages = false
	direct := filepath.Join(t.TempDir(), "direct")
	buildHistorySite(t, direct)
	want, got := readBytes(t, filepath.Join(viaTemplate, "packages", "app.html")), readBytes(t, filepath.Join(direct, "packages", "app.html"))
	if string(want) != string(got) {
		again, err := newMinifier().Bytes("text/html", got)
		if err != nil || string(again) != string(want) {
			at, w, g := firstDifference(want, again, 100, 60)
			t.Errorf("package page differs at byte %d:\ntemplate %q\ndirect   %q", at, w, g)
		}
	}
}
