package changes

import (
	"fmt"
	"io"
	"strings"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// Describe says in one line what a change is, for the terminal and for
// the "What changed" pages: "renamed from a.b (mkRenamedOptionModule)",
// "default: 3000 → 2583".
func Describe(c Change) string {
	switch c.What {
	case Added:
		if c.Kind == indexer.KindOption {
			return "new option (" + c.After + ")"
		}
		return "new package (" + orNone(c.After) + ")"
	case Removed:
		if c.Kind == indexer.KindPackage {
			return "removed"
		}
		switch c.Helper {
		case RemovedHelper:
			return "removed (mkRemovedOptionModule says why when it is set)"
		case ChangedHelper:
			return "replaced (mkChangedOptionModule converts its value)"
		}
		if c.Internal {
			return "removed (internal, no migration needed)"
		}
		if c.Open {
			return "no longer declared; " + c.Within + " still accepts the key"
		}
		s := "removed without a migration helper"
		if c.Suggest != "" {
			s += "; perhaps renamed to " + c.Suggest
		}
		return s
	case Renamed:
		return "renamed from " + c.Before + " (" + string(c.Helper) + ")"
	case Type:
		return "type: " + c.Before + " → " + c.After
	case Default:
		return "default: " + oneLine(c.Before) + " → " + oneLine(c.After)
	case Description:
		return "description changed"
	case Version:
		return "version " + orNone(c.Before) + " → " + orNone(c.After)
	case License:
		return "licence: " + orNone(c.Before) + " → " + orNone(c.After)
	case VulnsAdded:
		return "known vulnerability added: " + c.After
	case VulnsClear:
		return "known vulnerability cleared: " + c.Before
	case MainProgram:
		return "main program: " + orNone(c.Before) + " → " + orNone(c.After)
	}
	return string(c.What)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// oneLine shortens a value for one line of text: its white space runs
// become single spaces, and past 80 characters it is cut with "…". An
// absent value is "none".
func oneLine(s string) string {
	s = normalizeSpace(s)
	if s == "" {
		return "none"
	}
	if r := []rune(s); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return s
}

// Summary counts a report's changes by kind: "options: 3 added, 1 renamed;
// packages: 2 with a new version".
func (r *Report) Summary() string {
	part := func(kind indexer.Kind, items ...any) string {
		var ps []string
		for i := 0; i < len(items); i += 2 {
			if n := r.Count(kind, items[i].(What)); n > 0 {
				ps = append(ps, fmt.Sprintf("%d %s", n, items[i+1]))
			}
		}
		return strings.Join(ps, ", ")
	}
	o := part(indexer.KindOption, Added, "added", Renamed, "renamed", Removed, "removed",
		Type, "with a new type", Default, "with a new default", Description, "with a new description")
	p := part(indexer.KindPackage, Added, "added", Removed, "removed", Version, "with a new version",
		License, "with a new licence", VulnsAdded, "vulnerabilities added", VulnsClear, "vulnerabilities cleared",
		MainProgram, "with a new main program")
	var s []string
	if o != "" {
		s = append(s, "options: "+o)
	}
	if p != "" {
		s = append(s, "packages: "+p)
	}
	if len(s) == 0 {
		return "no changes"
	}
	return strings.Join(s, "; ")
}

// WriteText prints a report for the terminal: a summary line, then one
// line per change, grouped by option or package, removals that break
// configurations first.
func (r *Report) WriteText(w io.Writer) error {
	var err error
	p := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, args...)
		}
	}
	p("%s\n", r.Summary())
	if un := r.Unmigrated(); len(un) > 0 {
		p("\n%d removed options have no migration helper (configurations setting them stop evaluating):\n", len(un))
		for _, c := range un {
			p("  %s%s (%s)\n", c.Name, scopeNote(c.Scope), Describe(c))
		}
	}
	var reworded []string
	for _, kind := range []indexer.Kind{indexer.KindOption, indexer.KindPackage} {
		first := true
		last := ""
		for _, c := range r.Changes {
			if c.Kind != kind {
				continue
			}
			if c.What == Description {
				// Listed last, names only: a reworded description rarely
				// changes what a configuration does.
				reworded = append(reworded, c.Name+scopeNote(c.Scope))
				continue
			}
			if first {
				p("\n%ss:\n", kind)
				first = false
			}
			name := c.Name + scopeNote(c.Scope)
			if name != last {
				p("  %s\n", name)
				last = name
			}
			p("    %s\n", Describe(c))
		}
	}
	if len(reworded) > 0 {
		p("\nreworded descriptions:\n")
		for _, n := range reworded {
			p("  %s\n", n)
		}
	}
	return err
}

