package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/atproto-nur/atproto-nur/changes"
	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search"
	"github.com/atproto-nur/atproto-nur/site"
)

func init() {
	register(command{name: "build", summary: "build the static documentation site", run: runBuild})
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// siteFlags are the inputs and output settings shared by build, check and
// serve.
type siteFlags struct {
	out, baseURL, repoURL, revision, editBranch string
	repo, source, content, theme, title         string
	options, packages, scopeSource, scopeRev    listFlag
	verbose, noMinify                           bool
	workers                                     int
}

func addSiteFlags(fs *flag.FlagSet) *siteFlags {
	f := &siteFlags{}
	fs.StringVar(&f.out, "out", "public", "output `folder` (replaced atomically when the build succeeds)")
	fs.StringVar(&f.baseURL, "base-url", "/", "path (/sub/) or URL (https://host/sub/) the site is served under")
	fs.StringVar(&f.repoURL, "repo-url", "https://github.com/atproto-nur/atproto-nur", "source browser `URL` for declared-in and edit links")
	fs.StringVar(&f.revision, "revision", "", "commit or branch for source links (default main)")
	fs.StringVar(&f.editBranch, "edit-branch", "main", "branch that \"edit this page\" links open")
	fs.StringVar(&f.repo, "repo", ".", "repository `root` (nix/docs, site/data, content)")
	fs.StringVar(&f.source, "source", indexer.SourceAuto, "repository data: auto (live evaluation, else snapshot), live, snapshot or none")
	fs.StringVar(&f.content, "content", "", "guides `folder` (default REPO/content)")
	fs.StringVar(&f.theme, "theme", "", "theme `folder` on disk (default: the built-in theme)")
	fs.StringVar(&f.title, "title", "atproto-nur", "site title")
	fs.Var(&f.options, "options", "nixosOptionsDoc options.json `FILE[=scope]`, plain or .gz (repeatable)")
	fs.Var(&f.packages, "packages", "nix-env -qa --json --meta `FILE[=scope]`, plain or .gz (repeatable)")
	fs.Var(&f.scopeSource, "scope-source", "`scope=URL` prefix for a scope's declaration paths, e.g. NixOS=https://github.com/NixOS/nixpkgs/blob/master (repeatable)")
	fs.Var(&f.scopeRev, "scope-revision", "`scope=REV` upstream revision a scope's options come from, e.g. NixOS=<nixpkgs commit>: source links open it and the pages name it (repeatable)")
	fs.BoolVar(&f.verbose, "verbose", false, "print every phase, note and warning")
	fs.BoolVar(&f.noMinify, "no-minify", false, "write files without minifying (debugging)")
	fs.IntVar(&f.workers, "workers", 0, "pages rendered in parallel (default: twice the cores)")
	return f
}

// sources turns the flags into the indexer's input description.
func (f *siteFlags) sources() (*indexer.Sources, error) {
	s := &indexer.Sources{Repo: f.repo, Mode: f.source, Revision: f.revision, ContentDir: f.content}
	for _, a := range f.options {
		in, err := indexer.ParseFileInput(a)
		if err != nil {
			return nil, fmt.Errorf("--options %w", err)
		}
		s.Options = append(s.Options, in)
	}
	for _, a := range f.packages {
		in, err := indexer.ParseFileInput(a)
		if err != nil {
			return nil, fmt.Errorf("--packages %w", err)
		}
		s.Packages = append(s.Packages, in)
	}
	return s, nil
}

// config turns the flags into a site configuration. Notes from loading
// (fallbacks, a stale snapshot) go to log.
func (f *siteFlags) config(log io.Writer) (site.Config, error) {
	cfg := site.Config{
		Out: f.out, BaseURL: f.baseURL, RepoURL: f.repoURL, Revision: f.revision, EditBranch: f.editBranch,
		ThemeDir: f.theme, Title: f.title, NoMinify: f.noMinify, Workers: f.workers,
		ContentDir: f.content, ScopeSource: map[string]string{}, ScopeRevision: map[string]string{},
		Index: func(dir string, docs []indexer.Document, url func(indexer.Document) string) error {
			// The build does not report the index's gzip sizes: skip them.
			_, err := search.WriteStaticIndexWith(dir, docs, url, search.StaticOptions{})
			return err
		},
	}
	if f.verbose {
		cfg.Log = log
	}
	for _, s := range f.scopeSource {
		scope, u, ok := strings.Cut(s, "=")
		if !ok || scope == "" || u == "" {
			return cfg, fmt.Errorf("--scope-source %q: want scope=URL", s)
		}
		cfg.ScopeSource[scope] = u
	}
	for _, s := range f.scopeRev {
		scope, rev, ok := strings.Cut(s, "=")
		if !ok || scope == "" || rev == "" {
			return cfg, fmt.Errorf("--scope-revision %q: want scope=REV", s)
		}
		cfg.ScopeRevision[scope] = rev
	}
	return cfg, nil
}

// loader adapts indexer.Sources to the site builder, printing where the
// repository's data came from.
func loader(src *indexer.Sources, log io.Writer, verbose bool) func(context.Context) (*site.Inputs, error) {
	return func(ctx context.Context) (*site.Inputs, error) {
		l, err := src.Load(ctx)
		if err != nil {
			return nil, err
		}
		for _, n := range l.Notes {
			fmt.Fprintln(log, "note:", n)
		}
		return &site.Inputs{Docs: l.Docs, Modules: l.Modules, Templates: l.Templates, Source: l.Source,
			ContentDir: src.ContentPath()}, nil
	}
}

// tuneGC trades memory for speed in one-shot builds: a build allocates
// a lot of short-lived garbage (rendered pages), and collecting less often
// saves a third of the CPU time on the NixOS option set. The soft memory
// limit keeps peak use well under 1 GiB even so. An explicit GOGC or
// GOMEMLIMIT in the environment wins.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}

func runBuild(ctx context.Context, args []string) error {
	fs := newFlags("build", "[--out public] [--base-url /] [--releases auto] [--options FILE[=scope]] [--packages FILE[=scope]] …")
	releases := fs.String("releases", "auto", "`revisions` with a \"What changed\" page, oldest first, comma-separated, each REV or REV=NAME; auto: every v* tag; none: no history")
	f := addSiteFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	src, err := f.sources()
	if err != nil {
		return err
	}
	revs, err := loadReleases(ctx, f.repo, *releases, os.Stderr)
	if err != nil {
		return err
	}
	cfg, err := f.config(os.Stderr)
	if err != nil {
		return err
	}
	if isTerminal(os.Stderr) {
		cfg.Progress = &site.TermProgress{W: os.Stderr}
	}
	tuneGC()
	start := time.Now()
	load := loader(src, os.Stderr, f.verbose)
	if len(revs) > 0 {
		load = withHistory(load, revs)
	}
	b := site.NewBuilder(cfg, load)
	res, err := b.Build(ctx)
	if err != nil {
		return err
	}
	st := res.Stats
	fmt.Fprintf(os.Stderr, "built %s from %s: %d pages (%d options, %d packages, %d guides), %d files, %.1f MB in %s\n",
		f.out, res.Source, st.Pages, st.Options, st.Packages, st.Guides, st.Files, float64(st.Bytes)/1e6,
		time.Since(start).Round(time.Millisecond))
	for _, n := range res.Notes {
		fmt.Fprintln(os.Stderr, "note:", n)
	}
	if n := len(res.Diagnostics); n > 0 {
		limit := 10
		if f.verbose {
			limit = n
		}
		for i, d := range res.Diagnostics {
			if i == limit {
				fmt.Fprintf(os.Stderr, "… and %d more warnings (--verbose shows all; nurdocs check fails on them)\n", n-limit)
				break
			}
			fmt.Fprintln(os.Stderr, "warning:", d)
		}
	}
	return nil
}

// loadReleases reads the revisions --releases names, oldest first.
func loadReleases(ctx context.Context, repo, spec string, log io.Writer) ([]changes.Revision, error) {
	var list []string
	switch spec {
	case "none", "":
		return nil, nil
	case "auto":
		tags, err := indexer.ReleaseTags(ctx, repo)
		if err != nil {
			fmt.Fprintf(log, "note: no release history (%v)\n", err)
			return nil, nil
		}
		if len(tags) == 0 {
			fmt.Fprintln(log, "note: no release tags (v<version>): no \"What changed\" pages; give --releases REV[=NAME],…")
			return nil, nil
		}
		list = tags
	default:
		list = strings.Split(spec, ",")
	}
	var revs []changes.Revision
	for _, item := range list {
		rev, name, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			name = changes.ReleaseName(rev)
		}
		r, err := indexer.LoadRevision(ctx, repo, rev)
		if err != nil {
			return nil, fmt.Errorf("--releases: %w", err)
		}
		for _, n := range r.Notes {
			fmt.Fprintln(log, "note:", n)
		}
		revs = append(revs, changes.Revision{Name: name, Source: r.Source, Docs: r.Export.Docs})
	}
	return revs, nil
}

// withHistory adds to every load what changed from each release to the
// next, and from the newest to the documents loaded.
func withHistory(load func(context.Context) (*site.Inputs, error), revs []changes.Revision) func(context.Context) (*site.Inputs, error) {
	return func(ctx context.Context) (*site.Inputs, error) {
		in, err := load(ctx)
		if err != nil {
			return nil, err
		}
		in.History = changes.History(revs, in.Docs, in.Source)
		return in, nil
	}
}
