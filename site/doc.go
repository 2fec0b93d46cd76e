// Package site renders Documents into the static documentation site:
// option reference, package catalogue, guides, home, search page, 404,
// sitemap and robots.txt. It knows HTML and nothing about evaluating Nix;
// its input comes from indexer.
//
// # Layout of the output
//
//	index.html                          home
//	options/                            option reference: every option page, by scope
//	options/<prefix>/#<option>          one page per module of this repository
//	all-options/                        every option of this repository on one page
//	packages/, packages/<attr>.html     package list and one page per package
//	package-index/<prefix>/             the package list split by name, for big catalogues
//	guides/, guides/<slug>/             guides from content/
//	scope/<scope>/…                     the same for every other scope (--options FILE=scope)
//	search/                             search page (search/n, d, docs: the browser index)
//	static/                             theme CSS, JS, icon; highlight.css from site/markdown
//	404.html, sitemap.xml, robots.txt
//
// Layout.URL gives every Document's URL relative to the base URL; search
// index writers take it as their url function.
//
// # Building
//
// A Builder builds from inputs supplied by a load function (normally
// indexer.Sources.Load, which re-reads only changed files):
//
//	b := site.NewBuilder(cfg, load)
//	res, err := b.Build(ctx)          // temp folder beside cfg.Out, swapped in on success
//	res, err := b.BuildInto(ctx, dir) // in place, rewriting only files whose bytes changed
//
// Both render pages in parallel on all cores and minify everything they
// write. Between builds the Builder keeps rendered option Markdown (while
// the document set is unchanged) and, per BuildInto folder, the hash of
// every file, so a preview server's rebuild after a guide edit renders that
// guide and rewrites only the pages that differ.
package site
