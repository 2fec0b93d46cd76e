package site

import (
	"slices"
	"strings"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// serviceLink is an option that runs a package: the module's enable option
// (or its package option when the module has no enable option).
type serviceLink struct {
	scope string
	doc   *indexer.Document
}

// servicesRunning indexes, by package attribute, the modules of every
// option scope whose `<module>.package` option defaults to `pkgs.<attr>`:
// the evidence that the module runs that package. The option sets name
// their defaults, so this needs no hand-written list of which module runs
// which package. Built once per build; ordered by scope, then name.
func (r *run) servicesRunning() map[string][]serviceLink {
	r.servicesOnce.Do(func() {
		idx := map[string][]serviceLink{}
		for _, scope := range r.layout.Scopes {
			sl := r.layout.scopes[scope]
			if sl == nil {
				continue
			}
			for name, d := range sl.byName {
				o := d.Option
				if o == nil || !o.Visible || o.Internal || !strings.HasSuffix(name, ".package") {
					continue
				}
				attr, ok := o.DefaultPackage()
				if !ok {
					continue
				}
				target := d
				if enable := sl.byName[strings.TrimSuffix(name, ".package")+".enable"]; enable != nil {
					target = enable
				}
				idx[attr] = append(idx[attr], serviceLink{scope: scope, doc: target})
			}
		}
		for _, links := range idx {
			slices.SortFunc(links, func(a, b serviceLink) int {
				if c := slices.Index(r.layout.Scopes, a.scope) - slices.Index(r.layout.Scopes, b.scope); c != 0 {
					return c
				}
				return strings.Compare(a.doc.Name, b.doc.Name)
			})
		}
		r.services = idx
	})
	return r.services
}

// serviceLinksOf lists, for a package of a scope other than the primary
// one (this repository's packages name their module themselves), the
// options that run it as a service, each naming its option set when they
// come from more than one (NixOS and home-manager both run firefox).
func (r *run) serviceLinksOf(d *indexer.Document) []serviceView {
	if d.Scope == indexer.PrimaryScope {
		return nil
	}
	links := r.servicesRunning()[d.Name]
	named := len(links) > 1 && links[0].scope != links[len(links)-1].scope
	var out []serviceView
	for _, s := range links {
		href := r.layout.URL(*s.doc)
		if href == "" {
			continue
		}
		v := serviceView{Option: s.doc.Name, Href: r.href(href)}
		if named {
			v.Set = s.scope
		}
		out = append(out, v)
	}
	return out
}

// serviceView is one option on a package page that sets the package up:
// the option's name, its page and, when options of several sets do, which
// set it belongs to.
type serviceView struct {
	Option, Href, Set string
}
