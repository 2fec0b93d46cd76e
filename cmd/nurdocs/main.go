// Command nurdocs builds, checks, searches and previews the documentation
// site of atproto-nur. It only parses flags and wires stages together; the
// work happens in the indexer, site and search packages.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "nurdocs: not yet wired")
	os.Exit(2)
}
