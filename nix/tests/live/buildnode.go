package live

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// NodeBuild is a Node.js application installed for a live test, laid out
// as buildNodeApplication lays out its output: the application with its
// node_modules in app/, one wrapper per entry point in bin/.
type NodeBuild struct {
	Exe      string            // the main program's wrapper, <cache>/bin/<name>
	Bins     map[string]string // every entry point's wrapper, by name
	AppDir   string
	Node     string        // `node --version` of the node the wrappers run
	Version  string        // the version actually run
	Note     string        // how the build differs from the package, "" when it does not
	Native   string        // how the native modules were built, "" without any
	Duration time.Duration // how long the build took (when it was made, if cached)
	Cached   bool
}

// String says how the build was obtained, for the test output.
func (b *NodeBuild) String() string {
	s := b.Duration.Round(time.Second).String()
	if b.Cached {
		s = fmt.Sprintf("cached (built in %s)", b.Duration.Round(time.Second))
	}
	return s
}

// nodeBuildInfo is what a build leaves in its cache entry.
type nodeBuildInfo struct {
	Seconds float64 `json:"seconds"`
	Version string  `json:"version"`
	Note    string  `json:"note"`
	Native  string  `json:"native"`
}

// nodeTools are the programs a Node build runs, found once per build.
type nodeTools struct {
	node, nodeVersion string
	headers           string // the prefix whose include/node holds node's headers
	pm, pmVersion     string // pnpm or yarn
}

// nodeBuildRecipe is part of every Node build's cache key; change it when
// buildNode changes what it produces.
const nodeBuildRecipe = "node-build 3"

// deadProxy is a loopback address nothing listens on: native addon builds
// run with it as their HTTP(S) proxy, so any download they attempt (a
// prebuilt binary, node's headers) fails instead of happening.
const deadProxy = "http://127.0.0.1:9"

// BuildNode installs nix/pkgs/<pkg> (a buildNodeApplication package) the
// way the package does, from its hash-checked pinned source: the lockfile's
// dependencies from the npm registry with install scripts off (as
// fetchPnpmDeps/fetchYarnDeps and their config hooks do), the package's
// native modules compiled from source against this machine's Node.js
// headers, then its postBuild. Where the registry no longer serves a
// dependency the source pins exactly (pds pins @atproto/pds 0.4.208), the
// nearest later version of the same minor line is installed and Note says
// so. The result is cached by the tarball's hash, the tool versions, the
// build spec and any such substitution.
//
// What differs from the Nix build: the Node.js is this machine's (the
// package may name another major), and dependencies come from the registry
// rather than the depsHash-pinned fetch (their versions are the lockfile's).
func BuildNode(t testing.TB, pkg string) *NodeBuild {
	t.Helper()
	return buildNodeAt(t, pkg, "", "")
}

// BuildNodeAt is BuildNode with the dependency dep (one package.json pins
// exactly, such as @atproto/pds) installed at version instead: another
// release of the application the package wraps, for upgrade tests. Note
// says so.
func BuildNodeAt(t testing.TB, pkg, dep, version string) *NodeBuild {
	t.Helper()
	return buildNodeAt(t, pkg, dep, version)
}

