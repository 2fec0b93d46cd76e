package search

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// readIndex reads every file of a static index folder.
func readIndex(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestStaticRecordIncremental writes the NixOS index, then, into the same
// folder with its record and token cache, the index after a guide was
// added and edited, an option removed and another added, the guide
// renamed and deleted: the folder must equal a fresh index of the new
// documents file for file, only the files whose bytes changed may have
// been written, and only the changed documents tokenized anew (the
// preview server's search follows an edit without rewriting thousands of
// shards or re-reading thousands of descriptions).
func TestStaticRecordIncremental(t *testing.T) {
	base := nixosOptions(t)
	guide := func(body string) indexer.Document {
		return indexer.Document{ID: "guide:writing", Kind: indexer.KindGuide, Scope: indexer.PrimaryScope, Name: "writing",
			Title: "Writing guides", Summary: "How to write.", Guide: &indexer.Guide{Path: "writing.md", Body: body}}
	}
	first := append(slices.Clone(base), guide("Plain words about previews."))
	dir := t.TempDir()
	rec := &StaticRecord{}
	tokens := &TokenCache{}
	opt := StaticOptions{Record: rec, Tokens: tokens}
	if _, err := WriteStaticIndexWith(dir, first, testURL, opt); err != nil {
		t.Fatal(err)
	}
	all := rec.Written
	if all < 1000 {
		t.Fatalf("the first write wrote %d files, want the whole index", all)
	}

	// A guide edit: only the shards of its words, its document chunk and
	// the manifest can change.
	second := append(slices.Clone(base), guide("Plain words about previews, and a zeppelin."))
	if _, err := WriteStaticIndexWith(dir, second, testURL, opt); err != nil {
		t.Fatal(err)
	}
	if rec.Written == 0 || rec.Written > 10 {
		t.Errorf("a guide edit rewrote %d of %d files, want the few it changed", rec.Written, all)
	}
	if rec.Tokenized != 1 || tokens.reused != len(base) {
		t.Errorf("a guide edit tokenized %d documents and reused %d, want 1 and %d", rec.Tokenized, tokens.reused, len(base))
	}
	fresh := t.TempDir()
	if _, err := WriteStaticIndexWith(fresh, second, testURL, StaticOptions{}); err != nil {
		t.Fatal(err)
	}
	sameIndex(t, "guide edit", readIndex(t, fresh), readIndex(t, dir))
	if !bytes.Contains(readIndex(t, dir)["d/ze.json"], []byte("zeppelin")) {
		t.Error("the new word is not in its description shard")
	}

	// Edits that keep the documents and their numbers patch the postings
	// of the changed document: a retitled guide with a name word no other
	// document has (a new name shard and first-letter entry), the word
	// gone again (the shard removed), an option description rewritten
	// (large, split description keys).
	retitled := slices.Clone(second)
	g := guide("Plain words about previews, and a zeppelin.")
	g.Title = "Writing qzxjvw guides"
	retitled[len(retitled)-1] = g
	described := slices.Clone(second)
	o := described[100]
	oo := *o.Option
	oo.Description = "Whether to enable the services that serve the zeppelin network over systemd."
	o.Option = &oo
	described[100] = o
	for _, step := range []struct {
		name string
		docs []indexer.Document
	}{{"guide retitled", retitled}, {"guide title back", second}, {"option description", described}, {"option description back", second}} {
		if _, err := WriteStaticIndexWith(dir, step.docs, testURL, opt); err != nil {
			t.Fatal(err)
		}
		// An option's words also speak for its module's enable option
		// (addModuleEvidence): that one may change too.
		if rec.Patched < 1 || rec.Patched > 2 {
			t.Errorf("%s: patched %d documents, want the edited one (and its module's enable option)", step.name, rec.Patched)
		}
		fresh := t.TempDir()
		if _, err := WriteStaticIndexWith(fresh, step.docs, testURL, StaticOptions{}); err != nil {
			t.Fatal(err)
		}
		sameIndex(t, step.name, readIndex(t, fresh), readIndex(t, dir))
	}
	if _, err := os.Stat(filepath.Join(dir, "n", "qz.json")); err == nil {
		t.Error("the shard of a name word that went away is left behind")
	}

	// Options removed and added shift document numbers: more files
	// change, and the folder must still equal a fresh index (no shard of
	// a word that is gone is left behind).
	third := slices.Clone(second[5:])
	third = append(third, indexer.Document{ID: "opt:NixOS/services.zzz.enable", Kind: indexer.KindOption, Scope: "NixOS",
		Name: "services.zzz.enable", Title: "services.zzz.enable", Summary: "Whether to enable zzz.",
		Option: &indexer.Option{Loc: []string{"services", "zzz", "enable"}, Type: "boolean", Description: "Whether to enable zzz.", Visible: true}})
	if _, err := WriteStaticIndexWith(dir, third, testURL, opt); err != nil {
		t.Fatal(err)
	}
	fresh = t.TempDir()
	if _, err := WriteStaticIndexWith(fresh, third, testURL, StaticOptions{}); err != nil {
		t.Fatal(err)
	}
	sameIndex(t, "options removed and added", readIndex(t, fresh), readIndex(t, dir))

	// The guide renamed (a new ID, the same text), then deleted.
	renamed := slices.Clone(third)
	for i, d := range renamed {
		if d.ID == "guide:writing" {
			d.ID, d.Name, d.Guide = "guide:style", "style", &indexer.Guide{Path: "style.md", Body: d.Guide.Body}
			renamed[i] = d
		}
	}
	deleted := slices.DeleteFunc(slices.Clone(renamed), func(d indexer.Document) bool { return d.Kind == indexer.KindGuide })
	for _, step := range []struct {
		name string
		docs []indexer.Document
	}{{"guide renamed", renamed}, {"guide deleted", deleted}} {
		if _, err := WriteStaticIndexWith(dir, step.docs, testURL, opt); err != nil {
			t.Fatal(err)
		}
		fresh = t.TempDir()
		if _, err := WriteStaticIndexWith(fresh, step.docs, testURL, StaticOptions{}); err != nil {
			t.Fatal(err)
		}
		sameIndex(t, step.name, readIndex(t, fresh), readIndex(t, dir))
	}
	if rec.Tokenized != 0 {
		t.Errorf("deleting a guide tokenized %d documents, want none", rec.Tokenized)
	}
}

func sameIndex(t *testing.T, step string, want, got map[string][]byte) {
	t.Helper()
	for rel, w := range want {
		if g, ok := got[rel]; !ok {
			t.Errorf("%s: %s missing", step, rel)
		} else if !bytes.Equal(w, g) {
			t.Errorf("%s: %s differs from a fresh index", step, rel)
		}
	}
	for rel := range got {
		if _, ok := want[rel]; !ok {
			t.Errorf("%s: %s is left over", step, rel)
		}
	}
}
