package indexer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Paths of the snapshot, relative to the repository root. The snapshot is
// written only by `nurdocs eval` (WriteSnapshot), never by hand.
const (
	SnapshotDir        = "site/data"
	SnapshotFile       = "site/data/atproto.json"
	ProvenanceFile     = "site/data/provenance.json"
	exportExpression   = "nix/docs/default.nix"
	provenanceSchemaV1 = 1
)

// ErrNoNix says live evaluation is impossible here; the build falls back
// to the snapshot.
var ErrNoNix = errors.New("live evaluation unavailable")

// NixAvailable reports whether this repository can be evaluated live:
// nix-instantiate is on PATH, <nixpkgs/lib> resolves on NIX_PATH and the
// export expression exists. The error says what is missing.
func NixAvailable(ctx context.Context, repo string) error {
	bin, err := exec.LookPath("nix-instantiate")
	if err != nil {
		return fmt.Errorf("%w: nix-instantiate not found on PATH", ErrNoNix)
	}
	if _, err := os.Stat(filepath.Join(repo, exportExpression)); err != nil {
		return fmt.Errorf("%w: %s does not exist", ErrNoNix, exportExpression)
	}
	cmd := exec.CommandContext(ctx, bin, "--find-file", "nixpkgs/lib")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w: <nixpkgs/lib> does not resolve on NIX_PATH=%q (%s)", ErrNoNix,
			os.Getenv("NIX_PATH"), firstLine(string(out)))
	}
	return nil
}

// Evaluate runs the docs export of the repository at repo through
// nix-instantiate and returns its JSON.
func Evaluate(ctx context.Context, repo, revision string) ([]byte, error) {
	// The export is a function; passing revision (empty means unknown)
	// makes nix-instantiate call it.
	args := []string{"--eval", "--strict", "--json", exportExpression, "--argstr", "revision", revision}
	cmd := exec.CommandContext(ctx, "nix-instantiate", args...)
	cmd.Dir = repo
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("evaluating %s: %s", exportExpression, msg)
	}
	if !json.Valid(stdout.Bytes()) {
		return nil, fmt.Errorf("evaluating %s: nix-instantiate printed invalid JSON", exportExpression)
	}
	return stdout.Bytes(), nil
}

// Provenance records what a snapshot was evaluated from, so a later run
// can tell the snapshot no longer matches the sources.
type Provenance struct {
	Schema      int               `json:"schema"`
	GeneratedAt string            `json:"generatedAt"`
	Revision    string            `json:"revision,omitempty"`
	Inputs      map[string]string `json:"inputs"` // repository-relative path → sha256 hex
	Export      string            `json:"export"` // sha256 of the export JSON
}

// InputHashes hashes the files an evaluation reads: every file under nix/
// except nix/tests, plus the top-level flake.nix, flake.lock and default.nix.
func InputHashes(repo string) (map[string]string, error) {
	out := map[string]string{}
	add := func(rel string) error {
		b, err := os.ReadFile(filepath.Join(repo, rel))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	}
	for _, f := range []string{"flake.nix", "flake.lock", "default.nix"} {
		if err := add(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	err := filepath.WalkDir(filepath.Join(repo, "nix"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			// Tests read the export; they are not evaluated by it.
			if filepath.ToSlash(p) == filepath.ToSlash(filepath.Join(repo, "nix", "tests")) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(repo, p)
		if err != nil {
			return err
		}
		return add(rel)
	})
	return out, err
}

// WriteSnapshot stores an evaluated export and its provenance under
// repo/site/data, each file replaced atomically.
func WriteSnapshot(repo string, export []byte, revision string, now time.Time) error {
	inputs, err := InputHashes(repo)
	if err != nil {
		return fmt.Errorf("hashing evaluation inputs: %w", err)
	}
	// Re-indent so the committed snapshot diffs line by line.
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, export, "", " "); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	pretty.WriteByte('\n')
	sum := sha256.Sum256(pretty.Bytes())
	prov := Provenance{Schema: provenanceSchemaV1, GeneratedAt: now.UTC().Format(time.RFC3339),
		Revision: revision, Inputs: inputs, Export: hex.EncodeToString(sum[:])}
	provJSON, err := json.MarshalIndent(prov, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(repo, SnapshotDir), 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(repo, SnapshotFile), pretty.Bytes()); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(repo, ProvenanceFile), append(provJSON, '\n'))
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadProvenance loads the snapshot's provenance file.
func ReadProvenance(repo string) (*Provenance, error) {
	b, err := os.ReadFile(filepath.Join(repo, ProvenanceFile))
	if err != nil {
		return nil, err
	}
	var p Provenance
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", ProvenanceFile, err)
	}
	return &p, nil
}

// StaleInputs compares the snapshot's recorded input hashes with the files
// now in repo and lists what changed ("nix/modules/pds.nix changed",
// "nix/pkgs/relay/package.nix added"). Empty means the snapshot is current.
func StaleInputs(repo string) ([]string, error) {
	prov, err := ReadProvenance(repo)
	if err != nil {
		return nil, err
	}
	now, err := InputHashes(repo)
	if err != nil {
		return nil, err
	}
	var diffs []string
	for p, h := range now {
		old, ok := prov.Inputs[p]
		switch {
		case !ok:
			diffs = append(diffs, p+" added")
		case old != h:
			diffs = append(diffs, p+" changed")
		}
	}
	for p := range prov.Inputs {
		if _, ok := now[p]; !ok {
			diffs = append(diffs, p+" removed")
		}
	}
	sort.Strings(diffs)
	return diffs, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// SnapshotMatchesLive evaluates the export live and reports whether the
// committed snapshot holds the same data (the revision is ignored).
func SnapshotMatchesLive(ctx context.Context, repo string) (bool, error) {
	prov, err := ReadProvenance(repo)
	if err != nil {
		return false, err
	}
	live, err := Evaluate(ctx, repo, prov.Revision)
	if err != nil {
		return false, err
	}
	snap, err := os.ReadFile(filepath.Join(repo, SnapshotFile))
	if err != nil {
		return false, err
	}
	var a, b any
	if err := json.Unmarshal(live, &a); err != nil {
		return false, err
	}
	if err := json.Unmarshal(snap, &b); err != nil {
		return false, fmt.Errorf("%s: %w", SnapshotFile, err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb), nil
}
