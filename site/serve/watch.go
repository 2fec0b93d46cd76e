package serve

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// What a change affects.
type changeKind int

const (
	changeSite changeKind = 1 << iota // guides, templates, input files: rebuild
	changeNix                         // evaluation inputs: re-evaluate, then rebuild
)

// watchTarget is a folder watched with everything below it, or one file
// (watched through its folder, so editors that replace the file by a
// rename keep being seen).
type watchTarget struct {
	path      string
	recursive bool
	kind      changeKind
	// nixOnly limits a recursive target to files ending in .nix (nix/).
	nixOnly bool
	// exclude is a folder below path whose changes do not matter
	// (nix/tests: the evaluation does not read it).
	exclude string
}

// batch is a burst of changes, delivered once the files went quiet.
type batch struct {
	kind  changeKind
	paths []string
	first time.Time // when the first event of the burst arrived
}

// watcher turns fsnotify's events into debounced batches.
type watcher struct {
	fw      *fsnotify.Watcher
	targets []watchTarget
	quiet   time.Duration // wait this long after the last event…
	max     time.Duration // …but no longer than this after the first
	errs    func(error)
}

func newWatcher(targets []watchTarget, quiet, max time.Duration, errs func(error)) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &watcher{fw: fw, quiet: quiet, max: max, errs: errs}
	for _, t := range targets {
		abs, err := filepath.Abs(t.path)
		if err != nil {
			fw.Close()
			return nil, err
		}
		t.path = abs
		if t.exclude != "" {
			if t.exclude, err = filepath.Abs(t.exclude); err != nil {
				fw.Close()
				return nil, err
			}
		}
		w.targets = append(w.targets, t)
		if t.recursive {
			if err := w.addTree(abs); err != nil && !errors.Is(err, fs.ErrNotExist) {
				fw.Close()
				return nil, err
			}
			// The folder above too, so that the target folder itself being
			// made (later than the server started, or again after it was
			// deleted, as a branch switch may do) is seen and watched.
			if err := fw.Add(filepath.Dir(abs)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				fw.Close()
				return nil, err
			}
			continue
		}
		if err := fw.Add(filepath.Dir(abs)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			fw.Close()
			return nil, err
		}
	}
	return w, nil
}

// addTree watches dir and every folder below it. Hidden folders (.git,
// editor state) are skipped.
func (w *watcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // vanished meanwhile
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if err := w.fw.Add(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
}

func (w *watcher) close() error { return w.fw.Close() }

// classify says what an event on path affects, 0 for nothing.
func (w *watcher) classify(path string) changeKind {
	if ignoredName(filepath.Base(path)) {
		return 0
	}
	var k changeKind
	for _, t := range w.targets {
		switch {
		case t.recursive:
			if path != t.path && !strings.HasPrefix(path, t.path+string(filepath.Separator)) {
				continue
			}
			if ext := filepath.Ext(path); t.nixOnly && ext != "" && ext != ".nix" {
				continue // README.md, test fixtures' data: not read by the evaluation
			}
			if t.exclude != "" && (path == t.exclude || strings.HasPrefix(path, t.exclude+string(filepath.Separator))) {
				continue
			}
			k |= t.kind
		case path == t.path:
			k |= t.kind
		}
	}
	return k
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// ignoredName recognises the files editors make beside the real one while
// saving: vim's 4913 write probe, swap files, ~ backups, emacs lock and
// autosave files, JetBrains' safe-write temporaries and hidden temp files
// that are renamed over the target (which then shows up under its own
// name).
func ignoredName(name string) bool {
	switch {
	case name == "4913", name == "":
		return true
	case strings.HasPrefix(name, "."): // .x.swp, .#x, .x.md.tmp-123, .goutputstream-…
		return true
	case strings.HasSuffix(name, "~"),
		strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"),
		strings.HasSuffix(name, ".swp"), strings.HasSuffix(name, ".swx"), strings.HasSuffix(name, ".swo"),
		strings.HasSuffix(name, ".tmp"), strings.HasSuffix(name, ".bak"), strings.HasSuffix(name, ".orig"),
		strings.HasSuffix(name, "___jb_tmp___"), strings.HasSuffix(name, "___jb_old___"):
		return true
	}
	// vim tries 4913, 4914, … when the probe name is taken.
	if len(name) == 4 && name >= "4913" && name <= "4999" {
		return true
	}
	return false
}

// run delivers batches until ctx ends. Each burst of relevant events
// becomes one batch once no event came for w.quiet (at most w.max after
// the burst began), so a save that touches several files, or an editor's
// rename dance, costs one rebuild.
func (w *watcher) run(ctx context.Context, out chan<- batch) {
	var (
		pending batch
		timer   = time.NewTimer(time.Hour)
		armed   bool
	)
	timer.Stop()
	defer timer.Stop()
	flush := func() {
		if pending.kind == 0 {
			return
		}
		select {
		case out <- pending:
		case <-ctx.Done():
		}
		pending = batch{}
		armed = false
	}
	for {
		select {
		case <-ctx.Done():
			return
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			if w.errs != nil {
				w.errs(err)
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: rebuild (and re-evaluate) to be sure.
				if pending.kind == 0 {
					pending.first = time.Now()
				}
				pending.kind |= changeSite | changeNix
				timer.Reset(w.quiet)
				armed = true
			}
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod {
				continue // touch, permission changes: the content is the same
			}
			k := w.classify(ev.Name)
			if k == 0 {
				continue
			}
			if ev.Op.Has(fsnotify.Create) && isDir(ev.Name) {
				// A new folder: watch it, and anything already made in it
				// before the watch was in place is picked up by the rebuild.
				if err := w.addTree(ev.Name); err != nil && w.errs != nil {
					w.errs(err)
				}
			}
			now := time.Now()
			if pending.kind == 0 {
				pending.first = now
			}
			pending.kind |= k
			pending.paths = appendUnique(pending.paths, ev.Name)
			wait := w.quiet
			if limit := pending.first.Add(w.max).Sub(now); limit < wait {
				wait = max(limit, 0)
			}
			timer.Reset(wait)
			armed = true
		case <-timer.C:
			if armed {
				flush()
			}
		}
	}
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