func scopeNote(scope string) string {
	if scope == "" || scope == indexer.PrimaryScope {
		return ""
	}
	return " (" + scope + ")"
}

// Advice says, for a removal without a migration helper, which helper to
// add and where. modules are the earlier revision's modules: an option
// under a module's prefix is declared through that module's mkService
// call, whose renamedOptions and removedOptions take paths relative to the
// prefix (nix/lib/service.nix); any other option needs nixpkgs' helper in
// the file that declared it.
func Advice(c Change, modules []indexer.Module) string {
	var mod *indexer.Module
	for i := range modules {
		m := &modules[i]
		if strings.HasPrefix(c.Name, m.OptionPrefix+".") && (mod == nil || len(m.OptionPrefix) > len(mod.OptionPrefix)) {
			mod = m
		}
	}
	quoted := func(name string) string {
		var parts []string
		for _, p := range indexer.SplitOptionPath(name) {
			parts = append(parts, fmt.Sprintf("%q", p))
		}
		return "[ " + strings.Join(parts, " ") + " ]"
	}
	if mod == nil || mod.File == "" {
		file := c.File
		if file == "" {
			file = "the module that declared it"
		}
		s := fmt.Sprintf("add (lib.mkRemovedOptionModule %s \"<what to do instead>\") to the imports of %s", quoted(c.Name), file)
		if c.Suggest != "" {
			s += fmt.Sprintf(", or (lib.mkRenamedOptionModule %s %s) if it moved", quoted(c.Name), quoted(c.Suggest))
		}
		return s
	}
	if c.Open {
		key := strings.TrimPrefix(c.Name, c.Within+".")
		to := "<new name>"
		if c.Suggest != "" && strings.HasPrefix(c.Suggest, c.Within+".") {
			to = strings.TrimPrefix(c.Suggest, c.Within+".")
		}
		return fmt.Sprintf("configurations that set it still evaluate (%s is open: the module passes an undeclared key on with a warning, "+
			"or refuses it when the program does); if it was renamed, add aliases = { %s = \"%s\"; }; to the mkService call in %s so that its value moves to the new name",
			c.Within, key, to, mod.File)
	}
	if c.Within != "" {
		return fmt.Sprintf("nixpkgs' migration helpers cannot declare a name inside the submodule %s (they look the old name up among the top-level options): "+
			"keep the option declared in %s and say in its description what replaced it", c.Within, mod.File)
	}
	rel := strings.TrimPrefix(c.Name, mod.OptionPrefix+".")
	s := fmt.Sprintf("add removedOptions = [ { path = %s; why = \"<what to do instead>\"; } ]; to the mkService call in %s (lib.mkRemovedOptionModule)",
		quoted(rel), mod.File)
	to := "[ … ]"
	if c.Suggest != "" && strings.HasPrefix(c.Suggest, mod.OptionPrefix+".") {
		to = quoted(strings.TrimPrefix(c.Suggest, mod.OptionPrefix+"."))
	}
	s += fmt.Sprintf(", or renamedOptions = [ { from = %s; to = %s; } ]; (lib.mkRenamedOptionModule) if it moved", quoted(rel), to)
	return s
}
