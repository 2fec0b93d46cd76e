package indexer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Where the repository's own documents come from.
const (
	SourceAuto     = "auto"     // live evaluation when possible, else the snapshot, else nothing
	SourceLive     = "live"     // live evaluation or fail
	SourceSnapshot = "snapshot" // the committed snapshot or fail
	SourceNone     = "none"     // only the files given and the guides
)

// FileInput is one --options or --packages file and the scope it documents.
type FileInput struct {
	Path  string
	Scope string
}

// ParseFileInput reads "FILE" or "FILE=scope". Without a scope the file
// name gives one: "nixos-options.json.gz" → "nixos".
func ParseFileInput(arg string) (FileInput, error) {
	path, scope, _ := strings.Cut(arg, "=")
	if path == "" {
		return FileInput{}, fmt.Errorf("%q: no file name", arg)
	}
	if scope == "" {
		scope = scopeFromFile(path)
	}
	if strings.ContainsAny(scope, "/\x00") {
		return FileInput{}, fmt.Errorf("%q: scope %q may not contain /", arg, scope)
	}
	return FileInput{Path: path, Scope: scope}, nil
}

func scopeFromFile(path string) string {
	s := filepath.Base(path)
	for _, ext := range []string{".gz", ".json"} {
		s = strings.TrimSuffix(s, ext)
	}
	for _, suf := range []string{"-options", "_options", ".options", "options", "-packages", "_packages", "packages"} {
		if t := strings.TrimSuffix(s, suf); t != "" && t != s {
			s = t
			break
		}
	}
	if s == "" {
		s = "options"
	}
	return s
}

// Loaded is the result of reading every input of a build.
type Loaded struct {
	Docs      []Document
	Modules   []Module
	Templates []Template
	Source    string   // which source gave the repository's data, said in plain words
	Notes     []string // things the user should know (fallbacks, stale snapshot)
}

// Sources names every input of a site and loads them, re-reading only
// files that changed since the previous Load (the preview server calls
// Load on every change).
type Sources struct {
	Repo       string // repository root: nix/docs for live evaluation, site/data for the snapshot
	Mode       string // SourceAuto when empty
	Revision   string // passed to the evaluation
	Options    []FileInput
	Packages   []FileInput
	ContentDir string // guides; "" for Repo/content

	mu      sync.Mutex // one Load at a time
	filesMu sync.Mutex // files, written by Load's concurrent readers
	files   map[string]cachedFile
	guides  map[string]cachedFile
	live    *cachedExport
	snap    *Export
	ids     uniqueIDs // the ids of the inputs last found unique
}

type cachedFile struct {
	mod  time.Time
	size int64
	docs []Document
}

type cachedExport struct {
	inputsKey string
	export    *Export
}

// Load reads all inputs.
func (s *Sources) Load(ctx context.Context) (*Loaded, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string]cachedFile{}
		s.guides = map[string]cachedFile{}
	}
	l := &Loaded{}
	// The inputs are independent files (and possibly a Nix evaluation), so
	// they are read at once: while one is decompressed or scanned on one
	// core, another is parsed on the rest. Results keep the input order,
	// and the first error in that order is the one reported.
	type file struct {
		in   FileInput
		load func(string, string) ([]Document, error)
		docs []Document
		err  error
	}
	var files []*file
	for _, in := range s.Options {
		files = append(files, &file{in: in, load: LoadOptions})
	}
	for _, in := range s.Packages {
		files = append(files, &file{in: in, load: LoadPackages})
	}
	var wg sync.WaitGroup
	for _, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.docs, f.err = s.loadFile(f.in, f.load)
		}()
	}
	var guides []Document
	var guidesErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		guides, guidesErr = s.loadGuides()
	}()
	repoErr := s.loadRepo(ctx, l)
	wg.Wait()
	if repoErr != nil {
		return nil, repoErr
	}
	// The repository's documents come first, then each file's.
	parts := [][]Document{l.Docs}
	for _, f := range files {
		if f.err != nil {
			return nil, f.err
		}
		parts = append(parts, f.docs)
		l.Docs = append(l.Docs, f.docs...)
	}
	if guidesErr != nil {
		return nil, guidesErr
	}
	if err := s.ids.check(parts); err != nil {
		return nil, err
	}
	// Guide ids start with "guide:", so they can only repeat each other.
	if err := checkUnique(guides); err != nil {
		return nil, err
	}
	l.Docs = append(l.Docs, guides...)
	return l, nil
}

