package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/atproto-nur/atproto-nur/changes"
	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/site"
)

func init() {
	register(command{name: "check", summary: "report broken references, missing descriptions and licences, a stale snapshot", run: runCheck})
}

func runCheck(ctx context.Context, args []string) error {
	fs := newFlags("check", "[--since REV] [--options FILE[=scope]] … (same inputs as build)")
	since := fs.String("since", "", "also fail when an option of this `revision` (anything git resolves) is gone without a migration helper")
	f := addSiteFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	src, err := f.sources()
	if err != nil {
		return err
	}
	cfg, err := f.config(os.Stderr)
	if err != nil {
		return err
	}
	cfg.Index = nil
	n, err := checkSince(ctx, os.Stdout, src, cfg, *since)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%d problems", n)
	}
	fmt.Fprintln(os.Stdout, "no problems found")
	return nil
}

// check renders the site into a scratch folder to collect rendering
// diagnostics, then inspects the documents. Problems of this repository
// (and of guides) are errors; those of other scopes are only printed as
// warnings, because their authors are not here to fix them. It returns
// the number of errors.
func check(ctx context.Context, w io.Writer, src *indexer.Sources, cfg site.Config) (int, error) {
	return checkSince(ctx, w, src, cfg, "")
}

// checkSince is check, and when since is a revision, also fails for every
// option of that revision that is gone without a migration helper
// (changes.Report.Unmigrated).
func checkSince(ctx context.Context, w io.Writer, src *indexer.Sources, cfg site.Config, since string) (int, error) {
	errs := 0
	report := func(isErr bool, format string, args ...any) {
		kind := "warning"
		if isErr {
			kind = "error"
			errs++
		}
		fmt.Fprintf(w, "%s: %s\n", kind, fmt.Sprintf(format, args...))
	}
	tmp, err := os.MkdirTemp("", "nurdocs-check-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	var loaded *indexer.Loaded
	b := site.NewBuilder(cfg, func(ctx context.Context) (*site.Inputs, error) {
		l, err := src.Load(ctx)
		if err != nil {
			return nil, err
		}
		loaded = l
		return &site.Inputs{Docs: l.Docs, Modules: l.Modules, Templates: l.Templates, Source: l.Source,
			ContentDir: src.ContentPath()}, nil
	})
	res, err := b.BuildInto(ctx, tmp)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(w, "checked %d options, %d packages, %d guides from %s\n",
		res.Stats.Options, res.Stats.Packages, res.Stats.Guides, res.Source)
	for _, d := range res.Diagnostics {
		report(d.File != "" || !isForeign(d.Where), "%s", d)
	}
	for _, d := range loaded.Docs {
		own := d.Scope == indexer.PrimaryScope
		switch d.Kind {
		case indexer.KindOption:
			if d.Option.Description == "" && d.Option.Visible && !d.Option.Internal {
				report(own, "option %s%s has no description", d.Name, scopeNote(d))
			}
		case indexer.KindPackage:
			if d.Package.Description == "" {
				report(own, "package %s%s has no description (meta.description)", d.Name, scopeNote(d))
			}
			if len(d.Package.Licenses) == 0 {
				report(own, "package %s%s has no license (meta.license)", d.Name, scopeNote(d))
			}
		}
	}
	stale, err := staleness(ctx, src)
	if err != nil {
		return errs, err
	}
	for _, s := range stale {
		report(true, "%s", s)
	}
	if since != "" {
		rev, err := indexer.LoadRevision(ctx, src.Repo, since)
		if err != nil {
			return errs, err
		}
		for _, n := range rev.Notes {
			fmt.Fprintln(w, "note:", n)
		}
		rep := changes.Compare(rev.Export.Docs, loaded.Docs)
		un := rep.Unmigrated()
		fmt.Fprintf(w, "compared with %s: %s\n", rev.Source, rep.Summary())
		for _, c := range un {
			if c.Scope != indexer.PrimaryScope {
				continue
			}
			report(true, "option %s (declared in %s at %s) is gone without a migration helper, so configurations that set it stop evaluating: %s",
				c.Name, c.File, rev.Short(), changes.Advice(c, rev.Export.Modules))
		}
		for _, c := range rep.PassedThrough() {
			if c.Scope != indexer.PrimaryScope {
				continue
			}
			report(false, "option %s (declared in %s at %s) is no longer declared: %s",
				c.Name, c.File, rev.Short(), changes.Advice(c, rev.Export.Modules))
		}
	}
	return errs, nil
}

func scopeNote(d indexer.Document) string {
	if d.Scope == indexer.PrimaryScope {
		return ""
	}
	return " (" + d.Scope + ")"
}

// isForeign tells diagnostics of other scopes ("option x (NixOS)") apart.
func isForeign(where string) bool {
	return len(where) > 0 && where[len(where)-1] == ')'
}

// staleness compares the snapshot with its sources: by the input hashes it
// recorded, and, when Nix is available, with a live evaluation.
func staleness(ctx context.Context, src *indexer.Sources) ([]string, error) {
	if src.Mode == indexer.SourceNone {
		return nil, nil
	}
	repo := src.Repo
	if _, err := os.Stat(repo + "/" + indexer.SnapshotFile); errors.Is(err, os.ErrNotExist) {
		if indexer.NixAvailable(ctx, repo) == nil {
			return []string{"no snapshot at " + indexer.SnapshotFile + ": run `nurdocs eval` and commit site/data/"}, nil
		}
		return nil, nil
	}
	var out []string
	changed, err := indexer.StaleInputs(repo)
	if err != nil {
		return nil, fmt.Errorf("checking the snapshot: %w", err)
	}
	for _, c := range changed {
		out = append(out, "snapshot "+indexer.SnapshotFile+" is stale: "+c+" since it was evaluated; run `nurdocs eval`")
	}
	if indexer.NixAvailable(ctx, repo) == nil && len(out) == 0 {
		same, err := indexer.SnapshotMatchesLive(ctx, repo)
		if err != nil {
			return nil, err
		}
		if !same {
			out = append(out, "snapshot "+indexer.SnapshotFile+" differs from a live evaluation; run `nurdocs eval`")
		}
	}
	return out, nil
}
