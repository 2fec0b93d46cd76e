// Command genpkgs writes a generated `nix-env -qa --json --meta` package
// list for scale measurements: go run ./internal/gen/genpkgs -n 100000 > pkgs.json
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/atproto-nur/atproto-nur/internal/gen"
)

func main() {
	n := flag.Int("n", 100000, "number of packages")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	if err := gen.Packages(w, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "genpkgs:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "genpkgs:", err)
		os.Exit(1)
	}
}
