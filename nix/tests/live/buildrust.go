package live

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rustWorkspaces are the Cargo workspaces whose programs are packaged
// here, each with the packages built from it. One cargo invocation builds
// every program of a workspace, so the workspace's crates and their
// dependencies compile once.
var rustWorkspaces = map[string][]string{
	"allegedly": {"allegedly"},
	"microcosm": {"constellation", "slingshot", "spacedust", "ufos"},
	"rsky":      {"rsky-pds", "rsky-relay", "rsky-feedgen", "rsky-firehose"},
	"hydrant":   {"hydrant"},
}

// rustStandIns names, for a git dependency (repository@commit) of which no
// copy exists in ../shared/upstream, the tarball built in its place, why,
// and the patch (under testdata/standins) that fits it to the rest of the
// lock, if one is needed. A build with a stand-in says so in the test
// output.
var rustStandIns = map[string]struct{ tarball, why, patch string }{
	"90-008/fjall@aee642660079ec0a0f70f2f1fb45b8fa71fa4322": {
		tarball: "fjall-85a8ad9",
		why: "hydrant's fjall fork at aee6426 is in no public copy any more (the fork was rebased); " +
			"its rebased main 85a8ad9 (fjall 3.1.8 + the same patches) stands in, without the one method " +
			"(Keyspace::sample_data_blocks_from, which hydrant never calls) that needs a newer lsm-tree fork " +
			"than the lock's bff2839; the copied Cargo.lock's fjall entry is updated to it; the package keeps its pinned lock",
		patch: "fjall-85a8ad9-for-lsm-tree-bff2839.patch",
	},
}

// rustSpec is what a buildRustApplication package hands its builder,
// beyond PackageSpec (package.nix reports both).
type rustSpec struct {
	CargoLock struct {
		LockFile     string            `json:"lockFile"`
		OutputHashes map[string]string `json:"outputHashes"`
	} `json:"cargoLock"`
	CargoGitPrune          map[string][]string `json:"cargoGitPrune"`
	CargoBuildFlags        []string            `json:"cargoBuildFlags"`
	Binaries               []string            `json:"binaries"`
	BuildFeatures          []string            `json:"buildFeatures"`
	BuildNoDefaultFeatures bool                `json:"buildNoDefaultFeatures"`
}

// rustDevProfile is the profile the live tests build with: cargo's dev
// profile without debug info. Optimisation changes how fast a program
// runs, not what it does at start (its flags, environment, listeners,
// files and log lines come from the same code); a release build of the
// three workspaces would not fit the CI budget on two cores.
var rustDevProfile = []string{"CARGO_PROFILE_DEV_DEBUG=0"}

// rustToolchain is the toolchain the builds use and its version line. The
// trees' own toolchain files (rust-toolchain, rust-toolchain.toml) name
// toolchains rustup would download; a Nix build ignores them and uses
// nixpkgs' rustc, so the tests pin the installed one instead:
// $RUSTUP_TOOLCHAIN, else "stable".
func rustToolchain(t testing.TB) (name, version string) {
	t.Helper()
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Skip("skipped: cargo is not on PATH (install Rust with rustup)")
	}
	name = os.Getenv("RUSTUP_TOOLCHAIN")
	if name == "" {
		name = "stable"
	}
	var lines []string
	for _, tool := range []string{"rustc", "cargo"} {
		cmd := exec.Command(tool, "--version")
		cmd.Env = append(os.Environ(), "RUSTUP_TOOLCHAIN="+name)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s --version (RUSTUP_TOOLCHAIN=%s): %v\n%s", tool, name, err, out)
		}
		lines = append(lines, strings.TrimSpace(string(out)))
	}
	return name, strings.Join(lines, "; ")
}

