package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/atproto-nur/atproto-nur/site/serve"
)

func init() {
	register(command{name: "serve", summary: "preview the site, rebuilding and reloading on every save", run: runServe})
}

func runServe(ctx context.Context, args []string) error {
	fs := newFlags("serve", "[--addr 127.0.0.1:8080] [--options FILE[=scope]] [--packages FILE[=scope]] …")
	addr := fs.String("addr", serve.DefaultAddr, "listen `address` (loopback by default: the preview is for this machine)")
	f := addSiteFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	outSet := false
	fs.Visit(func(fl *flag.Flag) { outSet = outSet || fl.Name == "out" })
	if outSet {
		fmt.Fprintln(fs.Output(), "nurdocs serve: --out is for build; serve builds into a temporary folder it removes on exit")
		return errUsage
	}
	src, err := f.sources()
	if err != nil {
		return err
	}
	cfg, err := f.config(os.Stderr)
	if err != nil {
		return err
	}
	return serve.Run(ctx, serve.Config{Addr: *addr, Site: cfg, Sources: src, Log: os.Stderr})
}