func buildNodeAt(t testing.TB, pkg, dep, version string) *NodeBuild {
	t.Helper()
	spec := Package(t, pkg)
	if spec.Builder != "buildNodeApplication" {
		t.Fatalf("nix/pkgs/%s is built with %s, not buildNodeApplication", pkg, spec.Builder)
	}
	if len(spec.Patches) > 0 || spec.PostPatch != "" {
		t.Fatalf("nix/pkgs/%s patches its source; BuildNode does not apply patches yet", pkg)
	}
	tools := findNodeTools(t, spec)
	src := Source(t, pkg)
	tb := PackageTarball(t, pkg)
	root := src
	if spec.SourceRoot != "" {
		root = filepath.Join(src, spec.SourceRoot)
	}

	// The registry's answer is kept with the source, so a cached build
	// needs no network.
	pins, _ := Cached(t, "npm-pins", pkg+"-"+shortHash(tb.SHA256), func(dir string) error {
		subst, err := unservedPins(spec, root)
		if err != nil {
			return fmt.Errorf("nix/pkgs/%s: %w", pkg, err)
		}
		data, err := json.Marshal(subst)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "substitutions.json"), data, 0o644)
	})
	var subst []substitution
	if data, err := os.ReadFile(filepath.Join(pins, "substitutions.json")); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(data, &subst); err != nil {
		t.Fatalf("%s/substitutions.json: %v", pins, err)
	}
	if dep != "" {
		subst = pinDependency(t, root, subst, dep, version)
	}
	specJSON, err := json.Marshal(specInRepo(t, spec))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n%s %s\n%s\n%v\n", nodeBuildRecipe, tb.SHA256, tools.nodeVersion, tools.pm, tools.pmVersion, specJSON, subst)
	key := pkg + "-" + shortHash(hex.EncodeToString(h.Sum(nil)))

	dir, hit := Cached(t, "node", key, func(dir string) error {
		return buildNode(t, spec, tools, root, dir, subst)
	})
	b := &NodeBuild{AppDir: filepath.Join(dir, "app"), Node: tools.nodeVersion, Cached: hit, Bins: map[string]string{}}
	var info nodeBuildInfo
	data, err := os.ReadFile(filepath.Join(dir, "build.json"))
	if err == nil {
		err = json.Unmarshal(data, &info)
	}
	if err != nil {
		t.Fatalf("build cache entry %s: reading build.json: %v (remove the entry to rebuild)", dir, err)
	}
	b.Duration = time.Duration(info.Seconds * float64(time.Second))
	b.Version, b.Note, b.Native = info.Version, info.Note, info.Native
	for name := range spec.EntryPoints {
		b.Bins[name] = filepath.Join(dir, "bin", name)
	}
	main := spec.Pname
	if _, ok := b.Bins[main]; !ok && len(b.Bins) == 1 {
		for name := range b.Bins {
			main = name
		}
	}
	b.Exe = b.Bins[main]
	if _, err := os.Stat(b.Exe); err != nil {
		t.Fatalf("build cache entry %s has no %s: %v (remove the entry to rebuild)", dir, b.Exe, err)
	}
	return b
}

// findNodeTools finds node, its headers (when native modules are built),
// and the package manager at the major version the package uses; it skips
// the test, with one line, naming what is missing.
func findNodeTools(t testing.TB, spec *PackageSpec) nodeTools {
	t.Helper()
	var tl nodeTools
	var err error
	if tl.node, err = exec.LookPath("node"); err != nil {
		t.Skip("skipped: node not found on PATH (Debian: apt-get install nodejs)")
	}
	tl.nodeVersion = toolVersion(t, tl.node, "--version")

	switch spec.PackageManager {
	case "pnpm":
		// pnpm's store layout, and so the package's depsHash, belongs to
		// one major version; the package names it (pnpm_9).
		want := "9"
		if m := regexp.MustCompile(`pnpm_(\d+)$`).FindStringSubmatch(spec.Pnpm); m != nil {
			want = m[1]
		}
		tl.pm = "pnpm"
		tl.pmVersion = requireTool(t, "pnpm", want, "npm install -g pnpm@"+want)
	case "yarn":
		// The lockfile's format says which yarn reads it.
		tl.pm = "yarn"
		tl.pmVersion = requireTool(t, "yarn", "1", "npm install -g yarn@1")
	default:
		t.Fatalf("nix/pkgs/%s: packageManager %q is not supported by the live tests (pnpm, yarn)", spec.Pname, spec.PackageManager)
	}

	if len(spec.NativeModules) > 0 {
		for _, p := range []string{"make", "g++", "python3"} {
			if _, err := exec.LookPath(p); err != nil {
				t.Skipf("skipped: %s not found, needed to compile %s (Debian: apt-get install build-essential python3)", p, strings.Join(spec.NativeModules, ", "))
			}
		}
		// node-gyp reads <nodedir>/include/node/common.gypi and the
		// headers beside it; Debian's nodejs (or libnode-dev) installs them
		// under the prefix node runs from.
		real, err := filepath.EvalSymlinks(tl.node)
		if err != nil {
			t.Fatal(err)
		}
		for _, prefix := range []string{filepath.Dir(filepath.Dir(real)), "/usr"} {
			if _, err := os.Stat(filepath.Join(prefix, "include", "node", "common.gypi")); err == nil {
				tl.headers = prefix
				break
			}
		}
		if tl.headers == "" {
			t.Skipf("skipped: Node.js headers not found (include/node/common.gypi under %s or /usr; Debian: apt-get install libnode-dev), needed to compile %s",
				filepath.Dir(filepath.Dir(real)), strings.Join(spec.NativeModules, ", "))
		}
	}
	return tl
}