// rustWorkspaceOf is the workspace nix/pkgs/<pkg> is built from.
func rustWorkspaceOf(t testing.TB, pkg string) string {
	t.Helper()
	for ws, pkgs := range rustWorkspaces {
		if slices.Contains(pkgs, pkg) {
			return ws
		}
	}
	t.Fatalf("nix/pkgs/%s is in no Rust workspace of rustWorkspaces", pkg)
	return ""
}

var (
	rustSpecMu    sync.Mutex
	rustSpecCache = map[string]*rustSpec{}
)

func rustPackage(t testing.TB, pkg string) (*PackageSpec, *rustSpec) {
	t.Helper()
	spec := Package(t, pkg)
	if spec.Builder != "buildRustApplication" {
		t.Fatalf("nix/pkgs/%s is built with %s, not buildRustApplication", pkg, spec.Builder)
	}
	rustSpecMu.Lock()
	defer rustSpecMu.Unlock()
	if r, ok := rustSpecCache[pkg]; ok {
		return spec, r
	}
	r := &rustSpec{}
	nixEvalJSON(t, "package.nix", r, "--argstr", "name", pkg)
	rustSpecCache[pkg] = r
	return spec, r
}

// BuildRust builds nix/pkgs/<pkg> (a buildRustApplication package) and the
// other programs of its Cargo workspace the way the packages do: from the
// hash-checked pinned source, with the package's own Cargo.lock
// (`--locked`), after its patches and postPatch, with its -p flags, features and
// binaries, then its postInstall with $out the program's folder. Registry
// crates come from the crates registry; each git dependency of the lock
// comes from its ../shared/upstream tarball through cargo's source
// replacement (a `directory` source), after its tree's NAR hash is checked
// against the package's cargoLock.outputHashes. $ATPROTO_NUR_LIVE_RUST, a
// comma-separated list of workspace names, limits which are built (the
// others' tests skip); unset builds all. Every workspace shares one
// CARGO_TARGET_DIR under the build cache; the programs are cached by
// everything the build reads, so a warm run builds nothing.
func BuildRust(t testing.TB, pkg string) *Build {
	t.Helper()
	ws := rustWorkspaceOf(t, pkg)
	if only := os.Getenv("ATPROTO_NUR_LIVE_RUST"); only != "" && !slices.Contains(strings.Split(only, ","), ws) {
		t.Skipf("skipped: the %s workspace is not in ATPROTO_NUR_LIVE_RUST=%s, which limits the Rust builds of this run", ws, only)
	}
	toolchain, toolVersion := rustToolchain(t)
	pkgs := rustWorkspaces[ws]
	first, firstRust := rustPackage(t, pkgs[0])
	src := Source(t, pkgs[0])
	tb := PackageTarball(t, pkgs[0])
	for _, other := range pkgs[1:] {
		spec, r := rustPackage(t, other)
		if spec.Src != first.Src || r.CargoLock.LockFile != firstRust.CargoLock.LockFile || !slices.Equal(spec.Patches, first.Patches) {
			t.Fatalf("nix/pkgs/%s and nix/pkgs/%s are both in the %s workspace but pin different sources, lock files or patches", pkgs[0], other, ws)
		}
	}
	lock, err := os.ReadFile(firstRust.CargoLock.LockFile)
	if err != nil {
		t.Fatalf("reading nix/pkgs/%s's Cargo.lock: %v", pkgs[0], err)
	}
	deps := rustGitDeps(t, pkgs[0], lock)

	var members []rustMember
	for _, p := range pkgs {
		spec, r := rustPackage(t, p)
		members = append(members, rustMember{spec, r})
	}
	key, err := rustCacheKey(ws, tb.SHA256, toolVersion, lock, deps, members)
	if err != nil {
		t.Fatal(err)
	}

	dir, hit := Cached(t, "rust", key, func(dir string) error {
		return buildRustWorkspace(t, ws, toolchain, src, lock, deps, dir)
	})
	spec := Package(t, pkg)
	name := spec.MainProgram
	if name == "" {
		name = pkg
	}
	b := &Build{Exe: filepath.Join(dir, pkg, "bin", name), Cached: hit}
	if data, err := os.ReadFile(filepath.Join(dir, "build-seconds")); err == nil {
		secs, _ := strconv.ParseFloat(strings.TrimSpace(string(data)), 64)
		b.Duration = time.Duration(secs * float64(time.Second))
	}
	st, err := os.Stat(b.Exe)
	if err != nil {
		t.Fatalf("build cache entry %s has no %s: %v (remove the entry to rebuild)", dir, b.Exe, err)
	}
	t.Logf("%s: %s (%s workspace, %s profile without debug info, %s), %.1f MiB",
		pkg, b.Exe, ws, "dev", toolVersion, float64(st.Size())/(1<<20))
	return b
}

