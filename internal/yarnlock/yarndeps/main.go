// Command yarndeps writes, from a project's Yarn Berry lockfiles and an npm
// registry's answers, a Nix file listing the registry tarball and its
// published integrity for every package version the lockfiles resolve to:
//
//	go run ./internal/yarnlock/yarndeps -src DIR -o nix/pkgs/ozone/deps.nix yarn.lock service/yarn.lock
//
// The registry is the npm client's (`npm config get registry`) unless
// -registry names one. Answers are cached on disk (-cache), together with a
// copy of each lockfile read, so that the regeneration test runs offline.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/atproto-nur/atproto-nur/internal/npmdist"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "yarndeps:", err)
		os.Exit(1)
	}
}

func run() error {
	src := flag.String("src", ".", "source tree the lockfile paths are relative to")
	out := flag.String("o", "", "output file (default: standard output)")
	registry := flag.String("registry", "", "npm registry URL (default: `npm config get registry`)")
	cache := flag.String("cache", defaultCacheDir(), "directory of cached registry answers and lockfile copies")
	offline := flag.Bool("offline", false, "answer from the cache only")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: yarndeps [flags] LOCKFILE...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		return fmt.Errorf("no lockfile given")
	}
	if *registry == "" {
		r, err := npmRegistry()
		if err != nil {
			return err
		}
		*registry = r
	}

	var locks []Lock
	for _, rel := range flag.Args() {
		data, err := os.ReadFile(filepath.Join(*src, rel))
		if err != nil {
			return err
		}
		locks = append(locks, Lock{Path: filepath.ToSlash(rel), Data: data})
		if err := SaveLockfile(*cache, data); err != nil {
			return err
		}
	}

	client := &npmdist.Client{Registry: *registry, CacheDir: *cache, Offline: *offline}
	nix, err := Generate(context.Background(), locks, client)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = os.Stdout.Write(nix)
		return err
	}
	return os.WriteFile(*out, nix, 0o644)
}

func defaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "atproto-nur-npmdist")
	}
	return filepath.Join(dir, "atproto-nur", "npmdist")
}

// npmRegistry asks the npm client which registry it is configured for, so
// that the generator looks versions up where an install would fetch them.
func npmRegistry() (string, error) {
	b, err := exec.Command("npm", "config", "get", "registry").Output()
	if err != nil {
		return "", fmt.Errorf("npm config get registry (or pass -registry): %w", err)
	}
	r := strings.TrimSpace(string(b))
	if r == "" {
		return "", fmt.Errorf("npm config get registry printed nothing; pass -registry")
	}
	return r, nil
}
