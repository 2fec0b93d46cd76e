package live

import (
	"fmt"
	"path/filepath"
	"testing"
)

// VendorTarball finds the `go mod vendor` output of nix/pkgs/<pkg>'s
// source in ../shared/upstream: the file <name>-vendor-<first 7 digits of
// the pinned commit>.tar.gz, whose top folder is its name. It is made
// where a module the package needs cannot come from the Go module proxy
// (Tangled's go-gitdiff fork). ok is false when there is none; a package
// without a vendorHash has none to check against, which fails the test.
func VendorTarball(t testing.TB, pkg string) (tb Tarball, ok bool) {
	t.Helper()
	spec := Package(t, pkg)
	shared := SharedDir(t)
	if shared == "" || len(spec.Src.Rev) < 7 {
		return Tarball{}, false
	}
	matches, err := filepath.Glob(filepath.Join(shared, "upstream", "*-vendor-"+spec.Src.Rev[:7]+".tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	switch len(matches) {
	case 0:
		return Tarball{}, false
	case 1:
	default:
		t.Fatalf("nix/pkgs/%s: more than one vendor folder for commit %s in ../shared/upstream: %v", pkg, spec.Src.Rev[:7], matches)
	}
	if spec.VendorHash == "" {
		t.Fatalf("nix/pkgs/%s has no vendorHash, so %s cannot be checked against it", pkg, matches[0])
	}
	sum, err := fileSHA256(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(matches[0])
	name = name[:len(name)-len(".tar.gz")]
	return Tarball{Path: matches[0], Name: name, Commit: spec.Src.Rev, SHA256: sum}, true
}

// VendorTree returns the unpacked vendor folder of nix/pkgs/<pkg> (see
// VendorTarball), whose `nix-hash --type sha256` must equal the package's
// vendorHash: a mismatch fails the test, as a Nix build would fail on the
// vendor derivation's fixed output. "" when ../shared/upstream has none.
func VendorTree(t testing.TB, pkg string) string {
	t.Helper()
	spec := Package(t, pkg)
	tb, ok := VendorTarball(t, pkg)
	if !ok {
		return ""
	}
	return unpackChecked(t, tb, spec.VendorHash, func(got string) string {
		return fmt.Sprintf("vendor folder of nix/pkgs/%s: %s unpacks to a tree with nix-hash %s, but the package's vendorHash is %s; the tarball is not `go mod vendor` of the pinned source (or the pin changed): replace the tarball or fix the hash", pkg, tb.Path, got, spec.VendorHash)
	})
}