// rustMember is one package of a workspace as its build sees it.
type rustMember struct {
	spec *PackageSpec
	rust *rustSpec
}

// rustCacheKey names everything a workspace build reads, by content: the
// source tarball's hash, the toolchain, the Cargo.lock's bytes, the
// profile, each git dependency's tarball and each package's build spec.
// The lock file's path is left out (its bytes are in the key): it is
// absolute, so a clone of the repository in another folder would miss the
// cache.
func rustCacheKey(ws, srcSHA256, toolVersion string, lock []byte, deps []rustGitDep, members []rustMember) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%x\n%v\n", srcSHA256, toolVersion, sha256.Sum256(lock), rustDevProfile)
	for _, d := range deps {
		fmt.Fprintf(h, "%s %s\n", d.source, d.tarball.SHA256)
		if d.standInPatch != "" {
			sum, err := fileSHA256(d.standInPatch)
			if err != nil {
				return "", fmt.Errorf("cache key of the %s workspace: the stand-in's patch: %w", ws, err)
			}
			fmt.Fprintf(h, "stand-in patch %s %s\n", filepath.Base(d.standInPatch), sum)
		}
	}
	for _, m := range members {
		r := *m.rust
		r.CargoLock.LockFile = ""
		js, err := json.Marshal([]any{m.spec.Pname, m.spec.Env, m.spec.PostPatch, m.spec.PostInstall, m.spec.MainProgram, r})
		if err != nil {
			return "", fmt.Errorf("cache key of the %s workspace: %w", ws, err)
		}
		fmt.Fprintf(h, "%s\n", js)
		// The patches by content (their paths differ between checkouts).
		for _, patch := range m.spec.Patches {
			sum, err := fileSHA256(patch)
			if err != nil {
				return "", fmt.Errorf("cache key of the %s workspace: nix/pkgs/%s's patch: %w", ws, m.spec.Pname, err)
			}
			fmt.Fprintf(h, "patch %s %s\n", filepath.Base(patch), sum)
		}
	}
	return ws + "-" + shortHash(hex.EncodeToString(h.Sum(nil))), nil
}

// rustGitDep is one `source = "git+…"` line of a Cargo.lock and the
// tarball that serves it.
type rustGitDep struct {
	source  string   // the lock's source, without "git+" and "#rev"
	rev     string   // the locked commit
	crates  []string // "<name>-<version>" of the lock's crates from it
	names   []string // their names
	tarball Tarball
	standIn string // why a stand-in serves it; "" when it is the pinned tree
	// standInPatch is the stand-in's patch file (see rustStandIns); "" for
	// none.
	standInPatch string
}

var lockSource = regexp.MustCompile(`^source = "git\+([^"#]+)#([0-9a-f]{40})"$`)