// uniqueIDs checks that no two documents of Load's inputs share an id,
// with work proportional to the inputs read anew: the preview calls Load
// on every save, where a module edit replaces the repository's few
// hundred options and the tens of thousands from the option and package
// files come from the cache (the same slices as last time).
type uniqueIDs struct {
	parts [][]Document   // the inputs last found unique
	count map[string]int // how many of those documents have each id
}

func (u *uniqueIDs) check(parts [][]Document) error {
	if len(parts) != len(u.parts) {
		u.parts, u.count = make([][]Document, len(parts)), map[string]int{}
	}
	dupes := false
	for i, p := range parts {
		if sameDocs(p, u.parts[i]) {
			continue
		}
		for _, d := range u.parts[i] {
			if u.count[d.ID]--; u.count[d.ID] == 0 {
				delete(u.count, d.ID)
			}
		}
		for _, d := range p {
			u.count[d.ID]++
			dupes = dupes || u.count[d.ID] > 1
		}
		u.parts[i] = p
	}
	if !dupes {
		return nil
	}
	// Start over next time, and let checkUnique name the repeated id.
	u.parts, u.count = nil, nil
	var all []Document
	for _, p := range parts {
		all = append(all, p...)
	}
	return checkUnique(all)
}

// sameDocs reports whether a and b are the same slice of documents: an
// input served from the cache is, one read anew is not.
func sameDocs(a, b []Document) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func checkUnique(docs []Document) error {
	seen := make(map[string]bool, len(docs))
	for _, d := range docs {
		if seen[d.ID] {
			return fmt.Errorf("%s appears in two inputs of the same scope; give each file its own scope (FILE=scope)", d.ID)
		}
		seen[d.ID] = true
	}
	return nil
}

func (s *Sources) loadFile(in FileInput, load func(string, string) ([]Document, error)) ([]Document, error) {
	fi, err := os.Stat(in.Path)
	if err != nil {
		return nil, err
	}
	key := in.Path + "\x00" + in.Scope
	s.filesMu.Lock()
	c, ok := s.files[key]
	s.filesMu.Unlock()
	if ok && c.mod.Equal(fi.ModTime()) && c.size == fi.Size() {
		return c.docs, nil
	}
	docs, err := load(in.Path, in.Scope)
	if err != nil {
		return nil, err
	}
	s.filesMu.Lock()
	s.files[key] = cachedFile{mod: fi.ModTime(), size: fi.Size(), docs: docs}
	s.filesMu.Unlock()
	return docs, nil
}

// ContentPath is the folder the guides are read from.
func (s *Sources) ContentPath() string { return s.contentDir() }

func (s *Sources) contentDir() string {
	if s.ContentDir != "" {
		return s.ContentDir
	}
	return filepath.Join(s.repo(), "content")
}

func (s *Sources) repo() string {
	if s.Repo == "" {
		return "."
	}
	return s.Repo
}

// loadGuides re-parses only guides whose file changed.
func (s *Sources) loadGuides() ([]Document, error) {
	dir := s.contentDir()
	var docs []Document
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".md") || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		seen[p] = true
		if c, ok := s.guides[p]; ok && c.mod.Equal(fi.ModTime()) && c.size == fi.Size() {
			docs = append(docs, c.docs...)
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := ParseGuide(p, filepath.ToSlash(rel), src)
		if err != nil {
			return err
		}
		var list []Document
		if doc != nil {
			list = []Document{*doc}
		}
		s.guides[p] = cachedFile{mod: fi.ModTime(), size: fi.Size(), docs: list}
		docs = append(docs, list...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading guides: %w", err)
	}
	for p := range s.guides {
		if !seen[p] {
			delete(s.guides, p)
		}
	}
	SortGuides(docs)
	return docs, nil
}

