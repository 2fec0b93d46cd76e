package live

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// RepoRoot is the checkout this package lives in (the folder holding go.mod).
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the checkout: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("finding the checkout: no go.mod above %s", dir)
		}
	}
}

var (
	nixOnce sync.Once
	nixErr  string
)

// RequireNix skips the test, with one line, unless nix-instantiate runs and
// nixpkgs' lib resolves on NIX_PATH.
func RequireNix(t testing.TB) {
	t.Helper()
	nixOnce.Do(func() {
		if _, err := exec.LookPath("nix-instantiate"); err != nil {
			nixErr = "skipped: nix-instantiate not found (Debian: apt-get install nix-bin)"
			return
		}
		if err := exec.Command("nix-instantiate", "--eval", "-E", "(import <nixpkgs/lib>).version").Run(); err != nil {
			nixErr = "skipped: nixpkgs lib not on NIX_PATH (set NIX_PATH=nixpkgs=/path/to/nixpkgs-or-nixpkgs.lib)"
		}
	})
	if nixErr != "" {
		t.Skip(nixErr)
	}
}

// nixEvalJSON evaluates a file of this package strictly and decodes its
// JSON value into v. args are nix-instantiate arguments (--argstr k v ...).
func nixEvalJSON(t testing.TB, file string, v any, args ...string) {
	t.Helper()
	RequireNix(t)
	path := filepath.Join(RepoRoot(t), "nix", "tests", "live", file)
	cmdArgs := append([]string{"--eval", "--strict", "--json", path}, args...)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("nix-instantiate", cmdArgs...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("evaluating nix/tests/live/%s %v: %v\n%s", file, args, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		t.Fatalf("reading the JSON of nix/tests/live/%s %v: %v", file, args, err)
	}
}

// PackageSpec is what package.nix reports of nix/pkgs/<name>: the source
// pin and the spec the package hands its builder.
type PackageSpec struct {
	Builder string `json:"builder"`
	Pname   string `json:"pname"`
	Version string `json:"version"`
	// MainProgram is meta.mainProgram, the name lib.getExe gives.
	MainProgram string `json:"mainProgram"`
	Src         struct {
		Owner string `json:"owner"`
		Repo  string `json:"repo"`
		Rev   string `json:"rev"`
		Hash  string `json:"hash"` // SRI
	} `json:"src"`
	VendorHash  string            `json:"vendorHash"`
	SubPackages []string          `json:"subPackages"`
	Ldflags     []string          `json:"ldflags"`
	Tags        []string          `json:"tags"`
	Env         map[string]string `json:"env"`
	PostPatch   string            `json:"postPatch"`
	PostInstall string            `json:"postInstall"`
	SourceRoot  string            `json:"sourceRoot"`
	Patches     []string          `json:"patches"`

	// buildNodeApplication: the package manager, the program scripts by
	// name, the native addons rebuilt from source, the build after the
	// install, and the store paths (placeholders in metadata mode, named
	// after the nixpkgs attribute, e.g. pnpm_9) of pnpm and node.
	PackageManager string            `json:"packageManager"`
	EntryPoints    map[string]string `json:"entryPoints"`
	NativeModules  []string          `json:"nativeModules"`
	PostBuild      string            `json:"postBuild"`
	Pnpm           string            `json:"pnpm"`
	Nodejs         string            `json:"nodejs"`

	// packageManager = "yarn-berry" (buildyarnberry.go): the Yarn release,
	// the path of the per-tarball dependency list, the web assets built
	// after the install, and whether the wrappers run in the app folder.
	YarnBerry struct {
		Version string `json:"version"`
		Hash    string `json:"hash"` // SRI sha512 of @yarnpkg/cli-dist
	} `json:"yarnBerry"`
	YarnDeps string `json:"yarnDeps"`
	Assets   struct {
		Builder string `json:"builder"`
		Command string `json:"command"`
	} `json:"assets"`
	RunInAppDir bool `json:"runInAppDir"`
}

var (
	specMu    sync.Mutex
	specCache = map[string]*PackageSpec{}
)

// specInRepo is spec with its file paths (patches, yarnDeps) relative to
// the checkout, for a cache key: their contents are hashed apart, and
// where the checkout is must not matter (CI clones main anew for each
// run, and a warm cache must serve every clone).
func specInRepo(t testing.TB, spec *PackageSpec) PackageSpec {
	t.Helper()
	root := RepoRoot(t)
	rel := func(p string) string {
		if r, err := filepath.Rel(root, p); err == nil && filepath.IsAbs(p) {
			return r
		}
		return p
	}
	c := *spec
	c.Patches = slices.Clone(spec.Patches) // nil stays nil: the key of a spec without paths is unchanged
	for i, p := range c.Patches {
		c.Patches[i] = rel(p)
	}
	c.YarnDeps = rel(spec.YarnDeps)
	return c
}

// Package reads nix/pkgs/<name>'s source pin and build spec by evaluation.
func Package(t testing.TB, name string) *PackageSpec {
	t.Helper()
	specMu.Lock()
	defer specMu.Unlock()
	if s, ok := specCache[name]; ok {
		return s
	}
	s := &PackageSpec{}
	nixEvalJSON(t, "package.nix", s, "--argstr", "name", name)
	specCache[name] = s
	return s
}