// rustGitDeps reads the git sources of a Cargo.lock and finds each one's
// tarball in ../shared/upstream (same repository and commit), or its
// declared stand-in.
func rustGitDeps(t testing.TB, pkg string, lock []byte) []rustGitDep {
	t.Helper()
	shared := SharedDir(t)
	if shared == "" {
		t.Skip("skipped: pinned upstream sources not found (../shared/upstream)")
	}
	list, err := upstreamTarballs(filepath.Join(shared, "upstream"))
	if err != nil {
		t.Fatal(err)
	}
	bySource := map[string]*rustGitDep{}
	var order []string
	var name, version string
	sc := bufio.NewScanner(strings.NewReader(string(lock)))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "[[package]]":
			name, version = "", ""
		case strings.HasPrefix(line, "name = "):
			name = strings.Trim(strings.TrimPrefix(line, "name = "), `"`)
		case strings.HasPrefix(line, "version = "):
			version = strings.Trim(strings.TrimPrefix(line, "version = "), `"`)
		}
		m := lockSource.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		d := bySource[m[1]]
		if d == nil {
			d = &rustGitDep{source: m[1], rev: m[2]}
			bySource[m[1]] = d
			order = append(order, m[1])
		}
		d.crates = append(d.crates, name+"-"+version)
		d.names = append(d.names, name)
	}
	var deps []rustGitDep
	for _, s := range order {
		d := bySource[s]
		u, err := url.Parse(d.source)
		if err != nil {
			t.Fatalf("nix/pkgs/%s's Cargo.lock: git source %q: %v", pkg, d.source, err)
		}
		repo := strings.TrimSuffix(strings.Trim(u.Path, "/"), ".git")
		want := ""
		for _, tb := range list {
			if strings.EqualFold(tb.Repo, repo) && tb.Commit == d.rev {
				want = tb.Name
			}
		}
		if want == "" {
			si, ok := rustStandIns[repo+"@"+d.rev]
			if !ok {
				t.Skipf("skipped: no tarball of %s at %s (git dependency %s of nix/pkgs/%s) in ../shared/upstream", repo, d.rev, strings.Join(d.crates, ", "), pkg)
			}
			want, d.standIn = si.tarball, si.why
			if si.patch != "" {
				if d.standInPatch, err = filepath.Abs(filepath.Join("testdata", "standins", si.patch)); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, tb := range list {
			if tb.Name == want {
				d.tarball = tb
			}
		}
		if d.tarball.Name == "" {
			t.Skipf("skipped: %s.tar.gz (for %s) is not listed in ../shared/upstream/README.md", want, repo)
		}
		if d.tarball.SHA256, err = fileSHA256(d.tarball.Path); err != nil {
			t.Fatal(err)
		}
		deps = append(deps, *d)
	}
	return deps
}

func buildRustWorkspace(t testing.TB, ws, toolchain, src string, lock []byte, deps []rustGitDep, dir string) error {
	begin := time.Now()
	work := filepath.Join(dir, "work")
	defer os.RemoveAll(work)
	tree := filepath.Join(work, "src")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	if out, err := exec.Command("cp", "-a", src, tree).CombinedOutput(); err != nil {
		return fmt.Errorf("copying the source: %w\n%s", err, out)
	}
	if out, err := exec.Command("chmod", "-R", "u+w", tree).CombinedOutput(); err != nil {
		return fmt.Errorf("making the source writable: %w\n%s", err, out)
	}
	pkgs := rustWorkspaces[ws]
	first, firstRust := rustPackage(t, pkgs[0])

	// The package's Cargo.lock, exactly (buildRustPackage checks that the
	// tree's lock equals it; upstreams without one get this copy).
	if err := os.WriteFile(filepath.Join(tree, "Cargo.lock"), lock, 0o644); err != nil {
		return err
	}
	// The package's patches in order, then its postPatch, as nixpkgs'
	// patch phase does; a patch that does not apply stops the build.
	for _, patch := range first.Patches {
		cmd := exec.Command("patch", "-p1", "--batch", "--forward", "-i", patch)
		cmd.Dir = tree
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("applying %s of nix/pkgs/%s: %w\n%s", filepath.Base(patch), pkgs[0], err, out)
		}
		t.Logf("applied %s", filepath.Base(patch))
	}
	if first.PostPatch != "" {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", substituteInPlace+first.PostPatch)
		cmd.Dir = tree
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("postPatch of nix/pkgs/%s: %w\n%s", pkgs[0], err, out)
		}
	}
	// Every workspace shares one CARGO_TARGET_DIR, where cargo counts a
	// workspace crate as up to date when its files are older than its last
	// build; `cp -a` keeps the tarball's old times, so a tree without a
	// patch the previous build had would reuse that build's objects. New
	// times make cargo compile the workspace's own crates on each cache miss.
	if out, err := exec.Command("find", tree, "-exec", "touch", "-h", "{}", "+").CombinedOutput(); err != nil {
		return fmt.Errorf("touching the source: %w\n%s", err, out)
	}
	config, err := vendorGitDeps(t, work, tree, firstRust, deps)
	if err != nil {
		return err
	}

	args := []string{"-n", "10", "cargo", "build", "--locked", "--config", config}
	env := append(os.Environ(), "RUSTUP_TOOLCHAIN="+toolchain, "CARGO_TARGET_DIR="+filepath.Join(CacheRoot(t), "cargo-target"))
	env = append(env, rustDevProfile...)
	noDefault := map[bool]bool{}
	for _, p := range pkgs {
		spec, r := rustPackage(t, p)
		selected := ""
		switch {
		case len(r.CargoBuildFlags) == 0:
		case len(r.CargoBuildFlags) == 2 && r.CargoBuildFlags[0] == "-p":
			selected = r.CargoBuildFlags[1]
			args = append(args, "-p", selected)
		default:
			return fmt.Errorf("nix/pkgs/%s: cargoBuildFlags %q: the live tests know only [\"-p\" crate]", p, r.CargoBuildFlags)
		}
		for _, f := range r.BuildFeatures {
			if selected != "" {
				f = selected + "/" + f
			}
			args = append(args, "--features", f)
		}
		noDefault[r.BuildNoDefaultFeatures] = true
		for _, bin := range r.Binaries {
			args = append(args, "--bin", bin)
		}
		for k, v := range spec.Env {
			// A store path (a C library's folder) is the system's here.
			if !strings.Contains(v, "/nix/store/") {
				env = append(env, k+"="+v)
			}
		}
	}
	if len(noDefault) > 1 {
		return fmt.Errorf("the %s workspace's packages disagree on buildNoDefaultFeatures; one cargo build cannot do both", ws)
	}
	if noDefault[true] {
		args = append(args, "--no-default-features")
	}
	cmd := exec.Command("nice", args...)
	cmd.Dir = tree
	cmd.Env = env
	log, err := os.Create(filepath.Join(dir, "cargo-build.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	t.Logf("building the %s workspace (%s): %s", ws, strings.Join(pkgs, ", "), strings.Join(args[2:], " "))
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(log.Name())
		return fmt.Errorf("cargo build of the %s workspace: %w\n%s", ws, err, tail(out, 60))
	}
	seconds := time.Since(begin).Seconds()
	maxRSS := int64(0)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxRSS = ru.Maxrss
	}
	t.Logf("built the %s workspace in %.0f s (largest process %.0f MiB)", ws, seconds, float64(maxRSS)/1024)

	target := filepath.Join(CacheRoot(t), "cargo-target", "debug")
	for _, p := range pkgs {
		_, r := rustPackage(t, p)
		spec := Package(t, p)
		out := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Join(out, "bin"), 0o755); err != nil {
			return err
		}
		for _, bin := range r.Binaries {
			if out, err := exec.Command("cp", filepath.Join(target, bin), filepath.Join(dir, p, "bin", bin)).CombinedOutput(); err != nil {
				return fmt.Errorf("installing %s of nix/pkgs/%s: %w\n%s", bin, p, err, out)
			}
		}
		if spec.PostInstall != "" {
			cmd := exec.Command("bash", "-euo", "pipefail", "-c", spec.PostInstall)
			cmd.Dir = tree
			cmd.Env = append(os.Environ(), "out="+out)
			if msg, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("postInstall of nix/pkgs/%s: %w\n%s", p, err, msg)
			}
		}
	}
	return os.WriteFile(filepath.Join(dir, "build-seconds"), []byte(strconv.FormatFloat(seconds, 'f', 1, 64)+"\n"), 0o644)
}