// requireTool returns the version of program, skipping the test when it is
// missing or not of the major version want.
func requireTool(t testing.TB, program, want, install string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		t.Skipf("skipped: %s %s not found on PATH (%s)", program, want, install)
	}
	v := toolVersion(t, path, "--version")
	if major, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), "."); major != want {
		t.Skipf("skipped: %s on PATH is %s, the package needs major version %s (%s)", program, v, want, install)
	}
	return v
}

func toolVersion(t testing.TB, path string, args ...string) string {
	t.Helper()
	out, err := exec.Command(path, args...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", path, strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// substitution is an exact dependency pin the registry does not serve,
// with the version installed instead.
type substitution struct {
	Name, Pinned, Served string
}

func (s substitution) String() string { return s.Name + "@" + s.Pinned + "->" + s.Served }

var exactVersion = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)

// unservedPins asks the registry, for each dependency package.json pins to
// an exact version (pnpm projects: the dependency the service wraps),
// whether that version is served, and picks the nearest later one of the
// same minor line when it is not. Yarn projects are installed from their
// frozen lockfile as they are; a missing tarball fails the install.
func unservedPins(spec *PackageSpec, root string) ([]substitution, error) {
	if spec.PackageManager != "pnpm" {
		return nil, nil
	}
	manifest := filepath.Join(root, "package.json")
	data, err := os.ReadFile(manifest)
	if err != nil {
		return nil, fmt.Errorf("reading the manifest: %w", err)
	}
	var pj struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &pj); err != nil {
		return nil, fmt.Errorf("%s: %w", manifest, err)
	}
	names := make([]string, 0, len(pj.Dependencies))
	for name := range pj.Dependencies {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []substitution
	for _, name := range names {
		pinned := pj.Dependencies[name]
		if !exactVersion.MatchString(pinned) {
			continue
		}
		versions, err := registryVersions(name)
		if err != nil {
			return nil, err
		}
		served, err := nearestServed(pinned, versions)
		if err != nil {
			return nil, fmt.Errorf("%s pins %s %s: %w", manifest, name, pinned, err)
		}
		if served != pinned {
			out = append(out, substitution{Name: name, Pinned: pinned, Served: served})
		}
	}
	return out, nil
}

// pinDependency replaces the substitution of dep with one to version (the
// version package.json pins is read from it).
func pinDependency(t testing.TB, root string, subst []substitution, dep, version string) []substitution {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pj struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &pj); err != nil {
		t.Fatal(err)
	}
	pinned, ok := pj.Dependencies[dep]
	if !ok || !exactVersion.MatchString(pinned) {
		t.Fatalf("%s/package.json does not pin %s to an exact version (%q)", root, dep, pinned)
	}
	out := []substitution{}
	for _, s := range subst {
		if s.Name != dep {
			out = append(out, s)
		}
	}
	if version != pinned {
		out = append(out, substitution{Name: dep, Pinned: pinned, Served: version})
	}
	return out
}

// registryVersions lists the versions the npm registry serves of a package.
func registryVersions(name string) ([]string, error) {
	cmd := exec.Command("npm", "view", "--json", name, "versions")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("npm view %s versions: %w\n%s", name, err, stderr.String())
	}
	var versions []string
	if err := json.Unmarshal(stdout.Bytes(), &versions); err != nil {
		return nil, fmt.Errorf("npm view %s versions printed %q: %w", name, stdout.String(), err)
	}
	return versions, nil
}

