package site

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/minify/v2/json"
	"github.com/tdewolff/minify/v2/svg"
	"github.com/tdewolff/minify/v2/xml"
)

// markerFile sits in every folder nurdocs builds. A swap only ever
// replaces a folder that has it (or an empty one), so `--out .` or a typo
// cannot wipe a folder nurdocs did not make.
const markerFile = ".nurdocs-site"

func newMinifier() *minify.M {
	m := minify.New()
	m.Add("text/html", &html.Minifier{KeepDocumentTags: true, KeepEndTags: true, KeepQuotes: true})
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("application/javascript", js.Minify)
	m.AddFunc("image/svg+xml", svg.Minify)
	m.AddFuncRegexp(regexp.MustCompile(`[/+]json$`), json.Minify)
	m.AddFuncRegexp(regexp.MustCompile(`[/+]xml$`), xml.Minify)
	return m
}

// mediaType picks the minifier for a file by its extension; "" means the
// file is copied as it is.
func mediaType(name string) string {
	switch filepath.Ext(name) {
	case ".html":
		return "text/html"
	case ".css":
		return "text/css"
	case ".js", ".mjs":
		return "application/javascript"
	case ".json":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".xml":
		return "text/xml"
	}
	return ""
}

// output writes the files of one build into a folder, minified, never
// outside it. It is safe for concurrent use.
type output struct {
	root string
	min  *minify.M // nil: write as given
	mu   sync.Mutex
	dirs map[string]*dirOnce
	// Incremental builds (BuildInto) keep a record of every file by
	// segment: prev is that of the previous build into the same folder
	// (empty for a fresh folder), cur the one being made. Both are nil
	// for Build, which writes a fresh folder and skips hashing.
	prev, cur *folderRec
	// touched lists the files this build replaced or created, so a build
	// that fails can say which of the folder's files it no longer knows.
	touched []string
	files   int
	bytes   int64
	written int // files actually written (incremental builds skip unchanged ones)

	// Fresh builds hand files to one writer goroutine: creating files in
	// one folder from several threads contends on the folder's lock
	// (100,000 files on ext4: 2.9 s from one thread, 4.3 s from four,
	// 20 s from sixteen), while renderers need not wait for the disk.
	queue chan pendingFile
	done  chan struct{}
	err   error // the first write error
}

type pendingFile struct {
	dst  string
	data []byte
	dir  *dirOnce
	buf  *bytes.Buffer // holds data; back to bufPool once written
}

// newOutput writes into root; prev, when not nil, is the record of the
// previous build into root and makes the output incremental.
func newOutput(root string, minify bool, prev *folderRec) *output {
	o := &output{root: root, dirs: map[string]*dirOnce{}, prev: prev}
	if minify {
		o.min = newMinifier()
	}
	if prev == nil {
		o.queue = make(chan pendingFile, 256)
		o.done = make(chan struct{})
		go o.writeQueued(o.queue)
	} else {
		o.cur = &folderRec{segs: map[string]*segRec{}}
	}
	return o
}

// begin starts the record of a segment this build writes.
func (o *output) begin(seg string, fp uint64, epoch int) {
	if o.cur == nil {
		return
	}
	o.mu.Lock()
	o.cur.segs[seg] = &segRec{fp: fp, epoch: epoch, files: map[string]fileRec{}}
	o.mu.Unlock()
}

// carry keeps a segment of the previous build as it is: its files stay,
// unread.
func (o *output) carry(seg string) {
	o.mu.Lock()
	p := o.prev.segs[seg]
	o.cur.segs[seg] = p
	o.files += len(p.files)
	o.bytes += p.bytes
	o.mu.Unlock()
}

// prevSeg is the previous build's record of seg, nil when none.
func (o *output) prevSeg(seg string) *segRec {
	if o.prev == nil {
		return nil
	}
	return o.prev.segs[seg]
}

// writeQueued writes the files of a fresh build in the order given. After
// the first error it only drains the queue; close reports the error.
func (o *output) writeQueued(queue <-chan pendingFile) {
	defer close(o.done)
	for f := range queue {
		if o.failed() == nil {
			f.dir.once.Do(func() { f.dir.err = os.MkdirAll(filepath.Dir(f.dst), 0o755) })
			err := f.dir.err
			if err == nil {
				err = os.WriteFile(f.dst, f.data, 0o644)
			}
			if err != nil {
				o.fail(err)
			}
		}
		if f.buf != nil {
			bufPool.Put(f.buf)
		}
	}
}

// fail records the first write error.
func (o *output) fail(err error) {
	o.mu.Lock()
	if o.err == nil {
		o.err = err
	}
	o.mu.Unlock()
}