var manifestName = regexp.MustCompile(`(?m)^\[package\]\s*\n(?:[^\[].*\n|\n)*?name\s*=\s*"([^"]+)"`)

// vendorGitDeps unpacks each git dependency's tarball under work/git,
// checks its tree against the package's outputHashes and writes the cargo
// configuration that serves the lock's git source from it: a `directory`
// source whose entries are the crate folders inside the unpacked
// repository, so that manifests inheriting from their workspace
// (`version.workspace = true`) find its root as they would in a git
// checkout. Each crate folder gets the `.cargo-checksum.json` a directory
// source needs (no package checksum: the lock has none for git crates).
// It returns the configuration file's path.
func vendorGitDeps(t testing.TB, work, tree string, r *rustSpec, deps []rustGitDep) (string, error) {
	var cfg strings.Builder
	for i, d := range deps {
		parent := filepath.Join(work, "git", d.tarball.Name)
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return "", err
		}
		if out, err := exec.Command("tar", "-xzf", d.tarball.Path, "-C", parent).CombinedOutput(); err != nil {
			return "", fmt.Errorf("unpacking %s: %w\n%s", d.tarball.Path, err, out)
		}
		checkout := filepath.Join(parent, d.tarball.Name)
		if err := checkGitDepHash(t, checkout, r, d); err != nil {
			return "", err
		}
		if d.standInPatch != "" {
			if out, err := exec.Command("patch", "-d", checkout, "-p1", "--batch", "--forward", "-i", d.standInPatch).CombinedOutput(); err != nil {
				return "", fmt.Errorf("applying %s to the stand-in %s: %w\n%s", d.standInPatch, d.tarball.Name, err, out)
			}
			t.Logf("STAND-IN: %s applied to %s.tar.gz", filepath.Base(d.standInPatch), d.tarball.Name)
		}
		if d.standIn != "" {
			if err := useStandIn(t, tree, checkout, d); err != nil {
				return "", err
			}
		}
		// The crate folders: the checkout itself (a one-crate repository)
		// or its direct subfolders (a workspace).
		dirSource := checkout
		if data, err := os.ReadFile(filepath.Join(checkout, "Cargo.toml")); err == nil && manifestName.Match(data) {
			dirSource = parent
		}
		entries, err := os.ReadDir(dirSource)
		if err != nil {
			return "", err
		}
		found := map[string]bool{}
		for _, e := range entries {
			manifest := filepath.Join(dirSource, e.Name(), "Cargo.toml")
			data, err := os.ReadFile(manifest)
			if err != nil {
				continue
			}
			m := manifestName.FindSubmatch(data)
			if m == nil {
				// A nested virtual workspace (no [package]) is no crate;
				// a directory source would refuse it.
				if err := os.Remove(manifest); err != nil {
					return "", err
				}
				continue
			}
			if err := os.WriteFile(filepath.Join(dirSource, e.Name(), ".cargo-checksum.json"), []byte(`{"files":{},"package":null}`), 0o644); err != nil {
				return "", err
			}
			found[string(m[1])] = true
		}
		for _, name := range d.names {
			if !found[name] {
				return "", fmt.Errorf("%s: no crate folder holds %s (crates found: %v)", d.tarball.Path, name, found)
			}
		}
		u, err := url.Parse(d.source)
		if err != nil {
			return "", err
		}
		q := u.Query()
		u.RawQuery = ""
		fmt.Fprintf(&cfg, "[source.%q]\ngit = %q\n", "git+"+d.source, u.String())
		for _, ref := range []string{"branch", "tag", "rev"} {
			if v := q.Get(ref); v != "" {
				fmt.Fprintf(&cfg, "%s = %q\n", ref, v)
			}
		}
		fmt.Fprintf(&cfg, "replace-with = %q\n\n[source.%q]\ndirectory = %q\n\n", fmt.Sprintf("vendored-%d", i), fmt.Sprintf("vendored-%d", i), dirSource)
	}
	path := filepath.Join(work, "git-sources.toml")
	return path, os.WriteFile(path, []byte(cfg.String()), 0o644)
}

