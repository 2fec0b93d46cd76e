package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	cdpinput "github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search"
	"github.com/atproto-nur/atproto-nur/site"
)

func option(scope, name, typ, def, desc string) indexer.Document {
	o := &indexer.Option{Loc: strings.Split(name, "."), Type: typ, Description: desc, Visible: true,
		Declarations: []indexer.Declaration{{Name: "nix/modules/test.nix"}}}
	if def != "" {
		o.Default = &indexer.Value{Kind: indexer.ValueExpression, Text: def}
	}
	id := "opt:" + name
	if scope != "atproto" {
		id = "opt:" + scope + "/" + name
	}
	return indexer.Document{ID: id, Kind: indexer.KindOption, Scope: scope, Name: name, Title: name, Summary: desc, Option: o}
}

func pkg(attr, desc string) indexer.Document {
	return indexer.Document{ID: "pkg:" + attr, Kind: indexer.KindPackage, Scope: "atproto", Name: attr, Title: attr, Summary: desc,
		Package: &indexer.Package{Attr: attr, Pname: attr, Version: "1.0", Description: desc}}
}

// testDocs is a small site with two option sets, packages and a guide.
func testDocs() []indexer.Document {
	return []indexer.Document{
		option("atproto", "services.atproto.pds.enable", "boolean", "false", "Whether to enable the Bluesky Personal Data Server."),
		option("atproto", "services.atproto.pds.settings.PDS_PORT", "16 bit unsigned integer", "3000", "Port the PDS listens on."),
		option("atproto", "services.atproto.pds.settings.PDS_HOSTNAME", "string", "", "Public host name of the PDS."),
		option("atproto", "services.atproto.pds.openFirewall", "boolean", "false", "Whether to open the PDS port in the firewall."),
		option("atproto", "services.atproto.relay.enable", "boolean", "false", "Whether to enable the relay."),
		option("atproto", "services.atproto.relay.port", "16 bit unsigned integer", "2470", `Port of the relay. <img src=x onerror="document.title='pwned'">`),
		option("NixOS", "services.openssh.enable", "boolean", "false", "Whether to enable the OpenSSH secure shell daemon."),
		option("NixOS", "networking.firewall.allowedTCPPorts", "list of 16 bit unsigned integer", "[ ]", "List of TCP ports on which incoming connections are accepted."),
		option("NixOS", "services.nginx.enable", "boolean", "false", "Whether to enable Nginx Web Server."),
		pkg("pds", "Bluesky Personal Data Server"),
		pkg("relay", "AT Protocol relay (firehose aggregator)"),
		pkg("goat", "Go AT protocol command-line tool"),
		{ID: "guide:getting-started", Kind: indexer.KindGuide, Name: "getting-started", Title: "Getting started", Summary: "Run your first PDS.",
			Guide: &indexer.Guide{Path: "getting-started.md", Description: "Run your first PDS.", Body: "# Getting started\n\nEnable the PDS and open the firewall.\n", BodyLine: 1}},
	}
}

const base = "/sub/docs/"

// buildSite builds the real site (site.Builder with the search index) under
// the sub-path base and serves it; it returns the site's root URL.
func buildSite(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "public")
	docs := testDocs()
	cfg := site.Config{Out: out, BaseURL: base, Title: "test site",
		Index: func(dir string, docs []indexer.Document, url func(indexer.Document) string) error {
			_, err := search.WriteStaticIndex(dir, docs, url)
			return err
		}}
	b := site.NewBuilder(cfg, func(context.Context) (*site.Inputs, error) { return &site.Inputs{Docs: docs}, nil })
	if _, err := b.Build(context.Background()); err != nil {
		t.Fatalf("building the test site: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(base, http.StripPrefix(strings.TrimSuffix(base, "/"), http.FileServer(http.Dir(out))))
	return serve(t, mux) + base
}

type shownResult struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Marked  string `json:"marked"`
	Summary string `json:"summary"`
	Meta    string `json:"meta"`
	Href    string `json:"href"`
	Active  bool   `json:"active"`
}