// failed is the first write error so far, so renderers can stop early.
func (o *output) failed() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// close waits until every queued file is on disk and returns the first
// error. It must be called once all writes were handed over; calling it
// again returns the same result.
func (o *output) close() error {
	if o.queue != nil {
		o.mu.Lock()
		q := o.queue
		o.queue = nil
		o.mu.Unlock()
		if q != nil {
			close(q)
		}
		<-o.done
	}
	return o.failed()
}

// write stores data at the site-relative path rel of segment seg after
// minifying it.
func (o *output) write(seg, rel string, data []byte) error {
	return o.writeKeyed(seg, rel, data, [32]byte{})
}

// writeKeyed is write for a file made from sources with the hash key,
// which a later build may compare instead of making the file (keep).
func (o *output) writeKeyed(seg, rel string, data []byte, key [32]byte) error {
	if mt := mediaType(rel); o.min != nil && mt != "" {
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer bufPool.Put(buf)
		if err := o.min.Minify(mt, buf, bytes.NewReader(data)); err != nil {
			return fmt.Errorf("minifying %s: %w", rel, err)
		}
		data = buf.Bytes()
	}
	return o.put(seg, rel, data, nil, key)
}

// writeMinified stores data, already minified when minifying, at rel.
func (o *output) writeMinified(seg, rel string, data []byte, key [32]byte) error {
	return o.put(seg, rel, data, nil, key)
}

// writeBuffer is writeMinified for a page in a buffer from bufPool: the
// output takes the buffer and gives it back to the pool once the file is
// written, which saves copying every page for the writer.
func (o *output) writeBuffer(seg, rel string, buf *bytes.Buffer, key [32]byte) error {
	return o.put(seg, rel, buf.Bytes(), buf, key)
}

// put stores data at rel; buf, when not nil, holds data and belongs to
// the output from here on.
func (o *output) put(seg, rel string, data []byte, buf *bytes.Buffer, key [32]byte) error {
	owned := buf != nil
	defer func() {
		if owned {
			bufPool.Put(buf)
		}
	}()
	dst, err := safeJoin(o.root, rel)
	if err != nil {
		return err
	}
	// Hashes serve incremental builds only (BuildInto); a fresh folder
	// (Build) skips hashing 100,000 pages.
	var sum [32]byte
	if o.cur != nil {
		sum = sha256.Sum256(data)
	}
	o.mu.Lock()
	unchanged := false
	if o.cur != nil {
		sr := o.cur.segs[seg]
		if sr == nil {
			o.mu.Unlock()
			return fmt.Errorf("writing %s: segment %s was not begun", rel, seg)
		}
		sr.files[rel] = fileRec{sum: sum, key: key}
		sr.bytes += int64(len(data))
		if p := o.prev.segs[seg]; p != nil {
			old, ok := p.files[rel]
			unchanged = ok && old.sum == sum
		}
		if !unchanged {
			o.touched = append(o.touched, rel)
			o.written++
		}
	}
	o.files++
	o.bytes += int64(len(data))
	dir := filepath.Dir(dst)
	d := o.dirs[dir]
	if d == nil {
		d = &dirOnce{}
		o.dirs[dir] = d
	}
	queue, err := o.queue, o.err
	o.mu.Unlock()
	if err != nil {
		return err
	}
	if o.cur == nil {
		if queue == nil {
			return fmt.Errorf("writing %s: output already closed", rel)
		}
		if buf == nil {
			// data may live in a buffer the caller reuses.
			data = bytes.Clone(data)
		}
		queue <- pendingFile{dst: dst, data: data, dir: d, buf: buf}
		owned = false
		return nil
	}
	if unchanged {
		if _, err := os.Stat(dst); err == nil {
			return nil
		}
	}
	// Every writer into a folder waits until it exists: one creates it,
	// the others block on the Once instead of racing ahead.
	d.once.Do(func() { d.err = os.MkdirAll(dir, 0o755) })
	if d.err != nil {
		return d.err
	}
	// Writing into a folder that is being served: replace atomically so
	// a reader never sees half a page.
	return writeAtomic(dst, data)
}