// checkGitDepHash compares the unpacked tree of a git dependency with the
// package's outputHashes entry for it (the NAR hash of the checkout, after
// the package's cargoGitPrune removals, which the tarball already lacks).
func checkGitDepHash(t testing.TB, checkout string, r *rustSpec, d rustGitDep) error {
	key, want := "", ""
	for _, c := range d.crates {
		if h, ok := r.CargoLock.OutputHashes[c]; ok {
			key, want = c, h
		}
	}
	if want == "" {
		return fmt.Errorf("the package has no cargoLock.outputHashes entry for the git dependency %s (crates %s)", d.source, strings.Join(d.crates, ", "))
	}
	got, err := NixHash(checkout)
	if err != nil {
		return err
	}
	switch {
	case d.standIn != "":
		t.Logf("STAND-IN for %s: %s.tar.gz (nix-hash %s, not the package's outputHashes.%q %s): %s", key, d.tarball.Name, got, key, want, d.standIn)
	case got != want:
		return fmt.Errorf("git dependency %s: %s unpacks to a tree with nix-hash %s, but the package's cargoLock.outputHashes.%q is %s; the tarball is not that revision", d.source, d.tarball.Path, got, key, want)
	default:
		pruned := ""
		if paths := r.CargoGitPrune[key]; len(paths) > 0 {
			pruned = fmt.Sprintf(" (without the %d paths cargoGitPrune removes)", len(paths))
		}
		t.Logf("git dependency %s: %s.tar.gz matches outputHashes.%q%s", key, d.tarball.Name, key, pruned)
	}
	return nil
}