// nearestServed is pinned when the registry serves it, else the lowest
// served release above it with the same major and minor version.
func nearestServed(pinned string, served []string) (string, error) {
	p := exactVersion.FindStringSubmatch(pinned)
	best, bestPatch := "", -1
	for _, v := range served {
		if v == pinned {
			return pinned, nil
		}
		m := exactVersion.FindStringSubmatch(v)
		if m == nil || m[1] != p[1] || m[2] != p[2] {
			continue
		}
		patch, _ := strconv.Atoi(m[3])
		pp, _ := strconv.Atoi(p[3])
		if patch > pp && (bestPatch < 0 || patch < bestPatch) {
			best, bestPatch = v, patch
		}
	}
	if best == "" {
		return "", fmt.Errorf("the npm registry serves neither it nor a later %s.%s.x release", p[1], p[2])
	}
	return best, nil
}

func buildNode(t testing.TB, spec *PackageSpec, tl nodeTools, root, dir string, subst []substitution) error {
	begin := time.Now()
	app := filepath.Join(dir, "app")
	if out, err := exec.Command("cp", "-a", root, app).CombinedOutput(); err != nil {
		return fmt.Errorf("copying the source: %w\n%s", err, out)
	}
	if out, err := exec.Command("chmod", "-R", "u+w", app).CombinedOutput(); err != nil {
		return fmt.Errorf("making the source writable: %w\n%s", err, out)
	}
	cache := CacheRoot(t)
	env := append(os.Environ(),
		// Package stores shared by every build, so a new lockfile downloads
		// only what changed.
		"npm_config_store_dir="+filepath.Join(cache, "pnpm-store"),
		"YARN_CACHE_FOLDER="+filepath.Join(cache, "yarn-cache"),
		"CI=true",
	)
	run := func(what string, env []string, name string, args ...string) ([]byte, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = app, env
		t.Logf("building %s: %s %s", spec.Pname, name, strings.Join(args, " "))
		out, err := cmd.CombinedOutput()
		if err != nil {
			return out, fmt.Errorf("%s of nix/pkgs/%s (%s %s): %w\n%s", what, spec.Pname, name, strings.Join(args, " "), err, tail(out, 40))
		}
		return out, nil
	}

	info := nodeBuildInfo{Version: spec.Version}
	switch tl.pm {
	case "pnpm":
		args := []string{"install", "--ignore-scripts", "--frozen-lockfile"}
		if len(subst) > 0 {
			if err := substitute(filepath.Join(app, "package.json"), subst); err != nil {
				return err
			}
			// The lockfile still guides every other dependency's version.
			args = []string{"install", "--ignore-scripts", "--no-frozen-lockfile"}
			var notes []string
			for _, s := range subst {
				notes = append(notes, fmt.Sprintf("%s %s is not served by the npm registry; installed %s, the nearest later release", s.Name, s.Pinned, s.Served))
			}
			info.Note = strings.Join(notes, "; ")
		}
		if _, err := run("pnpm install", env, "pnpm", args...); err != nil {
			return err
		}
		if len(subst) > 0 {
			// Say how far the installed tree is from the pinned lockfile.
			diff, err := pnpmLockDiff(filepath.Join(root, "pnpm-lock.yaml"), filepath.Join(app, "pnpm-lock.yaml"))
			if err != nil {
				return err
			}
			info.Note += "; " + diff
		}
		// The version run is the wrapped dependency's, as installed.
		for i, s := range subst {
			v, err := installedVersion(app, s.Name)
			if err != nil {
				return err
			}
			if v != s.Served {
				return fmt.Errorf("%s: installed %s, expected %s", s.Name, v, s.Served)
			}
			if i == 0 {
				info.Version = fmt.Sprintf("%s %s (package version %s)", s.Name, v, spec.Version)
			}
		}
	case "yarn":
		if _, err := run("yarn install", env, "yarn", "install", "--frozen-lockfile", "--ignore-engines", "--ignore-scripts", "--non-interactive"); err != nil {
			return err
		}
	}

	if len(spec.NativeModules) > 0 {
		devdir := filepath.Join(dir, "node-gyp-devdir")
		if err := os.MkdirAll(devdir, 0o755); err != nil {
			return err
		}
		native := append(append([]string{}, env...),
			"npm_config_build_from_source=true",
			"npm_config_nodedir="+tl.headers,
			// Where node-gyp would download headers to; it must stay empty.
			"npm_config_devdir="+devdir,
			"http_proxy="+deadProxy, "https_proxy="+deadProxy, "HTTP_PROXY="+deadProxy, "HTTPS_PROXY="+deadProxy,
			"npm_config_proxy="+deadProxy, "npm_config_https_proxy="+deadProxy,
			"JOBS=max",
		)
		var out []byte
		var err error
		if tl.pm == "pnpm" {
			out, err = run("rebuilding native modules", native, "pnpm", append([]string{"rebuild"}, spec.NativeModules...)...)
		} else {
			out, err = run("rebuilding native modules", native, "npm", append([]string{"rebuild", "--offline"}, spec.NativeModules...)...)
		}
		if err != nil {
			return err
		}
		if !bytes.Contains(out, []byte("node_root_dir="+tl.headers)) {
			return fmt.Errorf("rebuilding %s: node-gyp did not use the local headers in %s:\n%s", strings.Join(spec.NativeModules, ", "), tl.headers, tail(out, 40))
		}
		if entries, _ := os.ReadDir(devdir); len(entries) > 0 {
			return fmt.Errorf("rebuilding %s: node-gyp downloaded into %s", strings.Join(spec.NativeModules, ", "), devdir)
		}
		for _, m := range spec.NativeModules {
			addons, err := compiledAddons(app, m)
			if err != nil {
				return err
			}
			// Load each addon into this node: built for it, not just built.
			for _, a := range addons {
				if _, err := run("loading "+m, env, tl.node, "-e", "process.dlopen({exports: {}}, "+strconv.Quote(a)+")"); err != nil {
					return err
				}
			}
		}
		os.RemoveAll(devdir)
		info.Native = fmt.Sprintf("%s compiled from source against %s/include/node (node %s); node-gyp's download folder stayed empty and HTTP(S) went to a dead proxy",
			strings.Join(spec.NativeModules, ", "), tl.headers, tl.nodeVersion)
	}

	if spec.PostBuild != "" {
		if _, err := run("postBuild", env, "bash", "-euo", "pipefail", "-c", spec.PostBuild); err != nil {
			return err
		}
	}

	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(spec.EntryPoints))
	for name := range spec.EntryPoints {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		script := spec.EntryPoints[name]
		if _, err := os.Stat(filepath.Join(app, script)); err != nil {
			return fmt.Errorf("entry point %s of nix/pkgs/%s: %w", name, spec.Pname, err)
		}
		// As the package's makeWrapper: this node, source maps on,
		// NODE_ENV=production unless set. The cache entry is renamed
		// after the build, so the wrapper finds the app relative to itself.
		wrapper := fmt.Sprintf("#!/bin/sh\nhere=$(dirname \"$(readlink -f \"$0\")\")\nexport NODE_ENV=\"${NODE_ENV-production}\"\nexec %s --enable-source-maps \"$here/../app/%s\" \"$@\"\n", tl.node, script)
		if err := os.WriteFile(filepath.Join(bin, name), []byte(wrapper), 0o755); err != nil {
			return err
		}
	}

	info.Seconds = time.Since(begin).Seconds()
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "build.json"), data, 0o644)
}

