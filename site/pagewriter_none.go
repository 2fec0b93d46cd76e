//go:build nopagewriter

package site

// Built with -tags nopagewriter, as `go generate ./site` builds, the
// package leaves out pagewriter_gen.go and writes every page through its
// template.

// generatedWriters is empty: no page has a generated writer.
var generatedWriters map[string]func(*htmlWriter, *page) error
