package live

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Build is a program built for a live test.
type Build struct {
	Exe      string        // the program, <cache>/bin/<name>
	Duration time.Duration // how long the build took (when it was made, if cached)
	Cached   bool          // whether it came from the build cache
}

// String says how the build was obtained, for the test output.
func (b *Build) String() string {
	if b.Cached {
		return fmt.Sprintf("cached (built in %s)", b.Duration.Round(time.Second))
	}
	return b.Duration.Round(time.Second).String()
}

// substituteInPlace is the part of nixpkgs' stdenv function that the
// packages' postPatch scripts use: --replace-fail (and --replace-warn,
// --replace-quiet) of literal strings in one file.
const substituteInPlace = `
substituteInPlace() {
  local file=$1 content mode from to; shift
  content=$(cat "$file"; printf x); content=${content%x}
  while (($#)); do
    case $1 in
      --replace-fail|--replace-warn|--replace-quiet)
        mode=$1 from=$2 to=$3; shift 3
        if [[ $content != *"$from"* ]]; then
          if [[ $mode == --replace-fail ]]; then
            echo "substituteInPlace: $file: pattern '$from' not found" >&2; return 1
          fi
          [[ $mode == --replace-quiet ]] || echo "substituteInPlace: $file: pattern '$from' not found" >&2
        fi
        content=${content//"$from"/"$to"} ;;
      *) echo "substituteInPlace: $1 is not supported by the live tests' stand-in" >&2; return 1 ;;
    esac
  done
  printf %s "$content" > "$file"
}
`

// goVersion is the toolchain's version, part of every Go build's cache key.
func goVersion(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("skipped: the go toolchain is not on PATH")
	}
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		t.Fatalf("go env GOVERSION: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// BuildGo builds nix/pkgs/<pkg> (a buildGoApplication package) the way the
// package does: from its hash-checked pinned source, after its postPatch,
// with its ldflags, tags and env (CGO_ENABLED), -trimpath as buildGoModule
// does, then its postInstall with $out the cache entry, and its dependencies from the Go module proxy (GOFLAGS=-mod=mod)
// instead of the vendor folder its vendorHash pins. The result is cached
// by the tarball's hash, the toolchain version and the build spec.
func BuildGo(t testing.TB, pkg string) *Build {
	t.Helper()
	spec := Package(t, pkg)
	if spec.Builder != "buildGoApplication" {
		t.Fatalf("nix/pkgs/%s is built with %s, not buildGoApplication", pkg, spec.Builder)
	}
	if len(spec.Patches) > 0 {
		t.Fatalf("nix/pkgs/%s has patches; the live tests do not apply patch files yet", pkg)
	}
	if len(spec.SubPackages) != 1 {
		t.Fatalf("nix/pkgs/%s builds %d sub-packages; the live tests expect one program", pkg, len(spec.SubPackages))
	}
	gover := goVersion(t)
	src := Source(t, pkg)
	tb := PackageTarball(t, pkg)
	vendor := VendorTree(t, pkg)
	vendorTB, _ := VendorTarball(t, pkg)

	// The key names what a Go build reads, so new fields of PackageSpec
	// (for other builders) do not invalidate cached builds.
	specJSON, err := json.Marshal([]any{spec.Pname, spec.Version, spec.Src, spec.SubPackages, spec.Ldflags, spec.Tags, spec.Env, spec.PostPatch, spec.SourceRoot, spec.PostInstall, spec.MainProgram})
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", tb.SHA256, gover, specJSON)
	if vendor != "" {
		fmt.Fprintf(h, "vendor %s\n", vendorTB.SHA256)
	}
	key := pkg + "-" + shortHash(hex.EncodeToString(h.Sum(nil)))
	// The program's name is what lib.getExe gives: meta.mainProgram, else
	// the package folder's name (what `go build` names it).
	name := spec.MainProgram
	if name == "" {
		name = filepath.Base(spec.SubPackages[0])
	}

	dir, hit := Cached(t, "go", key, func(dir string) error {
		return buildGo(t, spec, src, vendor, dir)
	})
	b := &Build{Exe: filepath.Join(dir, "bin", name), Cached: hit}
	if data, err := os.ReadFile(filepath.Join(dir, "build-seconds")); err == nil {
		secs, _ := strconv.ParseFloat(strings.TrimSpace(string(data)), 64)
		b.Duration = time.Duration(secs * float64(time.Second))
	}
	if _, err := os.Stat(b.Exe); err != nil {
		t.Fatalf("build cache entry %s has no %s: %v (remove the entry to rebuild)", dir, b.Exe, err)
	}
	return b
}

func buildGo(t testing.TB, spec *PackageSpec, src, vendor, dir string) error {
	begin := time.Now()
	work := filepath.Join(dir, "src")
	if out, err := exec.Command("cp", "-a", src, work).CombinedOutput(); err != nil {
		return fmt.Errorf("copying the source: %w\n%s", err, out)
	}
	defer os.RemoveAll(work)
	// The tree is read-only in a Nix build too, but postPatch edits it.
	if out, err := exec.Command("chmod", "-R", "u+w", work).CombinedOutput(); err != nil {
		return fmt.Errorf("making the source writable: %w\n%s", err, out)
	}
	modRoot := work
	if spec.SourceRoot != "" {
		modRoot = filepath.Join(work, spec.SourceRoot)
	}
	if spec.PostPatch != "" {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", substituteInPlace+spec.PostPatch)
		cmd.Dir = modRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("postPatch of nix/pkgs/%s: %w\n%s", spec.Pname, err, out)
		}
	}
	goflags := "GOFLAGS=-mod=mod"
	if vendor != "" {
		if out, err := exec.Command("cp", "-a", vendor, filepath.Join(modRoot, "vendor")).CombinedOutput(); err != nil {
			return fmt.Errorf("copying the vendor folder: %w\n%s", err, out)
		}
		goflags = "GOFLAGS=-mod=vendor"
	}
	ldflags := spec.Ldflags
	if ldflags == nil {
		ldflags = []string{"-s", "-w"} // buildGoApplication's default
	}
	args := []string{"build", "-trimpath", "-ldflags", strings.Join(ldflags, " ")}
	if len(spec.Tags) > 0 {
		args = append(args, "-tags", strings.Join(spec.Tags, ","))
	}
	// Into bin/ under go's own name for the package, as buildGoModule
	// installs it; postInstall may rename it.
	args = append(args, "-o", filepath.Join(dir, "bin")+"/", "./"+spec.SubPackages[0])
	cmd := exec.Command("go", args...)
	cmd.Dir = modRoot
	cmd.Env = append(os.Environ(), goflags, "GOTOOLCHAIN=local")
	for k, v := range spec.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	t.Logf("building %s: %s go %s (in %s)", spec.Pname, goflags, strings.Join(args, " "), spec.SubPackages[0])
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build of nix/pkgs/%s: %w\n%s", spec.Pname, err, out)
	}
	if spec.PostInstall != "" {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", wrapProgram+spec.PostInstall)
		cmd.Dir = modRoot
		cmd.Env = append(os.Environ(), "out="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("postInstall of nix/pkgs/%s: %w\n%s", spec.Pname, err, out)
		}
	}
	secs := time.Since(begin).Seconds()
	return os.WriteFile(filepath.Join(dir, "build-seconds"), []byte(strconv.FormatFloat(secs, 'f', 1, 64)+"\n"), 0o644)
}