// loadRepo loads this repository's export: live when possible (or asked
// for), else the snapshot.
func (s *Sources) loadRepo(ctx context.Context, l *Loaded) error {
	mode := s.Mode
	if mode == "" {
		mode = SourceAuto
	}
	repo := s.repo()
	switch mode {
	case SourceNone:
		l.Source = "the given files only"
		return nil
	case SourceLive, SourceAuto:
		err := NixAvailable(ctx, repo)
		if err == nil {
			ex, err := s.evaluate(ctx, repo)
			if err != nil {
				return err
			}
			l.Source = "a live evaluation of " + exportExpression
			s.useExport(l, ex)
			return nil
		}
		if mode == SourceLive {
			return err
		}
		l.Notes = append(l.Notes, err.Error()+"; using the snapshot")
		fallthrough
	case SourceSnapshot:
		path := filepath.Join(repo, SnapshotFile)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if mode == SourceSnapshot {
				return fmt.Errorf("no snapshot at %s: run `nurdocs eval` where Nix is installed", path)
			}
			l.Source = "no repository data (no Nix evaluation, no snapshot)"
			l.Notes = append(l.Notes, "no snapshot at "+path+": the site has guides only; run `nurdocs eval` where Nix is installed")
			return nil
		}
		docs, err := s.loadFile(FileInput{Path: path, Scope: PrimaryScope}, func(p, scope string) ([]Document, error) {
			ex, err := LoadExport(p, scope)
			if err != nil {
				return nil, err
			}
			s.snap = ex // keep modules and templates for cached loads
			return ex.Docs, nil
		})
		if err != nil {
			return err
		}
		l.Docs = append(l.Docs, docs...)
		if s.snap != nil {
			l.Modules, l.Templates = s.snap.Modules, s.snap.Templates
		}
		l.Source = "the snapshot " + SnapshotFile
		if prov, err := ReadProvenance(repo); err == nil {
			l.Source += " (evaluated " + prov.GeneratedAt + ")"
		}
		if stale, err := StaleInputs(repo); err == nil && len(stale) > 0 {
			l.Notes = append(l.Notes, fmt.Sprintf("the snapshot is stale (%s); run `nurdocs eval`", summarise(stale)))
		}
		return nil
	}
	return fmt.Errorf("unknown source %q (want auto, live, snapshot or none)", mode)
}

// evaluate runs the export unless no Nix input changed since last time.
func (s *Sources) evaluate(ctx context.Context, repo string) (*Export, error) {
	hashes, err := InputHashes(repo)
	if err != nil {
		return nil, err
	}
	key := hashKey(hashes) + "\x00" + s.Revision
	if s.live != nil && s.live.inputsKey == key {
		return s.live.export, nil
	}
	data, err := Evaluate(ctx, repo, s.Revision)
	if err != nil {
		return nil, err
	}
	ex, err := ParseExport("live evaluation of "+exportExpression, data, PrimaryScope)
	if err != nil {
		return nil, err
	}
	s.live = &cachedExport{inputsKey: key, export: ex}
	return ex, nil
}

func (s *Sources) useExport(l *Loaded, ex *Export) {
	l.Docs = append(l.Docs, ex.Docs...)
	l.Modules, l.Templates = ex.Modules, ex.Templates
}

func hashKey(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s %s\n", k, m[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func summarise(list []string) string {
	if len(list) <= 3 {
		return strings.Join(list, ", ")
	}
	return strings.Join(list[:3], ", ") + fmt.Sprintf(" and %d more", len(list)-3)
}