// readResults returns the results shown in container once they answer q.
func readResults(t testing.TB, ctx context.Context, container, q string) []shownResult {
	t.Helper()
	qj, _ := json.Marshal(q)
	defer func() {
		if t.Failed() {
			t.Logf("page state: %s", eval[string](t, ctx, "page state", `JSON.stringify({url: location.href, value: (document.getElementById('search-input') || {}).value, html: (document.querySelector('`+container+`') || {}).outerHTML})`))
		}
	}()
	waitFor(t, ctx, "waiting for results of "+q,
		`(() => { const c = document.querySelector('`+container+`'); return !!c && c.getAttribute('data-query') === `+string(qj)+` && !c.hidden; })()`)
	return eval[[]shownResult](t, ctx, "reading results of "+q, `Array.from(document.querySelectorAll('`+container+` .search-result')).map(li => ({
		kind: li.querySelector('.search-kind').textContent,
		name: li.querySelector('.search-name').textContent,
		marked: Array.from(li.querySelectorAll('.search-name mark')).map(m => m.textContent).join('|'),
		summary: (li.querySelector('.search-summary') || {}).textContent || '',
		meta: (li.querySelector('.search-meta') || {}).textContent || '',
		href: li.querySelector('a').href,
		active: li.classList.contains('active'),
	}))`)
}

var input = chromedp.CSS("#search-input")

// pressSlash presses "/" the way a keyboard does: one keyDown carrying the
// text, so that a handler's preventDefault keeps the "/" out of the box
// (chromedp.KeyEvent sends the text as a separate char event).
func pressSlash(t testing.TB, ctx context.Context) {
	t.Helper()
	for _, typ := range []cdpinput.DispatchKeyEventType{cdpinput.DispatchKeyEventTypeKeyDown, cdpinput.DispatchKeyEventTypeKeyUp} {
		p := cdpinput.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191, NativeVirtualKeyCode: 191}
		if typ == cdpinput.DispatchKeyEventTypeKeyDown {
			p.Text, p.UnmodifiedText = "/", "/"
		}
		if _, err := chromedp.Call(ctx, cdpinput.DispatchKeyEvent, p); err != nil {
			t.Fatalf("pressing /: %v", err)
		}
	}
}

// typeQuery replaces the search box's text by typing q.
func typeQuery(t testing.TB, ctx context.Context, q string) {
	t.Helper()
	eval[bool](t, ctx, "clearing the box", `(() => { const i = document.getElementById('search-input'); i.value = ''; i.focus(); return true; })()`)
	do(t, ctx, "typing "+q, chromedp.SendKeys(input, q))
}

