package indexer

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Revision is this repository's export as it was at one git revision.
type Revision struct {
	Rev    string // as asked: a tag, a branch, a commit
	Commit string // the full commit hash it resolved to
	Export *Export
	// Source says where the data came from: a live evaluation of that
	// revision's nix/docs, or the snapshot that revision committed.
	Source string
	Notes  []string // why a snapshot was used instead of an evaluation
}

// Short is the revision as people name it: the tag or branch given, or
// the commit's first 12 hex digits.
func (r *Revision) Short() string {
	if r.Rev != "" && !strings.HasPrefix(r.Commit, r.Rev) {
		return r.Rev
	}
	return r.Commit[:min(12, len(r.Commit))]
}

// ResolveRevision turns anything git resolves (tag, branch, HEAD~3, a
// short hash) into the full commit hash.
func ResolveRevision(ctx context.Context, repo, rev string) (string, error) {
	out, err := git(ctx, repo, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("revision %q: git does not resolve it to a commit in %s", rev, repo)
	}
	return strings.TrimSpace(string(out)), nil
}

// ReleaseTags lists the release tags (v<digit>…) in version order, oldest
// first.
func ReleaseTags(ctx context.Context, repo string) ([]string, error) {
	out, err := git(ctx, repo, "tag", "--list", "v[0-9]*", "--sort=v:refname")
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// LastRelease is the newest release tag reachable from HEAD, "" when the
// repository has none.
func LastRelease(ctx context.Context, repo string) (string, error) {
	out, err := git(ctx, repo, "describe", "--tags", "--abbrev=0", "--match", "v[0-9]*", "HEAD")
	if err != nil {
		// git describe fails when no tag matches.
		return "", nil
	}
	return strings.TrimSpace(string(out)), nil
}

// LoadRevision reads the export of the repository at repo as it was at
// rev. Where Nix and nixpkgs' lib are available, that revision's tree is
// written to a temporary folder (git archive: nothing is registered in the
// repository, nothing is left behind if the process is killed mid-way) and
// its own nix/docs evaluated there; otherwise, or when that evaluation
// fails, the snapshot site/data/atproto.json committed at that revision is
// read, and Notes say why.
func LoadRevision(ctx context.Context, repo, rev string) (*Revision, error) {
	commit, err := ResolveRevision(ctx, repo, rev)
	if err != nil {
		return nil, err
	}
	r := &Revision{Rev: rev, Commit: commit}
	if err := NixAvailable(ctx, repo); err != nil {
		r.Notes = append(r.Notes, err.Error()+"; using the snapshot of "+r.Short())
	} else {
		ex, err := evaluateRevision(ctx, repo, commit)
		if err == nil {
			r.Export = ex
			r.Source = "a live evaluation of " + exportExpression + " at " + r.Short()
			return r, nil
		}
		r.Notes = append(r.Notes, fmt.Sprintf("evaluating %s at %s failed (%v); using its snapshot", exportExpression, r.Short(), firstLine(err.Error())))
	}
	data, err := git(ctx, repo, "show", commit+":"+SnapshotFile)
	if err != nil {
		return nil, fmt.Errorf("revision %s has no snapshot %s and could not be evaluated: %s",
			r.Short(), SnapshotFile, strings.Join(r.Notes, "; "))
	}
	ex, err := ParseExport(SnapshotFile+" at "+r.Short(), data, PrimaryScope)
	if err != nil {
		return nil, err
	}
	r.Export = ex
	r.Source = "the snapshot " + SnapshotFile + " at " + r.Short()
	return r, nil
}

// evaluateRevision writes the tree of commit into a temporary folder and
// evaluates its nix/docs.
func evaluateRevision(ctx context.Context, repo, commit string) (*Export, error) {
	dir, err := os.MkdirTemp("", "nurdocs-rev-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, "git", "archive", "--format=tar", commit)
	cmd.Dir = repo
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git archive: %w", err)
	}
	extractErr := extractTar(pipe, dir)
	io.Copy(io.Discard, pipe)
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git archive %s: %v: %s", commit, err, strings.TrimSpace(stderr.String()))
	}
	if extractErr != nil {
		return nil, fmt.Errorf("extracting %s: %w", commit, extractErr)
	}
	if _, err := os.Stat(filepath.Join(dir, exportExpression)); err != nil {
		return nil, fmt.Errorf("%s does not exist at that revision", exportExpression)
	}
	data, err := Evaluate(ctx, dir, commit)
	if err != nil {
		return nil, err
	}
	return ParseExport("evaluation of "+exportExpression+" at "+commit[:12], data, PrimaryScope)
}

// extractTar writes the regular files, folders and symbolic links of a tar
// stream under dir, refusing names that leave it.
func extractTar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if !filepath.IsLocal(h.Name) {
			return fmt.Errorf("archive entry %q leaves the folder", h.Name)
		}
		p := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o755|0o600)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			// A link out of the folder could lead a later entry outside it.
			if filepath.IsAbs(h.Linkname) || !filepath.IsLocal(filepath.Join(filepath.Dir(h.Name), h.Linkname)) {
				return fmt.Errorf("archive link %q points out of the folder", h.Name)
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
		}
	}
}

func git(ctx context.Context, repo string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = repo
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
