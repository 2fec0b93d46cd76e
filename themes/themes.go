// Package themes embeds the default theme (templates and static files) so
// a nurdocs binary builds a site from any folder. The preview server reads
// the same files from disk instead, to pick up edits.
package themes

import (
	"embed"
	"io/fs"
)

//go:embed default
var embedded embed.FS

// Default is the default theme: templates/ and static/.
func Default() fs.FS {
	sub, err := fs.Sub(embedded, "default")
	if err != nil {
		panic(err) // the embedded tree always has the folder
	}
	return sub
}
