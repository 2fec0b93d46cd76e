package site

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
)

// pageKey identifies everything a page's file is made of: the page's own
// data (all its template sees but the site-wide parts), its kind, and the
// site key (templates, site settings). Two builds that give a page the
// same key write the same file, so an incremental build may skip it.
func (r *run) pageKey(kind string, p *page) ([32]byte, error) {
	h := sha256.New()
	h.Write(r.siteKey[:])
	io.WriteString(h, kind+"\x00")
	// Site and Frame are the same for every page of a section: the site
	// key covers them, and the section is in the page data.
	own := *p
	own.Site, own.Frame = nil, nil
	enc := json.NewEncoder(h)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&own); err != nil {
		return [32]byte{}, fmt.Errorf("page key: %w", err)
	}
	var key [32]byte
	h.Sum(key[:0])
	return key, nil
}

// computeSiteKey hashes what every page depends on: the theme's
// templates, the site information shared by all pages and the settings
// that change how pages are written.
func (r *run) computeSiteKey() {
	h := sha256.New()
	h.Write(r.th.key[:])
	fmt.Fprintf(h, "%q %q %q %q %q %v %v\x00", r.cfg.BaseURL, r.cfg.RepoURL, r.cfg.Revision, r.cfg.EditBranch,
		r.cfg.ContentDir, r.cfg.NoMinify, r.wholePages)
	enc := json.NewEncoder(h)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r.site); err != nil {
		// siteInfo is plain strings and booleans; this cannot fail, and a
		// key made without it would wrongly match the previous build.
		panic(fmt.Sprintf("site key: %v", err))
	}
	h.Sum(r.siteKey[:0])
}
