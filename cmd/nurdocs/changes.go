package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/atproto-nur/atproto-nur/changes"
	"github.com/atproto-nur/atproto-nur/indexer"
)

func init() {
	register(command{name: "changes", summary: "what changed in options and packages since a revision (or between two options.json files)", run: runChanges})
}

// changesOut is where the report goes; tests replace it.
var changesOut io.Writer = os.Stdout

// changesJSON is the --json output.
type changesJSON struct {
	Before  sideJSON         `json:"before"`
	After   sideJSON         `json:"after"`
	Summary string           `json:"summary"`
	Changes []changes.Change `json:"changes"`
}

type sideJSON struct {
	Rev    string `json:"rev,omitempty"`
	Commit string `json:"commit,omitempty"`
	Source string `json:"source"`
}

func runChanges(ctx context.Context, args []string) error {
	fs := newFlags("changes", "[--since REV] [--to REV] [--json] | --options-before FILE --options FILE [--packages-before FILE --packages FILE]")
	since := fs.String("since", "", "compare the working tree with this `revision` (anything git resolves; default: the last release tag)")
	to := fs.String("to", "", "compare with this `revision` instead of the working tree")
	asJSON := fs.Bool("json", false, "print the changes as JSON")
	var optsBefore, pkgsBefore listFlag
	fs.Var(&optsBefore, "options-before", "options.json `FILE[=scope]` of the earlier revision, compared with --options (repeatable)")
	fs.Var(&pkgsBefore, "packages-before", "packages `FILE[=scope]` of the earlier revision, compared with --packages (repeatable)")
	f := addSiteFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var before, after []indexer.Document
	var bSide, aSide sideJSON
	if len(optsBefore) > 0 || len(pkgsBefore) > 0 {
		// Two sets of files: the repository is not read.
		if *since != "" || *to != "" {
			return fmt.Errorf("--since and --to compare revisions of the repository; --options-before compares files: give one or the other")
		}
		if len(optsBefore) != len(f.options) || len(pkgsBefore) != len(f.packages) {
			return fmt.Errorf("give as many --options as --options-before, and --packages as --packages-before (%d/%d, %d/%d)",
				len(f.options), len(optsBefore), len(f.packages), len(pkgsBefore))
		}
		var err error
		if after, err = loadFiles(f.options, f.packages, nil, nil); err != nil {
			return err
		}
		// An earlier file without =scope takes the scope of its later
		// counterpart, whatever its own name says.
		if before, err = loadFiles(optsBefore, pkgsBefore, f.options, f.packages); err != nil {
			return err
		}
		bSide.Source, aSide.Source = "the --options-before/--packages-before files", "the --options/--packages files"
	} else {
		rev, err := sinceRevision(ctx, f.repo, *since)
		if err != nil {
			return err
		}
		r, err := indexer.LoadRevision(ctx, f.repo, rev)
		if err != nil {
			return err
		}
		for _, n := range r.Notes {
			fmt.Fprintln(os.Stderr, "note:", n)
		}
		before = r.Export.Docs
		bSide = sideJSON{Rev: rev, Commit: r.Commit, Source: r.Source}
		if *to != "" {
			t, err := indexer.LoadRevision(ctx, f.repo, *to)
			if err != nil {
				return err
			}
			for _, n := range t.Notes {
				fmt.Fprintln(os.Stderr, "note:", n)
			}
			after = t.Export.Docs
			aSide = sideJSON{Rev: *to, Commit: t.Commit, Source: t.Source}
		} else {
			src, err := f.sources()
			if err != nil {
				return err
			}
			l, err := src.Load(ctx)
			if err != nil {
				return err
			}
			for _, n := range l.Notes {
				fmt.Fprintln(os.Stderr, "note:", n)
			}
			after = l.Docs
			aSide.Source = l.Source + " (the working tree)"
		}
	}
	rep := changes.Compare(before, after)
	if *asJSON {
		enc := json.NewEncoder(changesOut)
		enc.SetIndent("", "  ")
		if rep.Changes == nil {
			rep.Changes = []changes.Change{}
		}
		return enc.Encode(changesJSON{Before: bSide, After: aSide, Summary: rep.Summary(), Changes: rep.Changes})
	}
	fmt.Fprintf(changesOut, "from %s\n  to %s\n\n", bSide.Source, aSide.Source)
	return rep.WriteText(changesOut)
}

// sinceRevision is --since, or by default the last release tag.
func sinceRevision(ctx context.Context, repo, since string) (string, error) {
	if since != "" {
		return since, nil
	}
	tag, err := indexer.LastRelease(ctx, repo)
	if err != nil {
		return "", err
	}
	if tag == "" {
		return "", fmt.Errorf("no release tag (v<version>) is reachable from HEAD in %s: give --since REV", repo)
	}
	return tag, nil
}

// loadFiles reads options.json and package files as build's --options and
// --packages do. A file given without =scope takes the scope of the file
// at the same place in pairOpts / pairPkgs, when those are given.
func loadFiles(opts, pkgs, pairOpts, pairPkgs []string) ([]indexer.Document, error) {
	var docs []indexer.Document
	input := func(spec string, pair []string, i int) (indexer.FileInput, error) {
		in, err := indexer.ParseFileInput(spec)
		if err != nil || strings.Contains(spec, "=") || i >= len(pair) {
			return in, err
		}
		p, err := indexer.ParseFileInput(pair[i])
		in.Scope = p.Scope
		return in, err
	}
	for i, spec := range opts {
		in, err := input(spec, pairOpts, i)
		if err != nil {
			return nil, err
		}
		d, err := indexer.LoadOptions(in.Path, in.Scope)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d...)
	}
	for i, spec := range pkgs {
		in, err := input(spec, pairPkgs, i)
		if err != nil {
			return nil, err
		}
		d, err := indexer.LoadPackages(in.Path, in.Scope)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d...)
	}
	return docs, nil
}
