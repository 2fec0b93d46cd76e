package site

import (
	"fmt"
	"hash/fnv"
	"io"
	"strconv"
	"sync"
	"time"
)

// Progress receives a build's phases and counts.
type Progress interface {
	Phase(name string, total int) // total 0: unknown / not counted
	Step(n int)
	Done()
}

type nopProgress struct{}

func (nopProgress) Phase(string, int) {}
func (nopProgress) Step(int)          {}
func (nopProgress) Done()             {}

// TermProgress draws one updating status line on a terminal, at most ten
// times a second so printing never slows the build.
type TermProgress struct {
	W     io.Writer
	mu    sync.Mutex
	phase string
	total int
	n     int
	last  time.Time
	start time.Time
}

func (t *TermProgress) Phase(name string, total int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.start.IsZero() {
		t.start = time.Now()
	}
	t.phase, t.total, t.n = name, total, 0
	t.draw(true)
}

func (t *TermProgress) Step(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n += n
	t.draw(t.n == t.total)
}

func (t *TermProgress) Done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprint(t.W, "\r\033[K")
}

func (t *TermProgress) draw(force bool) {
	now := time.Now()
	if !force && now.Sub(t.last) < 100*time.Millisecond {
		return
	}
	t.last = now
	el := now.Sub(t.start).Round(10 * time.Millisecond)
	if t.total > 0 {
		fmt.Fprintf(t.W, "\r\033[K%s %d/%d (%s)", t.phase, t.n, t.total, el)
	} else {
		fmt.Fprintf(t.W, "\r\033[K%s… (%s)", t.phase, el)
	}
}

// fnvHash is a small helper for cache keys.
type fnvHash struct {
	h interface {
		Write([]byte) (int, error)
		Sum64() uint64
	}
}

func fnvNew() *fnvHash { return &fnvHash{h: fnv.New64a()} }

func (f *fnvHash) add(s string) { f.h.Write([]byte(s)); f.h.Write([]byte{0}) }

func (f *fnvHash) addInt(n int) { f.add(strconv.Itoa(n)) }

func (f *fnvHash) String() string { return strconv.FormatUint(f.h.Sum64(), 16) }
