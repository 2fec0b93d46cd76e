package site

import (
	"html/template"
	"net/url"
	"strings"
	"sync"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/site/markdown"
)

// Diagnostic is a problem found while rendering a document: an unknown
// option reference in a description, an unclosed admonition in a guide.
type Diagnostic struct {
	Scope   string // option set of the option or package; the repository's own for guides
	File    string // source file, for guides; "" for options and packages
	Line    int    // 1-based line in File, 0 when unknown
	Where   string // "option services.atproto.pds.port", "package pds", "guide getting-started"
	Message string
}

func (d Diagnostic) String() string {
	switch {
	case d.File != "" && d.Line > 0:
		return d.File + ":" + itoa(d.Line) + ": " + d.Message
	case d.File != "":
		return d.File + ": " + d.Message
	}
	return d.Where + ": " + d.Message
}

// resolver answers the Markdown renderer's role lookups from the layout.
type resolver struct {
	l    *Layout
	base string
}

// OptionURL links an option reference. Names found in any scope link to
// their page (or, for a module prefix, to the module's page). References
// to NixOS options that no loaded scope documents (services.postgresql in
// this repository's descriptions) link to the NixOS option search; unknown
// names under this repository's namespace or under a module some loaded
// scope documents are broken.
func (r resolver) OptionURL(name string) (string, bool) {
	if d := r.l.Option(indexer.PrimaryScope, name); d != nil {
		return r.base + r.l.URL(*d), true
	}
	for _, s := range r.l.Scopes {
		if p := r.l.OptionPageNamed(s, name); p != nil {
			return r.base + p.Path, true
		}
	}
	if strings.HasPrefix(name, OwnNamespace) || name+"." == OwnNamespace || r.documentedModule(name) {
		return "", false
	}
	return "https://search.nixos.org/options?query=" + url.QueryEscape(name), true
}

// documentedModule says whether a prefix of name (two segments or more)
// is an option page of a loaded scope: then the option should be there
// too, and a miss is a broken reference rather than a foreign option.
func (r resolver) documentedModule(name string) bool {
	loc := indexer.SplitOptionPath(name)
	for k := len(loc) - 1; k >= 2; k-- {
		prefix := strings.Join(loc[:k], ".")
		for _, s := range r.l.Scopes {
			if r.l.OptionPageNamed(s, prefix) != nil {
				return true
			}
		}
	}
	return false
}

// OwnNamespace is the option prefix of this repository's modules.
const OwnNamespace = "services.atproto."

// lookup answers one recorded role lookup.
func (r resolver) lookup(ref markdown.Ref) refResult {
	var res refResult
	if ref.Package {
		res.url, res.ok = r.PackageURL(ref.Name)
	} else {
		res.url, res.ok = r.OptionURL(ref.Name)
	}
	return res
}

func (r resolver) PackageURL(attr string) (string, bool) {
	if d := r.l.Package(indexer.PrimaryScope, attr); d != nil {
		return r.base + r.l.URL(*d), true
	}
	return "", false
}

// rendered is one Markdown source rendered, kept so a rebuild (the preview
// server) does not render unchanged descriptions again.
type rendered struct {
	html  template.HTML
	diags []mdDiag
	refs  []markdown.Ref // what the output depends on besides the source
	gen   int            // the last build that used it
}

type mdDiag struct {
	Line    int
	Message string
}

// refResult is what a role lookup gave.
type refResult struct {
	url string
	ok  bool
}

// mdCache memoises rendering by source text for one segment of the site
// (a scope's options and packages, or the guides). Roles resolve against
// the layout, so the cache also keeps what every name its entries looked
// up resolved to: when the layout changes, only entries whose lookups now
// give another answer are dropped (see revalidate).
type mdCache struct {
	mu       sync.Mutex
	m        map[string]*rendered
	resolved map[markdown.Ref]refResult
	// epoch counts the revalidations that dropped entries: a folder's
	// pages of the segment made under another epoch may be stale.
	epoch int
}

func (c *mdCache) get(key string, gen int) (*rendered, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[key]
	if ok {
		r.gen = gen
	}
	return r, ok
}

// put stores a rendering; res gives the answers its lookups had.
func (c *mdCache) put(key string, r *rendered, res resolver) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*rendered{}
		c.resolved = map[markdown.Ref]refResult{}
	}
	c.m[key] = r
	for _, ref := range r.refs {
		if _, ok := c.resolved[ref]; !ok {
			c.resolved[ref] = res.lookup(ref)
		}
	}
}

// revalidate drops the entries that looked up a name which resolves
// differently under res (a new layout) and reports whether there were
// any: then pages of the segment may have changed although its documents
// did not.
func (c *mdCache) revalidate(res resolver) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	changed := map[markdown.Ref]bool{}
	for ref, was := range c.resolved {
		if res.lookup(ref) != was {
			changed[ref] = true
			delete(c.resolved, ref)
		}
	}
	if len(changed) == 0 {
		return false
	}
	c.epoch++
	for key, r := range c.m {
		for _, ref := range r.refs {
			if changed[ref] {
				delete(c.m, key)
				break
			}
		}
	}
	return true
}

// sweep drops the entries no build since gen used (guides edited away),
// so a long preview session does not keep every version of every guide.
func (c *mdCache) sweep(gen int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, r := range c.m {
		if r.gen < gen {
			delete(c.m, key)
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
