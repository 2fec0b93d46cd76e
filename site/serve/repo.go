package serve

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// repoData is this repository's docs export as the build sees it.
type repoData struct {
	docs      []indexer.Document
	modules   []indexer.Module
	templates []indexer.Template
	source    string
}

// liveRepo evaluates the repository's docs export with Nix, off the
// rebuild path: a guide edit never waits for an evaluation, and a failed
// evaluation leaves the last good export in use.
type liveRepo struct {
	repo, revision string

	mu   sync.Mutex
	cur  *repoData
	last [32]byte // hash of the last export evaluated, to skip no-op rebuilds
}

const exportExpression = "nix/docs/default.nix"

func (r *liveRepo) current() *repoData {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur
}

func (r *liveRepo) set(d *repoData) {
	r.mu.Lock()
	r.cur = d
	r.mu.Unlock()
}

// evaluate runs the export and, on success, makes it current. changed is
// false when the export is the same as last time (a comment edited).
func (r *liveRepo) evaluate(ctx context.Context) (changed bool, err error) {
	data, err := indexer.Evaluate(ctx, r.repo, r.revision)
	if err != nil {
		return false, err
	}
	sum := sha256.Sum256(data)
	r.mu.Lock()
	same := r.cur != nil && r.last == sum
	r.mu.Unlock()
	if same {
		return false, nil
	}
	ex, err := indexer.ParseExport("live evaluation of "+exportExpression, data, indexer.PrimaryScope)
	if err != nil {
		return false, err
	}
	r.mu.Lock()
	r.cur = &repoData{docs: ex.Docs, modules: ex.Modules, templates: ex.Templates,
		source: "a live evaluation of " + exportExpression}
	r.last = sum
	r.mu.Unlock()
	return true, nil
}

// fallback loads the committed snapshot, used when the first evaluation
// fails so the preview still has the repository's options and packages.
func (r *liveRepo) fallback() (string, error) {
	path := filepath.Join(r.repo, indexer.SnapshotFile)
	if _, err := os.Stat(path); err != nil {
		r.set(&repoData{source: "no repository data (the evaluation failed and there is no snapshot)"})
		return "", nil
	}
	ex, err := indexer.LoadExport(path, indexer.PrimaryScope)
	if err != nil {
		return "", fmt.Errorf("loading the snapshot: %w", err)
	}
	r.set(&repoData{docs: ex.Docs, modules: ex.Modules, templates: ex.Templates,
		source: "the snapshot " + indexer.SnapshotFile + " (the live evaluation failed)"})
	return "using the snapshot " + indexer.SnapshotFile + " until the evaluation succeeds", nil
}
