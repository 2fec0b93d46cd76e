package live

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// SharedDir is the read-only folder of shared test material: ../shared
// beside the checkout, else $ATPROTO_NUR_SHARED. "" when neither exists.
func SharedDir(t testing.TB) string {
	t.Helper()
	candidates := []string{filepath.Join(filepath.Dir(RepoRoot(t)), "shared")}
	if d := os.Getenv("ATPROTO_NUR_SHARED"); d != "" {
		candidates = append(candidates, d)
	}
	for _, d := range candidates {
		if st, err := os.Stat(filepath.Join(d, "upstream", "README.md")); err == nil && !st.IsDir() {
			return d
		}
	}
	return ""
}

// Tarball is one pinned upstream source in ../shared/upstream.
type Tarball struct {
	Path   string // the .tar.gz
	Name   string // file name without .tar.gz; also the top folder inside
	Repo   string // owner/name on GitHub
	Commit string
	SHA256 string // hex sha256 of the tarball file, for cache keys
}

var tableRow = regexp.MustCompile(`^\|\s*([^|\s]+\.tar\.gz)\s*\|\s*([^|\s]+)\s*\|\s*([0-9a-f]{40})\s*\|`)

// upstreamTarballs reads the table of ../shared/upstream/README.md.
func upstreamTarballs(dir string) ([]Tarball, error) {
	readme := filepath.Join(dir, "README.md")
	f, err := os.Open(readme)
	if err != nil {
		return nil, fmt.Errorf("reading the upstream tarball list: %w", err)
	}
	defer f.Close()
	var out []Tarball
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := tableRow.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		out = append(out, Tarball{
			Path:   filepath.Join(dir, m[1]),
			Name:   strings.TrimSuffix(m[1], ".tar.gz"),
			Repo:   m[2],
			Commit: m[3],
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", readme, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s lists no tarballs (expected rows `| file.tar.gz | owner/repo | commit |`)", readme)
	}
	return out, nil
}

// PackageTarball finds the tarball of nix/pkgs/<pkg>'s source: the one of
// the same repository (and commit, when the package pins a commit). It
// skips the test when the shared folder is absent.
func PackageTarball(t testing.TB, pkg string) Tarball {
	t.Helper()
	spec := Package(t, pkg)
	shared := SharedDir(t)
	if shared == "" {
		t.Skip("skipped: pinned upstream sources not found (../shared/upstream/README.md beside the checkout, or $ATPROTO_NUR_SHARED)")
	}
	list, err := upstreamTarballs(filepath.Join(shared, "upstream"))
	if err != nil {
		t.Fatal(err)
	}
	repo := spec.Src.Owner + "/" + spec.Src.Repo
	for _, tb := range list {
		if !strings.EqualFold(tb.Repo, repo) {
			continue
		}
		if isCommit(spec.Src.Rev) && spec.Src.Rev != tb.Commit {
			t.Fatalf("nix/pkgs/%s pins %s at %s, but %s is commit %s: the tarball is stale or the pin moved; replace the tarball", pkg, repo, spec.Src.Rev, tb.Path, tb.Commit)
		}
		sum, err := fileSHA256(tb.Path)
		if err != nil {
			t.Fatal(err)
		}
		tb.SHA256 = sum
		return tb
	}
	t.Skipf("skipped: no tarball of %s in %s/upstream (nix/pkgs/%s's source)", repo, shared, pkg)
	return Tarball{}
}

func isCommit(rev string) bool {
	if len(rev) != 40 {
		return false
	}
	_, err := hex.DecodeString(rev)
	return err == nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// SRIFromHex turns nix-hash's hex output into the SRI form packages use.
func SRIFromHex(algo, hexHash string) (string, error) {
	b, err := hex.DecodeString(strings.TrimSpace(hexHash))
	if err != nil {
		return "", fmt.Errorf("nix-hash printed %q, not a hex hash: %w", hexHash, err)
	}
	return algo + "-" + base64.StdEncoding.EncodeToString(b), nil
}

// NixHash is `nix-hash --type sha256 dir` in SRI form: the hash
// fetchFromGitHub records for an unpacked tree.
func NixHash(dir string) (string, error) {
	out, err := exec.Command("nix-hash", "--type", "sha256", dir).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("nix-hash --type sha256 %s: %w\n%s", dir, err, ee.Stderr)
		}
		return "", fmt.Errorf("nix-hash --type sha256 %s: %w", dir, err)
	}
	return SRIFromHex("sha256", string(out))
}

var (
	checkedMu sync.Mutex
	checked   = map[string]bool{} // trees whose hash this process has checked
)

// Source returns the unpacked, hash-checked source tree of nix/pkgs/<pkg>:
// the matching ../shared/upstream tarball unpacked into the build cache,
// whose `nix-hash --type sha256` must equal the package's src hash. A
// mismatch fails the test: the tarball is not what the package builds. The
// tree is shared; callers that patch it must copy it first.
func Source(t testing.TB, pkg string) string {
	t.Helper()
	spec := Package(t, pkg)
	tb := PackageTarball(t, pkg)
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("skipped: tar not found")
	}
	return unpackChecked(t, tb, spec.Src.Hash, func(got string) string {
		return fmt.Sprintf("source of nix/pkgs/%s: %s unpacks to a tree with nix-hash %s, but the package's src hash is %s; the tarball is not the pinned revision (or the pin changed): replace the tarball or fix the pin", pkg, tb.Path, got, spec.Src.Hash)
	})
}

// unpackChecked unpacks tb into the build cache (once) and returns its top
// folder, whose `nix-hash --type sha256` must be want; on a mismatch the
// test fails with mismatch(the hash found).
func unpackChecked(t testing.TB, tb Tarball, want string, mismatch func(got string) string) string {
	t.Helper()
	dir, _ := Cached(t, "src", tb.Name+"-"+shortHash(tb.SHA256), func(dir string) error {
		out, err := exec.Command("tar", "-xzf", tb.Path, "-C", dir).CombinedOutput()
		if err != nil {
			return fmt.Errorf("unpacking %s: %w\n%s", tb.Path, err, out)
		}
		return nil
	})
	tree := filepath.Join(dir, tb.Name)
	if st, err := os.Stat(tree); err != nil || !st.IsDir() {
		t.Fatalf("%s does not unpack to a folder %s/ (its top folder must be the tarball's name)", tb.Path, tb.Name)
	}
	checkedMu.Lock()
	defer checkedMu.Unlock()
	if !checked[tree] {
		got, err := NixHash(tree)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatal(mismatch(got))
		}
		checked[tree] = true
	}
	return tree
}