// substitute rewrites exact dependency pins in a package.json.
func substitute(manifest string, subst []substitution) error {
	data, err := os.ReadFile(manifest)
	if err != nil {
		return err
	}
	for _, s := range subst {
		from := fmt.Sprintf("%q: %q", s.Name, s.Pinned)
		if !bytes.Contains(data, []byte(from)) {
			return fmt.Errorf("%s: %s not found", manifest, from)
		}
		data = bytes.ReplaceAll(data, []byte(from), []byte(fmt.Sprintf("%q: %q", s.Name, s.Served)))
	}
	return os.WriteFile(manifest, data, 0o644)
}

// installedVersion is the version of a dependency in app's node_modules.
func installedVersion(app, name string) (string, error) {
	manifest := filepath.Join(app, "node_modules", name, "package.json")
	data, err := os.ReadFile(manifest)
	if err != nil {
		return "", fmt.Errorf("reading the installed %s: %w", name, err)
	}
	var pj struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(data, &pj); err != nil {
		return "", fmt.Errorf("%s: %w", manifest, err)
	}
	return pj.Version, nil
}

// compiledAddons lists the addons node-gyp built for a native module
// (build/Release/<name>.node, else every .node there), wherever the package manager put the module: at
// the top of node_modules (yarn) or in pnpm's virtual store.
func compiledAddons(app, module string) ([]string, error) {
	dirs := []string{filepath.Join(app, "node_modules", module)}
	more, _ := filepath.Glob(filepath.Join(app, "node_modules", ".pnpm", strings.ReplaceAll(module, "/", "+")+"@*", "node_modules", module))
	dirs = append(dirs, more...)
	// The addon is named after the module (better-sqlite3:
	// better_sqlite3.node); other .node files there may be test fixtures
	// that are not Node addons at all.
	named := strings.ReplaceAll(filepath.Base(module), "-", "_") + ".node"
	var out []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "build", "Release", named)); err == nil {
			out = append(out, filepath.Join(d, "build", "Release", named))
			continue
		}
		found, _ := filepath.Glob(filepath.Join(d, "build", "Release", "*.node"))
		out = append(out, found...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("native module %s: no compiled addon (build/Release/*.node) found in %s", module, strings.Join(dirs, ", "))
	}
	return out, nil
}

