package live

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestRustBuilds builds every Rust workspace the packages use, one cargo
// build each (cached), and prints each program's build time and size. The
// services' own tests (TestRustServices) start from the same cache
// entries.
func TestRustBuilds(t *testing.T) {
	var names []string
	for ws := range rustWorkspaces {
		names = append(names, ws)
	}
	// Smallest first: a failure in a large workspace still leaves the
	// smaller ones built.
	order := map[string]int{"allegedly": 0, "microcosm": 1, "rsky": 2, "hydrant": 3}
	sort.Slice(names, func(i, j int) bool { return order[names[i]] < order[names[j]] })
	for _, ws := range names {
		t.Run(ws, func(t *testing.T) {
			for _, pkg := range rustWorkspaces[ws] {
				b := BuildRust(t, pkg)
				st, err := os.Stat(b.Exe)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("BUILT %s: %s, %.1f MiB", pkg, b, float64(st.Size())/(1<<20))
			}
		})
	}
}

// TestRustCacheKeyIsContent evaluates a Rust package in this checkout and
// in a copy of its nix/ folder elsewhere: the two keys must be equal (the
// build reads the same bytes), while a changed lock, feature or patch must
// change the key.
func TestRustCacheKeyIsContent(t *testing.T) {
	RequireNix(t)
	const pkg = "allegedly"
	spec, r := rustPackage(t, pkg)
	lock, err := os.ReadFile(r.CargoLock.LockFile)
	if err != nil {
		t.Fatal(err)
	}
	key := func(spec *PackageSpec, r *rustSpec, lock []byte) string {
		t.Helper()
		k, err := rustCacheKey("allegedly", "srcsha", "rustc x; cargo x", lock, nil, []rustMember{{spec, r}})
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	here := key(spec, r, lock)

	clone := filepath.Join(t.TempDir(), "elsewhere")
	if out, err := exec.Command("cp", "-a", filepath.Join(RepoRoot(t), "nix"), clone).CombinedOutput(); err != nil {
		t.Fatalf("copying nix/: %v\n%s", err, out)
	}
	var cloneSpec PackageSpec
	var cloneRust rustSpec
	for _, v := range []any{&cloneSpec, &cloneRust} {
		out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json",
			filepath.Join(clone, "tests", "live", "package.nix"), "--argstr", "name", pkg).Output()
		if err != nil {
			t.Fatalf("evaluating the copy's package.nix: %v", err)
		}
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatal(err)
		}
	}
	if cloneRust.CargoLock.LockFile == r.CargoLock.LockFile || !strings.HasPrefix(cloneRust.CargoLock.LockFile, clone) {
		t.Fatalf("the copy's lock file is %s, want one under %s", cloneRust.CargoLock.LockFile, clone)
	}
	cloneLock, err := os.ReadFile(cloneRust.CargoLock.LockFile)
	if err != nil {
		t.Fatal(err)
	}
	if elsewhere := key(&cloneSpec, &cloneRust, cloneLock); elsewhere != here {
		t.Errorf("the same package in another folder has cache key %s, here %s (the key depends on the checkout's path)", elsewhere, here)
	}

	changedLock := append(slices.Clone(lock), '\n')
	if key(spec, r, changedLock) == here {
		t.Error("a changed Cargo.lock keeps the cache key")
	}
	featured := *r
	featured.BuildFeatures = append(slices.Clone(r.BuildFeatures), "extra")
	if key(spec, &featured, lock) == here {
		t.Error("an added feature keeps the cache key")
	}
	if len(cloneSpec.Patches) == 0 {
		t.Fatalf("nix/pkgs/%s has no patches; this test needs a package with one", pkg)
	}
	f, err := os.OpenFile(cloneSpec.Patches[0], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "a changed patch")
	f.Close()
	if key(&cloneSpec, &cloneRust, cloneLock) == here {
		t.Error("a changed patch keeps the cache key")
	}
}
