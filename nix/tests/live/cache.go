package live

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// CacheRoot is where builds are kept between runs:
// $ATPROTO_NUR_LIVE_CACHE, else $HOME/.cache/atproto-nur-live.
func CacheRoot(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("ATPROTO_NUR_LIVE_CACHE"); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		t.Fatalf("finding the build cache: %v (set ATPROTO_NUR_LIVE_CACHE)", err)
	}
	return filepath.Join(base, "atproto-nur-live")
}

// Cached returns the folder <cache>/<kind>/<key>, running build to fill it
// when it is absent. The key must name everything the content depends on
// (a tarball's hash, the toolchain version, the build spec). build writes
// into a fresh folder that becomes the entry only when it succeeds, so an
// interrupted build never leaves a half entry; a lock file keeps two test
// processes from building the same entry at once. hit says whether the
// entry was already there.
func Cached(t testing.TB, kind, key string, build func(dir string) error) (dir string, hit bool) {
	t.Helper()
	parent := filepath.Join(CacheRoot(t), kind)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		t.Fatalf("creating the build cache: %v", err)
	}
	dir = filepath.Join(parent, key)
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatalf("locking cache entry %s: %v", dir, err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatalf("locking cache entry %s: %v", dir, err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	if _, err := os.Stat(dir); err == nil {
		return dir, true
	}
	tmp, err := os.MkdirTemp(parent, key+".tmp-")
	if err != nil {
		t.Fatalf("creating cache entry %s: %v", dir, err)
	}
	if err := build(tmp); err != nil {
		os.RemoveAll(tmp)
		t.Fatalf("building cache entry %s/%s: %v", kind, key, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		t.Fatalf("storing cache entry %s: %v", dir, err)
	}
	return dir, false
}

// shortHash is the first 16 hex digits of a hash, enough for cache keys.
func shortHash(hex string) string {
	if len(hex) > 16 {
		return hex[:16]
	}
	return hex
}