func writeAtomic(dst string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	os.Chmod(tmp.Name(), 0o644)
	if err := os.Rename(tmp.Name(), dst); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

type dirOnce struct {
	once sync.Once
	err  error
}

// keep reports whether the file rel of segment seg can stay as the
// previous build wrote it, because it was made from sources with the same
// key and is still there; it then counts as written by this build.
func (o *output) keep(seg, rel string, key [32]byte) bool {
	if o.cur == nil {
		return false
	}
	p := o.prevSeg(seg)
	if p == nil {
		return false
	}
	old, ok := p.files[rel]
	if !ok || old.key != key || key == ([32]byte{}) {
		return false
	}
	dst, err := safeJoin(o.root, rel)
	if err != nil {
		return false
	}
	fi, err := os.Stat(dst)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	sr := o.cur.segs[seg]
	if sr == nil {
		return false
	}
	sr.files[rel] = old
	sr.bytes += fi.Size()
	o.files++
	o.bytes += fi.Size()
	return true
}

// prune removes files the previous build wrote that this one did not,
// and returns their paths. Segments carried over are skipped whole.
func (o *output) prune() ([]string, error) {
	var removed []string
	for name, p := range o.prev.segs {
		if o.cur.segs[name] == p {
			continue
		}
		for rel := range p.files {
			if _, ok := o.cur.file(rel); ok {
				continue
			}
			dst, err := safeJoin(o.root, rel)
			if err != nil {
				continue
			}
			if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return removed, err
			}
			removed = append(removed, rel)
		}
	}
	return removed, nil
}

// changed is what this build changed in the folder: the files it wrote
// with new bytes and the removed ones, sorted, with slashes.
func (o *output) changed(removed []string) []string {
	o.mu.Lock()
	out := make([]string, 0, len(o.touched)+len(removed))
	for _, rel := range o.touched {
		out = append(out, filepath.ToSlash(rel))
	}
	o.mu.Unlock()
	for _, rel := range removed {
		out = append(out, filepath.ToSlash(rel))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// failedRecord is the folder's record after this build failed part way:
// the previous record, with every file this build replaced or created
// marked unknown, so that Mirror from a good build puts them right.
func (o *output) failedRecord() *folderRec {
	o.mu.Lock()
	defer o.mu.Unlock()
	rec := &folderRec{siteKey: o.prev.siteKey, segs: map[string]*segRec{}}
	maps.Copy(rec.segs, o.prev.segs)
	if len(o.touched) == 0 {
		return rec
	}
	// A segment that lost files is cloned once and can no longer be
	// carried over (its epoch matches no cache), so its next build
	// rewrites them; the unknown files themselves sit in a segment of
	// their own that no build makes, so they are removed unless written.
	unknown := &segRec{epoch: -1, files: map[string]fileRec{}}
	cloned := map[string]bool{}
	for _, rel := range o.touched {
		unknown.files[rel] = fileRec{} // no content hashes to the zero sum
		for name, s := range rec.segs {
			if _, ok := s.files[rel]; !ok {
				continue
			}
			if !cloned[name] {
				c := *s
				c.files = maps.Clone(s.files)
				c.epoch = -1
				rec.segs[name] = &c
				cloned[name] = true
			}
			delete(rec.segs[name].files, rel)
		}
	}
	rec.segs["\x00unknown"] = unknown
	return rec
}

// prepareTemp makes an empty folder beside out for a new build.
func prepareTemp(out string) (string, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", parent, err)
	}
	if err := checkReplaceable(abs); err != nil {
		return "", err
	}
	return os.MkdirTemp(parent, "."+filepath.Base(abs)+".build-")
}

// checkReplaceable refuses to replace an existing folder that nurdocs did
// not build.
func checkReplaceable(out string) error {
	fi, err := os.Lstat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("output %s exists and is not a folder", out)
	}
	if _, err := os.Stat(filepath.Join(out, markerFile)); err == nil {
		return nil
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("output %s is a non-empty folder nurdocs did not build (no %s in it); refusing to replace it", out, markerFile)
	}
	return nil
}

// swapIn replaces out with the finished build in tmp: out moves aside,
// tmp takes its name, the old copy is deleted. If the second rename fails
// the old site is moved back.
func swapIn(tmp, out string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if err := checkReplaceable(abs); err != nil {
		return err
	}
	old := ""
	if _, err := os.Lstat(abs); err == nil {
		old = tmp + ".old"
		if err := os.Rename(abs, old); err != nil {
			return fmt.Errorf("moving the previous site aside: %w", err)
		}
	}
	if err := os.Rename(tmp, abs); err != nil {
		if old != "" {
			os.Rename(old, abs)
		}
		return fmt.Errorf("moving the new site into place: %w", err)
	}
	if old != "" {
		if err := removeTree(old); err != nil {
			return fmt.Errorf("removing the previous site %s: %w", old, err)
		}
	}
	return nil
}

// removeTree deletes a folder like os.RemoveAll, but unlinks files from
// several goroutines: removing the previous site (thousands of files) is
// bound by file-system latency, not CPU, so overlapping the calls pays.
func removeTree(root string) error {
	var files, dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, p)
		} else {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return os.RemoveAll(root)
	}
	const workers = 8
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(files); i += workers {
				os.Remove(files[i])
			}
		}()
	}
	wg.Wait()
	// Deepest folders first; whatever is left (a file that could not be
	// removed) is reported by the final RemoveAll.
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i])
	}
	return os.RemoveAll(root)
}