func TestSearchInBrowser(t *testing.T) {
	root := buildSite(t)
	ctx := newBrowser(t)

	// A page loads search.js but no index until the search box is used.
	do(t, ctx, "opening the home page", chromedp.Navigate(root), chromedp.WaitReady(input))
	waitFor(t, ctx, "search.js loaded", `!!window.nurdocsSearch`)
	if fetched := eval[[]string](t, ctx, "listing fetches", `performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/search/'))`); len(fetched) != 0 {
		t.Errorf("index files fetched before any search: %q", fetched)
	}

	// "/" focuses the box; typing shows results while typing.
	pressSlash(t, ctx)
	if !eval[bool](t, ctx, "checking focus", `document.activeElement.id === 'search-input' && document.activeElement.value === ''`) {
		t.Fatal(`"/" did not focus an empty search box`)
	}
	do(t, ctx, "typing pds.port", chromedp.SendKeys(input, "pds.port"))
	rs := readResults(t, ctx, "#search-results", "pds.port")
	if len(rs) == 0 || rs[0].Name != "services.atproto.pds.settings.PDS_PORT" {
		t.Fatalf("pds.port: results %+v", rs)
	}
	first := rs[0]
	if first.Kind != "Option" || first.Marked != "pds|PDS|PORT" || !strings.Contains(first.Meta, "16 bit unsigned integer") ||
		!strings.Contains(first.Meta, "3000") || first.Summary != "Port the PDS listens on." || !first.Active {
		t.Errorf("pds.port first result = %+v", first)
	}
	t.Logf("pds.port: keystroke to results %s ms (first query, shards fetched on loopback)",
		eval[string](t, ctx, "reading timing", `document.documentElement.getAttribute('data-search-ms')`))

	// Arrow keys move the selection; Enter opens it.
	do(t, ctx, "arrow down", chromedp.SendKeys(input, kb.ArrowDown))
	rs = readResults(t, ctx, "#search-results", "pds.port")
	if len(rs) < 2 || !rs[1].Active {
		t.Fatalf("ArrowDown did not select the second result: %+v", rs)
	}
	do(t, ctx, "arrow up", chromedp.SendKeys(input, kb.ArrowUp))
	do(t, ctx, "Enter opens the result", chromedp.SendKeys(input, kb.Enter))
	waitAfterNavigation(t, ctx, "the option page", `location.hash !== '' && document.readyState === 'complete'`)
	loc := eval[string](t, ctx, "reading the location", `location.href`)
	if loc != first.Href || !strings.HasPrefix(loc, root) {
		t.Errorf("Enter went to %s, want %s under %s", loc, first.Href, root)
	}
	if !eval[bool](t, ctx, "finding the anchor", `!!document.getElementById(decodeURIComponent(location.hash.slice(1)))`) {
		t.Errorf("the option page %s has no element for its anchor", loc)
	}

	// One-letter typos.
	typeQuery(t, ctx, "firwall")
	rs = readResults(t, ctx, "#search-results", "firwall")
	if len(rs) == 0 || rs[0].Name != "services.atproto.pds.openFirewall" && rs[0].Name != "networking.firewall.allowedTCPPorts" {
		t.Errorf("firwall: results %+v", rs)
	}
	// A wrong first letter, where nothing else matches: found and marked.
	typeQuery(t, ctx, "gelay")
	rs = readResults(t, ctx, "#search-results", "gelay")
	if len(rs) == 0 || !strings.Contains(rs[0].Name, "relay") || !strings.Contains(rs[0].Marked, "relay") {
		t.Errorf("gelay: results %+v", rs)
	}
	// A camelCase segment typed as one word is found and highlighted whole.
	typeQuery(t, ctx, "openfire")
	rs = readResults(t, ctx, "#search-results", "openfire")
	if len(rs) == 0 || rs[0].Name != "services.atproto.pds.openFirewall" || rs[0].Marked != "openFire" {
		t.Errorf("openfire: results %+v", rs)
	}
	// Kind filter.
	typeQuery(t, ctx, "relay")
	readResults(t, ctx, "#search-results", "relay")
	do(t, ctx, "filtering packages", chromedp.Click(chromedp.CSS(`#search-results .search-filter[data-kind="package"]`)))
	waitFor(t, ctx, "filtered results", `document.querySelector('#search-results .search-filter[data-kind="package"]').getAttribute('aria-pressed') === 'true'`)
	rs = readResults(t, ctx, "#search-results", "relay")
	if len(rs) != 1 || rs[0].Kind != "Package" || rs[0].Name != "relay" {
		t.Errorf("relay, packages only: %+v", rs)
	}
	do(t, ctx, "all kinds again", chromedp.Click(chromedp.CSS(`#search-results .search-filter[data-kind=""]`)))
	// Scope filter: only the NixOS option set.
	typeQuery(t, ctx, "enable")
	readResults(t, ctx, "#search-results", "enable")
	eval[bool](t, ctx, "choosing a scope", `(() => { const s = document.querySelector('#search-results .search-scope'); s.value = 'NixOS'; s.dispatchEvent(new Event('change')); return true; })()`)
	waitFor(t, ctx, "scoped results", `Array.from(document.querySelectorAll('#search-results .search-scope-label')).every(e => e.textContent === 'NixOS')`)
	rs = readResults(t, ctx, "#search-results", "enable")
	scopes := eval[[]string](t, ctx, "reading scopes", `Array.from(document.querySelectorAll('#search-results .search-scope-label')).map(e => e.textContent)`)
	if len(rs) != 2 || len(scopes) != 2 || scopes[0] != "NixOS" || scopes[1] != "NixOS" {
		t.Errorf("enable in NixOS only: %+v, scopes %q", rs, scopes)
	}
	eval[bool](t, ctx, "all scopes again", `(() => { const s = document.querySelector('#search-results .search-scope'); s.value = ''; s.dispatchEvent(new Event('change')); return true; })()`)
	// Several words; timing once the shards are cached.
	typeQuery(t, ctx, "relay port")
	rs = readResults(t, ctx, "#search-results", "relay port")
	if len(rs) == 0 || rs[0].Name != "services.atproto.relay.port" {
		t.Errorf("relay port: %+v", rs)
	}
	t.Logf("relay port: keystroke to results %s ms", eval[string](t, ctx, "reading timing", `document.documentElement.getAttribute('data-search-ms')`))

	// A description cannot inject markup into the results.
	if title, imgs := eval[string](t, ctx, "title", `document.title`), eval[int](t, ctx, "images", `document.querySelectorAll('#search-results img').length`); title == "pwned" || imgs != 0 {
		t.Errorf("a description injected markup: title %q, %d images", title, imgs)
	}

	// Deep link: the search page answers ?q= with full results.
	do(t, ctx, "opening a deep link", chromedp.Navigate(root+"search/?q=openssh"))
	rs = readResults(t, ctx, "#search-page", "openssh")
	value := eval[string](t, ctx, "reading the box", `document.getElementById('search-input').value`)
	if value != "openssh" || len(rs) == 0 || rs[0].Name != "services.openssh.enable" {
		t.Errorf("deep link ?q=openssh: box %q, results %+v", value, rs)
	}
	// A deep link keeps its filters.
	do(t, ctx, "opening a filtered deep link", chromedp.Navigate(root+"search/?q=relay&kind=package"))
	rs = readResults(t, ctx, "#search-page", "relay")
	if len(rs) != 1 || rs[0].Kind != "Package" {
		t.Errorf("deep link ?q=relay&kind=package: %+v", rs)
	}
	do(t, ctx, "back to all kinds", chromedp.Navigate(root+"search/?q=openssh"))
	readResults(t, ctx, "#search-page", "openssh")
	// Typing on the search page keeps ?q= in step.
	typeQuery(t, ctx, "goat")
	rs = readResults(t, ctx, "#search-page", "goat")
	loc = eval[string](t, ctx, "reading the location", `location.href`)
	if len(rs) == 0 || rs[0].Name != "goat" || !strings.HasSuffix(loc, "search/?q=goat") {
		t.Errorf("search page: %s, results %+v", loc, rs)
	}
}

// TestSearchPageWithoutJS checks that the search page still lists ways to
// browse when scripts are off.
func TestSearchPageWithoutJS(t *testing.T) {
	root := buildSite(t)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "opening the search page without JavaScript", chromedp.Navigate(root+"search/?q=pds"), chromedp.WaitReady(chromedp.CSS("body")))
	links := eval[[]string](t, ctx, "reading links", `Array.from(document.querySelectorAll('main a')).map(a => a.getAttribute('href'))`)
	want := map[string]bool{base + "options/": false, base + "packages/": false, base + "guides/": false}
	for _, l := range links {
		if _, ok := want[l]; ok {
			want[l] = true
		}
	}
	for l, found := range want {
		if !found {
			t.Errorf("search page without JS: no link to %s (links: %q)", l, links)
		}
	}
	if n := eval[int](t, ctx, "counting results", `document.querySelectorAll('.search-result').length`); n != 0 {
		t.Errorf("%d results rendered with scripts off", n)
	}
}
