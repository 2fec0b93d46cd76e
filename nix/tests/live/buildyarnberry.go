package live

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// YarnBerryBuild is a packageManager = "yarn-berry" package built for a
// live test, with how long each step took when it was built.
type YarnBerryBuild struct {
	*NodeBuild
	Tarballs int             // tarballs served to Yarn (this platform's)
	Steps    []yarnBerryStep // in the order they ran
}

type yarnBerryStep struct {
	Name    string  `json:"name"`
	Command string  `json:"command"`
	Seconds float64 `json:"seconds"`
}

// StepsString is "install 3m2s, next build 4m1s, ..." for the test output.
func (b *YarnBerryBuild) StepsString() string {
	var parts []string
	for _, s := range b.Steps {
		parts = append(parts, fmt.Sprintf("%s %s", s.Name, time.Duration(s.Seconds*float64(time.Second)).Round(time.Second)))
	}
	return strings.Join(parts, ", ")
}

// yarnDepsFile is what nix/pkgs/<pkg>/deps.nix (internal/yarnlock/yarndeps)
// holds.
type yarnDepsFile struct {
	Lockfiles map[string]string `json:"lockfiles"` // path -> sha256 hex
	Packages  []struct {
		Name       string              `json:"name"`
		Version    string              `json:"version"`
		URL        string              `json:"url"`
		Hash       string              `json:"hash"` // sha512-<base64>
		Conditions map[string][]string `json:"conditions"`
	} `json:"packages"`
}

// yarnBerryRecipe is part of the cache key; change it when
// BuildYarnBerry changes what it produces.
const yarnBerryRecipe = "yarn-berry-build 1"

