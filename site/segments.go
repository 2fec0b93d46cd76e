package site

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"unsafe"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// A site is built in segments, so that the preview server's rebuild after
// a save costs what the save changed, not what the site holds:
//
//	core      the home page, the option index, search and 404
//	guides    the guides and their index
//	scope:S   everything of one option set: its option pages, package
//	          pages, lists and landing page (this repository's own scope,
//	          NixOS, nixpkgs, … each one segment)
//	static    the theme's CSS and scripts
//	sitemap   sitemap.xml and robots.txt
//
// Core and guides are small and rebuilt every time (pages whose data did
// not change are still skipped by their page key). A scope segment is
// carried over from the previous build into the same folder, without
// looking at its pages, when its documents are the very ones that build
// had (see fingerprint), the site-wide settings are the same and no role
// lookup in its rendered Markdown resolves differently now (see
// mdCache.revalidate). The sitemap is rewritten only when the list of
// pages changed.
const (
	segCore    = "core"
	segGuides  = "guides"
	segStatic  = "static"
	segSitemap = "sitemap"
)

// scopeSeg is the segment of a scope's pages.
func scopeSeg(scope string) string { return "scope:" + scope }

// fileRec is what an incremental build knows of one file it wrote.
type fileRec struct {
	sum [32]byte // content hash
	key [32]byte // page key (pageKey) or source hash of a static file; zero when none
}

// segRec is what one segment wrote into a folder. It is never changed
// after the build that made it, so the records of two folders (and of
// consecutive builds) share the segments they have in common.
type segRec struct {
	fp    uint64 // fingerprint of the segment's documents (scope segments)
	epoch int    // epoch of the segment's Markdown cache when built
	files map[string]fileRec
	pages []string // sitemap entries, sorted
	jobs  int      // pages
	bytes int64
	diags []Diagnostic
}

// folderRec is what the last BuildInto wrote into a folder.
type folderRec struct {
	siteKey [32]byte
	segs    map[string]*segRec
}

func (f *folderRec) file(rel string) (fileRec, bool) {
	for _, s := range f.segs {
		if r, ok := s.files[rel]; ok {
			return r, true
		}
	}
	return fileRec{}, false
}

// scopeDocs are the documents of one scope, as the pages of its segment
// read them.
type scopeDocs struct {
	opts, pkgs []*indexer.Document
	fp         uint64
}

// groupScopes sorts the documents by scope and fingerprints each scope.
// The fingerprint hashes where the documents live in memory, not their
// content: indexer.Sources and the preview's live evaluation hand an
// unchanged input's documents over as the very same values (and the
// Builder keeps the previous inputs alive, so no new document can reuse
// their addresses), so equal fingerprints mean the same documents, and
// a re-read input always gets a new one. It costs nanoseconds a
// document, where hashing their content would cost a rebuild of a large
// site most of its time. The repository's own scope also covers the
// export's modules and templates, which its pages show.
func groupScopes(in *Inputs) (order []string, by map[string]*scopeDocs) {
	by = map[string]*scopeDocs{}
	hs := map[string]*ptrHash{}
	for i := range in.Docs {
		d := &in.Docs[i]
		if d.Kind == indexer.KindGuide {
			continue
		}
		sd := by[d.Scope]
		if sd == nil {
			sd = &scopeDocs{}
			by[d.Scope] = sd
			order = append(order, d.Scope)
			hs[d.Scope] = newPtrHash()
		}
		h := hs[d.Scope]
		h.str(d.ID)
		h.str(d.Name)
		h.str(d.Title)
		h.str(d.Summary)
		h.str(d.Since) // the marks of a history: a new one re-renders the pages
		switch d.Kind {
		case indexer.KindOption:
			h.ptr(unsafe.Pointer(d.Option))
			sd.opts = append(sd.opts, d)
		case indexer.KindPackage:
			h.ptr(unsafe.Pointer(d.Package))
			sd.pkgs = append(sd.pkgs, d)
		}
	}
	if sd := by[indexer.PrimaryScope]; sd != nil {
		h := hs[indexer.PrimaryScope]
		h.ptr(unsafe.Pointer(unsafe.SliceData(in.Modules)))
		h.n(len(in.Modules))
		h.ptr(unsafe.Pointer(unsafe.SliceData(in.Templates)))
		h.n(len(in.Templates))
	}
	for s, sd := range by {
		sd.fp = hs[s].sum()
	}
	return order, by
}

// docsStamp combines the scopes' fingerprints and the guides' identities
// (their content is in the fingerprint's terms, see groupScopes): the
// layout is a function of these, so equal stamps mean equal documents
// with equal URLs.
func docsStamp(fps map[string]uint64, guides []*indexer.Document) string {
	h := newPtrHash()
	for _, seg := range slices.Sorted(maps.Keys(fps)) {
		for _, c := range []byte(seg) {
			h.n(int(c))
		}
		h.n(int(fps[seg]))
	}
	h.n(len(guides))
	for _, d := range guides {
		h.str(d.ID)
		h.str(d.Title)
		h.str(d.Summary)
		h.ptr(unsafe.Pointer(d.Guide))
	}
	return strconv.FormatUint(h.sum(), 16)
}

// ptrHash is FNV-1a over machine words.
type ptrHash struct{ h uint64 }

func newPtrHash() *ptrHash { return &ptrHash{h: 14695981039346656037} }

func (p *ptrHash) n(v int) {
	p.h ^= uint64(v)
	p.h *= 1099511628211
}

func (p *ptrHash) ptr(v unsafe.Pointer) { p.n(int(uintptr(v))) }

func (p *ptrHash) str(s string) {
	p.ptr(unsafe.Pointer(unsafe.StringData(s)))
	p.n(len(s))
}

func (p *ptrHash) sum() uint64 { return p.h }

// Mirror makes folder to hold what the last BuildInto wrote into from:
// files that differ are copied, files of an earlier build into to that
// from's build did not write are removed, and to takes from's record, so
// the next BuildInto(to) renders only what changed since from's build.
// Only segments whose records differ are compared, file by file, so
// mirroring after a guide edit touches the guides, not the package pages.
// Other files in to (the search index the preview server writes beside
// the pages) are left alone. The preview server alternates between two
// folders; mirroring the one just built into the other keeps every
// rebuild incremental.
func (b *Builder) Mirror(from, to string) error {
	b.mu.Lock()
	src, have := b.recs[from], b.recs[to]
	// Until the copy is done, to's record is unknown.
	delete(b.recs, to)
	b.mu.Unlock()
	if src == nil {
		return fmt.Errorf("mirroring %s: no build there", from)
	}
	for name, s := range src.segs {
		var h *segRec
		if have != nil {
			h = have.segs[name]
		}
		if h == s {
			continue // the same record: the same files
		}
		for rel, f := range s.files {
			if h != nil && h.files[rel].sum == f.sum {
				continue
			}
			if err := copyFile(from, to, rel); err != nil {
				return err
			}
		}
	}
	if have != nil {
		for name, h := range have.segs {
			if src.segs[name] == h {
				continue
			}
			for rel := range h.files {
				if _, ok := src.file(rel); ok {
					continue
				}
				if dst, err := safeJoin(to, rel); err == nil {
					if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
						return err
					}
				}
			}
		}
	}
	b.mu.Lock()
	b.recs[to] = src
	b.mu.Unlock()
	return nil
}

func copyFile(from, to, rel string) error {
	dst, err := safeJoin(to, rel)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(from, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Errorf("mirroring %s: %w", from, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := writeAtomic(dst, data); err != nil {
		return fmt.Errorf("mirroring into %s: %w", to, err)
	}
	return nil
}
