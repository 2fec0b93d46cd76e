package npmdist

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// registry answers like an npm registry for two versions: one with an
// integrity, one from before integrities (shasum only).
func registry(t *testing.T, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.EscapedPath() {
		case "/@scope%2fpkg/1.2.3":
			w.Write([]byte(`{"name":"@scope/pkg","version":"1.2.3","dist":{"tarball":"https://r.example/@scope/pkg/-/pkg-1.2.3.tgz","integrity":"sha1-AAAA sha512-q83vEjZ4f1Vpjw==","shasum":"00"}}`))
		case "/old/0.1.0":
			w.Write([]byte(`{"name":"old","version":"0.1.0","dist":{"tarball":"https://r.example/old/-/old-0.1.0.tgz","shasum":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}}`))
		case "/liar/1.0.0":
			w.Write([]byte(`{"name":"liar","version":"2.0.0","dist":{"tarball":"https://r.example/liar/-/liar-2.0.0.tgz","integrity":"sha512-AA=="}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLookupCachesAnswers(t *testing.T) {
	var hits atomic.Int32
	srv := registry(t, &hits)
	dir := t.TempDir()
	c := &Client{Registry: srv.URL + "/", CacheDir: dir}
	ctx := context.Background()

	d, err := c.Lookup(ctx, "@scope/pkg", "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	want := Dist{Name: "@scope/pkg", Version: "1.2.3", Tarball: "https://r.example/@scope/pkg/-/pkg-1.2.3.tgz", Integrity: "sha512-q83vEjZ4f1Vpjw=="}
	if d != want {
		t.Errorf("Lookup = %+v, want %+v", d, want)
	}

	// The second client is offline: the answer must come from disk.
	off := &Client{Registry: srv.URL + "/", CacheDir: dir, Offline: true}
	d2, err := off.Lookup(ctx, "@scope/pkg", "1.2.3")
	if err != nil || d2 != want {
		t.Fatalf("offline Lookup = %+v, %v", d2, err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("registry asked %d times, want 1", n)
	}
	if _, err := off.Lookup(ctx, "old", "0.1.0"); !errors.Is(err, ErrNotCached) {
		t.Errorf("offline Lookup of an unasked version = %v, want ErrNotCached", err)
	}
}

func TestShasumOnlyBecomesSRI(t *testing.T) {
	var hits atomic.Int32
	c := &Client{Registry: registry(t, &hits).URL, CacheDir: t.TempDir()}
	d, err := c.Lookup(context.Background(), "old", "0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if d.Integrity != "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=" {
		t.Errorf("Integrity = %q", d.Integrity)
	}
}

func TestRegistryErrors(t *testing.T) {
	var hits atomic.Int32
	c := &Client{Registry: registry(t, &hits).URL, CacheDir: t.TempDir()}
	ctx := context.Background()
	if _, err := c.Lookup(ctx, "gone", "1.0.0"); !errors.Is(err, ErrNotServed) || !strings.Contains(err.Error(), "gone@1.0.0") {
		t.Errorf("404 = %v, want ErrNotServed naming gone@1.0.0", err)
	}
	if _, err := c.Lookup(ctx, "liar", "1.0.0"); err == nil || !strings.Contains(err.Error(), "answered for liar@2.0.0") {
		t.Errorf("mismatched answer = %v", err)
	}
	if _, err := (&Client{Registry: "registry", CacheDir: t.TempDir()}).Lookup(ctx, "a", "1.0.0"); err == nil {
		t.Error("a registry without a host was accepted")
	}
}
