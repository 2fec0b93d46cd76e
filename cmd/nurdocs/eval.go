package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/atproto-nur/atproto-nur/indexer"
)

func init() {
	register(command{name: "eval", summary: "evaluate nix/docs and write the snapshot in site/data/", run: runEval})
}

func runEval(ctx context.Context, args []string) error {
	fs := newFlags("eval", "[--repo .] [--revision REV]")
	repo := fs.String("repo", ".", "repository `root`")
	revision := fs.String("revision", "", "revision recorded in the export (default: unknown, so the snapshot does not change with every commit)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := indexer.NixAvailable(ctx, *repo); err != nil {
		return fmt.Errorf("%w (set NIX_PATH=nixpkgs=/path/to/nixpkgs)", err)
	}
	start := time.Now()
	data, err := indexer.Evaluate(ctx, *repo, *revision)
	if err != nil {
		return err
	}
	// Parse before writing: a snapshot the build cannot read is never stored.
	ex, err := indexer.ParseExport("evaluation of nix/docs", data, indexer.PrimaryScope)
	if err != nil {
		return err
	}
	if err := indexer.WriteSnapshot(*repo, data, *revision, time.Now()); err != nil {
		return err
	}
	opts, pkgs := 0, 0
	for _, d := range ex.Docs {
		if d.Kind == indexer.KindOption {
			opts++
		} else {
			pkgs++
		}
	}
	fmt.Fprintf(os.Stderr, "wrote %s: %d options, %d packages, %d modules (evaluated in %s)\n",
		filepath.Join(*repo, indexer.SnapshotFile), opts, pkgs, len(ex.Modules), time.Since(start).Round(time.Millisecond))
	return nil
}