var manifestVersion = regexp.MustCompile(`(?m)^version\s*=\s*"([^"]+)"`)

// useStandIn points the copied Cargo.lock's entries of a stand-in's crate
// at the stand-in's version (same name, same git source line), so
// `--locked` builds it; the crate's dependency list is recomputed by cargo
// from the stand-in's manifest (a plain `cargo update -p` limited to it,
// offline from the registry cache where it can).
func useStandIn(t testing.TB, tree, checkout string, d rustGitDep) error {
	data, err := os.ReadFile(filepath.Join(checkout, "Cargo.toml"))
	if err != nil {
		return fmt.Errorf("stand-in %s: %w", d.tarball.Name, err)
	}
	name := manifestName.FindSubmatch(data)
	version := manifestVersion.FindSubmatch(data)
	if name == nil || version == nil {
		return fmt.Errorf("stand-in %s: its Cargo.toml names no package version", d.tarball.Name)
	}
	lockPath := filepath.Join(tree, "Cargo.lock")
	lock, err := os.ReadFile(lockPath)
	if err != nil {
		return err
	}
	for _, c := range d.crates {
		old := fmt.Sprintf("name = %q\nversion = %q\nsource = \"git+%s#%s\"", string(name[1]), strings.TrimPrefix(c, string(name[1])+"-"), d.source, d.rev)
		if !strings.Contains(string(lock), old) {
			continue
		}
		repl := fmt.Sprintf("name = %q\nversion = %q\nsource = \"git+%s#%s\"", string(name[1]), string(version[1]), d.source, d.rev)
		lock = []byte(strings.Replace(string(lock), old, repl, 1))
		t.Logf("STAND-IN: the copied Cargo.lock's %s now says %s %s (from %s.tar.gz)", c, name[1], version[1], d.tarball.Name)
	}
	return os.WriteFile(lockPath, lock, 0o644)
}
