package site

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// maxSegment bounds one path segment made from input data; file systems
// refuse names over 255 bytes.
const maxSegment = 120

// Slug turns a name from input data (option prefix, package attribute,
// scope) into one safe path segment: only ASCII letters, digits and
// ". _ - + @" survive, anything else becomes "_", and the result can never
// be "", ".", ".." or start with a dot. Long names are cut and given a
// hash suffix so they stay distinct.
func Slug(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '.', r == '_', r == '-', r == '+', r == '@':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s == "" || strings.HasPrefix(s, ".") {
		s = "_" + s
	}
	if len(s) > maxSegment {
		s = s[:maxSegment-9] + "-" + shortHash(name)
	}
	return s
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

// anchorOf is the fragment identifier of an option on its page: the name
// with every character other than letters, digits and ". _ - :" replaced
// by "_", so it needs no escaping in a URL ("services.nginx.virtualHosts.
// <name>.root" → "services.nginx.virtualHosts._name_.root"). Layout makes
// anchors unique within a page.
func anchorOf(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-', r == ':':
			return r
		}
		return '_'
	}, name)
}

// safeJoin joins a site-relative path onto root and refuses anything that
// would land outside it. Every write goes through here, so a hostile name
// that slipped past Slug still cannot escape the output folder.
func safeJoin(root, rel string) (string, error) {
	clean := path.Clean("/" + rel)[1:]
	if clean == "" {
		return "", fmt.Errorf("empty output path %q", rel)
	}
	if clean != strings.TrimSuffix(rel, "/") || !filepath.IsLocal(filepath.FromSlash(clean)) {
		return "", fmt.Errorf("output path %q escapes the output folder", rel)
	}
	return filepath.Join(root, filepath.FromSlash(clean)), nil
}