// pnpmPackageKey is a package entry of a pnpm lockfile's packages section:
// "  /name@1.2.3:" (lockfile v6) or "  '@scope/name@1.2.3':" (v9), with an
// optional peer suffix "(...)".
var pnpmPackageKey = regexp.MustCompile(`^  '?/?((?:@[^/@\s]+/)?[^@\s(']+)@([^(':\s]+)[^:]*:\s*$`)

// pnpmLockPackages reads name -> versions from a lockfile's packages section.
func pnpmLockPackages(path string) (map[string][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the lockfile: %w", err)
	}
	text := string(data)
	_, section, ok := strings.Cut(text, "\npackages:\n")
	if !ok {
		return nil, fmt.Errorf("%s has no packages section", path)
	}
	section, _, _ = strings.Cut(section, "\nsnapshots:\n")
	out := map[string][]string{}
	for _, line := range strings.Split(section, "\n") {
		if m := pnpmPackageKey.FindStringSubmatch(line); m != nil && !slices.Contains(out[m[1]], m[2]) {
			out[m[1]] = append(out[m[1]], m[2])
		}
	}
	return out, nil
}

// pnpmLockDiff says which packages of the installed lockfile differ from the
// pinned one, as "name old -> new" items.
func pnpmLockDiff(pinned, installed string) (string, error) {
	a, err := pnpmLockPackages(pinned)
	if err != nil {
		return "", err
	}
	b, err := pnpmLockPackages(installed)
	if err != nil {
		return "", err
	}
	names := map[string]bool{}
	for n := range a {
		names[n] = true
	}
	for n := range b {
		names[n] = true
	}
	var diffs []string
	same, total := 0, 0
	for n := range names {
		for _, v := range b[n] {
			total++
			if slices.Contains(a[n], v) {
				same++
			}
		}
		if !slices.Equal(sorted(a[n]), sorted(b[n])) {
			diffs = append(diffs, fmt.Sprintf("%s %s -> %s", n, orNone(a[n]), orNone(b[n])))
		}
	}
	sort.Strings(diffs)
	return fmt.Sprintf("%d of %d installed packages are the pinned lockfile's; changed: %s", same, total, strings.Join(diffs, ", ")), nil
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

func orNone(versions []string) string {
	if len(versions) == 0 {
		return "(none)"
	}
	return strings.Join(sorted(versions), "+")
}