// BuildYarnBerry builds nix/pkgs/<pkg>, a buildNodeApplication package with
// packageManager = "yarn-berry", the way nix/lib/yarn-berry.nix does, from
// the hash-checked pinned source: the package's patches applied, each
// lockfile's sha256 checked against its yarnDeps list, every tarball of the
// list that this platform fetches downloaded and checked against the
// list's sha512, served on 127.0.0.1 by the builder's own
// nix/lib/yarn-berry-registry.cjs to the package's Yarn release (itself
// checked against yarnBerry.hash) running `install --immutable
// --mode=skip-build`; then the assets command (`yarn run build`, under
// nice) and postBuild, as the builder's buildPhase runs them.
//
// What differs from the Nix build: this machine's Node.js (the package may
// name another major), and the prebuilt binaries are not patched with
// autoPatchelf (this is not NixOS).
func BuildYarnBerry(t testing.TB, pkg string) *YarnBerryBuild {
	t.Helper()
	spec := Package(t, pkg)
	if spec.Builder != "buildNodeApplication" || spec.PackageManager != "yarn-berry" {
		t.Fatalf("nix/pkgs/%s is not a buildNodeApplication package with packageManager = \"yarn-berry\"", pkg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipped: node not found on PATH (Debian: apt-get install nodejs)")
	}
	nodeVersion := toolVersion(t, node, "--version")
	for _, p := range []string{"patch", "tar"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("skipped: %s not found on PATH", p)
		}
	}
	src := Source(t, pkg)
	tb := PackageTarball(t, pkg)

	var deps yarnDepsFile
	if spec.YarnDeps == "" {
		t.Fatalf("nix/pkgs/%s has no yarnDeps", pkg)
	}
	nixEvalJSON(t, "yarn-deps.nix", &deps, "--arg", "file", spec.YarnDeps)
	depsSum, err := fileSHA256(spec.YarnDeps)
	if err != nil {
		t.Fatal(err)
	}
	registry := yarnCLIRegistry(t, deps)
	yarnDir := yarnCLI(t, registry, spec.YarnBerry.Version, spec.YarnBerry.Hash)
	mirror, tarballs := yarnTarballMirror(t, deps, depsSum)

	h := sha256.New()
	specJSON, err := json.Marshal(specInRepo(t, spec))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(h, "%s\n%s\n%s\n%s\n%s\n", yarnBerryRecipe, tb.SHA256, nodeVersion, depsSum, specJSON)
	for _, p := range spec.Patches {
		sum, err := fileSHA256(p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s\n", sum)
	}
	registryScript := filepath.Join(RepoRoot(t), "nix", "lib", "yarn-berry-registry.cjs")
	if sum, err := fileSHA256(registryScript); err != nil {
		t.Fatal(err)
	} else {
		fmt.Fprintf(h, "%s\n", sum)
	}
	key := pkg + "-" + shortHash(hex.EncodeToString(h.Sum(nil)))

	dir, hit := Cached(t, "node", key, func(dir string) error {
		return buildYarnBerry(t, spec, src, dir, deps, node, yarnDir, mirror, registryScript)
	})
	b := &YarnBerryBuild{NodeBuild: &NodeBuild{AppDir: filepath.Join(dir, "app"), Node: nodeVersion, Cached: hit, Bins: map[string]string{}}, Tarballs: tarballs}
	var info struct {
		nodeBuildInfo
		Steps []yarnBerryStep `json:"steps"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "build.json"))
	if err == nil {
		err = json.Unmarshal(data, &info)
	}
	if err != nil {
		t.Fatalf("build cache entry %s: reading build.json: %v (remove the entry to rebuild)", dir, err)
	}
	b.Duration = time.Duration(info.Seconds * float64(time.Second))
	b.Version, b.Note, b.Steps = info.Version, info.Note, info.Steps
	for name := range spec.EntryPoints {
		b.Bins[name] = filepath.Join(dir, "bin", name)
	}
	main := spec.MainProgram
	if main == "" {
		main = spec.Pname
	}
	b.Exe = b.Bins[main]
	if _, err := os.Stat(b.Exe); err != nil {
		t.Fatalf("build cache entry %s has no %s: %v (remove the entry to rebuild)", dir, b.Exe, err)
	}
	return b
}

// yarnCLIRegistry is the registry the dependency list's tarballs come from;
// the Yarn release is fetched from the same one, as the builder does.
func yarnCLIRegistry(t testing.TB, deps yarnDepsFile) string {
	t.Helper()
	if len(deps.Packages) == 0 {
		t.Fatal("the yarnDeps list is empty")
	}
	u := deps.Packages[0].URL
	scheme, rest, ok := strings.Cut(u, "://")
	host, _, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		t.Fatalf("yarnDeps: %s is not a registry tarball URL", u)
	}
	return scheme + "://" + host
}

// yarnCLI downloads @yarnpkg/cli-dist at version, checks it against the
// package's SRI hash and unpacks it; it returns the folder holding
// package/bin/yarn.js.
func yarnCLI(t testing.TB, registry, version, sri string) string {
	t.Helper()
	if version == "" || sri == "" {
		t.Fatal("the package's yarnBerry has no version or hash")
	}
	dir, _ := Cached(t, "yarn-cli", version+"-"+shortHash(hex.EncodeToString([]byte(sri))), func(dir string) error {
		url := fmt.Sprintf("%s/@yarnpkg/cli-dist/-/cli-dist-%s.tgz", registry, version)
		tgz := filepath.Join(dir, "cli-dist.tgz")
		if err := downloadChecked(url, sri, tgz); err != nil {
			return err
		}
		if out, err := exec.Command("tar", "-xzf", tgz, "-C", dir).CombinedOutput(); err != nil {
			return fmt.Errorf("unpacking %s: %w\n%s", tgz, err, out)
		}
		return nil
	})
	return dir
}

// fetchedHere says whether Yarn fetches a package on this machine
// (linux, this CPU, glibc): the conditions yarndeps recorded, as
// yarn-berry.nix reads them.
func fetchedHere(conditions map[string][]string) bool {
	cpu := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	here := map[string]string{"os": "linux", "cpu": cpu, "libc": "glibc"}
	for k, values := range conditions {
		v, known := here[k]
		if !known {
			return false
		}
		found := false
		for _, x := range values {
			found = found || x == v
		}
		if !found {
			return false
		}
	}
	return true
}

// yarnTarballMirror downloads every tarball of the list that this platform
// fetches, each checked against the list's sha512, into a folder laid out
// by their URL paths (what yarn-berry.nix's linkFarm holds). It returns the
// folder and how many tarballs it holds.
func yarnTarballMirror(t testing.TB, deps yarnDepsFile, depsSum string) (string, int) {
	t.Helper()
	type item struct{ url, hash, path string }
	var items []item
	for _, p := range deps.Packages {
		if !fetchedHere(p.Conditions) {
			continue
		}
		_, rest, _ := strings.Cut(p.URL, "://")
		_, path, _ := strings.Cut(rest, "/")
		items = append(items, item{p.URL, p.Hash, path})
	}
	dir, _ := Cached(t, "yarn-tarballs", shortHash(depsSum), func(dir string) error {
		var (
			mu   sync.Mutex
			errs []string
			wg   sync.WaitGroup
		)
		work := make(chan item)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for it := range work {
					dest := filepath.Join(dir, filepath.FromSlash(it.path))
					err := os.MkdirAll(filepath.Dir(dest), 0o755)
					if err == nil {
						err = downloadChecked(it.url, it.hash, dest)
					}
					if err != nil {
						mu.Lock()
						errs = append(errs, err.Error())
						mu.Unlock()
					}
				}
			}()
		}
		for _, it := range items {
			work <- it
		}
		close(work)
		wg.Wait()
		if len(errs) > 0 {
			sort.Strings(errs)
			return fmt.Errorf("%d of %d tarballs could not be fetched and checked:\n  %s", len(errs), len(items), strings.Join(errs, "\n  "))
		}
		return nil
	})
	return dir, len(items)
}

var downloadClient = &http.Client{Timeout: 5 * time.Minute}

// downloadChecked fetches url into dest when its content has the SRI
// hash sri (sha512 or sha256), and fails otherwise.
func downloadChecked(url, sri, dest string) error {
	algo, want, ok := strings.Cut(sri, "-")
	var h interface {
		io.Writer
		Sum([]byte) []byte
	}
	switch {
	case ok && algo == "sha512":
		h = sha512.New()
	case ok && algo == "sha256":
		h = sha256.New()
	default:
		return fmt.Errorf("%s: %q is not a sha512 or sha256 SRI hash", url, sri)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := downloadClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching %s: HTTP %s", url, resp.Status)
	}
	f, err := os.Create(dest + ".part")
	if err != nil {
		return err
	}
	_, err = io.Copy(io.MultiWriter(f, h), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dest + ".part")
		return fmt.Errorf("fetching %s: %w", url, err)
	}
	if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != want {
		os.Remove(dest + ".part")
		return fmt.Errorf("%s: content hash %s-%s, but the list pins %s", url, algo, got, sri)
	}
	return os.Rename(dest+".part", dest)
}

func buildYarnBerry(t testing.TB, spec *PackageSpec, src, dir string, deps yarnDepsFile, node, yarnDir, mirror, registryScript string) error {
	begin := time.Now()
	app := filepath.Join(dir, "app")
	if out, err := exec.Command("cp", "-a", src, app).CombinedOutput(); err != nil {
		return fmt.Errorf("copying the source: %w\n%s", err, out)
	}
	if out, err := exec.Command("chmod", "-R", "u+w", app).CombinedOutput(); err != nil {
		return fmt.Errorf("making the source writable: %w\n%s", err, out)
	}
	for _, p := range spec.Patches {
		cmd := exec.Command("patch", "-p1", "--batch", "-i", p)
		cmd.Dir = app
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("applying %s: %w\n%s", p, err, out)
		}
	}
	// The lockfiles must be the ones the list was generated from.
	for path, want := range deps.Lockfiles {
		got, err := fileSHA256(filepath.Join(app, path))
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s has sha256 %s, but %s was generated from %s; regenerate it with internal/yarnlock/yarndeps", path, got, spec.YarnDeps, want)
		}
	}

	// The loopback registry, as yarn-berry.nix runs it.
	portFile := filepath.Join(dir, "registry.port")
	registry := exec.Command(node, registryScript, mirror, portFile)
	var registryLog logBuffer
	registry.Stdout, registry.Stderr = &registryLog, &registryLog
	if err := registry.Start(); err != nil {
		return fmt.Errorf("starting the loopback registry: %w", err)
	}
	defer func() {
		registry.Process.Kill()
		registry.Wait()
		os.Remove(portFile)
	}()
	var port string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b, err := os.ReadFile(portFile); err == nil && len(b) > 0 {
			port = string(b)
			break
		}
	}
	if port == "" {
		return fmt.Errorf("the loopback registry did not start:\n%s", registryLog.Bytes())
	}

	home := filepath.Join(dir, "home")
	bin := filepath.Join(dir, "yarn-bin")
	for _, d := range []string{home, bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	yarnrc := fmt.Sprintf("npmRegistryServer: \"http://127.0.0.1:%s\"\nunsafeHttpWhitelist: [\"127.0.0.1\"]\nenableGlobalCache: false\nenableTelemetry: false\ncacheFolder: %q\n", port, filepath.Join(dir, "yarn-cache"))
	if err := os.WriteFile(filepath.Join(home, ".yarnrc.yml"), []byte(yarnrc), 0o644); err != nil {
		return err
	}
	yarn := fmt.Sprintf("#!/bin/sh\nexec %s %s \"$@\"\n", node, filepath.Join(yarnDir, "package", "bin", "yarn.js"))
	if err := os.WriteFile(filepath.Join(bin, "yarn"), []byte(yarn), 0o755); err != nil {
		return err
	}
	env := append(os.Environ(), "HOME="+home, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "CI=true")
	for k, v := range spec.Env {
		env = append(env, k+"="+v)
	}

	var steps []yarnBerryStep
	run := func(name string, args ...string) error {
		begin := time.Now()
		program := args[0]
		if program == "yarn" {
			// exec looks programs up in the test's PATH, not cmd.Env's.
			program = filepath.Join(bin, "yarn")
		}
		cmd := exec.Command(program, args[1:]...)
		cmd.Dir, cmd.Env = app, env
		t.Logf("building %s: %s", spec.Pname, strings.Join(args, " "))
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s of nix/pkgs/%s (%s): %w\n%s\nloopback registry:\n%s", name, spec.Pname, strings.Join(args, " "), err, tail(out, 40), tail(registryLog.Bytes(), 20))
		}
		steps = append(steps, yarnBerryStep{Name: name, Command: strings.Join(args, " "), Seconds: time.Since(begin).Seconds()})
		return nil
	}

	// configurePhase, then buildPhase: assets, postBuild.
	if err := run("install", "yarn", "install", "--immutable", "--mode=skip-build"); err != nil {
		return err
	}
	if spec.Assets.Builder != "" {
		command := spec.Assets.Command
		if command == "" && (spec.Assets.Builder == "next" || spec.Assets.Builder == "vite") {
			command = "yarn run build"
		}
		if command != "" {
			// The web build is the heaviest step: it shares the machine.
			if err := run(spec.Assets.Builder+" build", "nice", "-n", "10", "bash", "-euo", "pipefail", "-c", command); err != nil {
				return err
			}
		}
	}
	if spec.PostBuild != "" {
		if err := run("postBuild", "bash", "-euo", "pipefail", "-c", spec.PostBuild); err != nil {
			return err
		}
	}
	if notFound := strings.Count(string(registryLog.Bytes()), " 404 "); notFound > 0 {
		return fmt.Errorf("Yarn asked the loopback registry for %d things the list does not hold:\n%s", notFound, tail(registryLog.Bytes(), 20))
	}
	for _, d := range []string{home, bin, filepath.Join(dir, "yarn-cache")} {
		os.RemoveAll(d)
	}

	wrappers := filepath.Join(dir, "bin")
	if err := os.MkdirAll(wrappers, 0o755); err != nil {
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
		// As the builder's makeWrapper (with --chdir when runInAppDir).
		cd := ""
		if spec.RunInAppDir {
			cd = "cd \"$here/../app\"\n"
		}
		wrapper := fmt.Sprintf("#!/bin/sh\nhere=$(dirname \"$(readlink -f \"$0\")\")\n%sexport NODE_ENV=\"${NODE_ENV-production}\"\nexec %s --enable-source-maps \"$here/../app/%s\" \"$@\"\n", cd, node, script)
		if err := os.WriteFile(filepath.Join(wrappers, name), []byte(wrapper), 0o755); err != nil {
			return err
		}
	}

	var info struct {
		nodeBuildInfo
		Steps []yarnBerryStep `json:"steps"`
	}
	info.Version = spec.Version
	info.Steps = steps
	info.Seconds = time.Since(begin).Seconds()
	if len(spec.Patches) > 0 {
		var names []string
		for _, p := range spec.Patches {
			names = append(names, filepath.Base(p))
		}
		info.Note = "built with the package's patches: " + strings.Join(names, ", ")
	}
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "build.json"), data, 0o644)
}
