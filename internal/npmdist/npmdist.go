// Package npmdist asks an npm registry where a package version's tarball
// is and what its published integrity is, and keeps every answer on disk so
// that a second run (and the regeneration test) needs no network.
package npmdist

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Dist is what a registry publishes about one version's tarball.
type Dist struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Tarball string `json:"tarball"`
	// Integrity is the SRI hash ("sha512-..."). For versions published
	// before npm recorded one, it is the SHA-1 shasum in SRI form.
	Integrity string `json:"integrity"`
}

// defaultHTTP bounds each look-up: a registry that stops answering fails
// the run instead of hanging it.
var defaultHTTP = &http.Client{Timeout: time.Minute}

// ErrNotServed is returned when the registry answers 404 for a version.
var ErrNotServed = errors.New("version not served by the registry")

// ErrNotCached is returned in offline mode when no answer is on disk.
var ErrNotCached = errors.New("no cached registry answer")

// Client looks versions up in Registry, caching answers under CacheDir.
type Client struct {
	Registry string // e.g. the output of `npm config get registry`
	CacheDir string
	// Offline answers from the cache only (ErrNotCached otherwise).
	Offline bool
	HTTP    *http.Client
}

// Lookup returns the tarball and integrity of name@version.
func (c *Client) Lookup(ctx context.Context, name, version string) (Dist, error) {
	path, err := c.cachePath(name, version)
	if err != nil {
		return Dist{}, err
	}
	if d, err := readCached(path); err == nil {
		return d, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return Dist{}, err
	}
	if c.Offline {
		return Dist{}, fmt.Errorf("%s@%s: %w (%s)", name, version, ErrNotCached, path)
	}
	d, err := c.fetch(ctx, name, version)
	if err != nil {
		return Dist{}, err
	}
	if err := writeCached(path, d); err != nil {
		return Dist{}, err
	}
	return d, nil
}

// cachePath keys answers by registry host, package and version, so that
// answers of different registries never mix.
func (c *Client) cachePath(name, version string) (string, error) {
	u, err := url.Parse(c.Registry)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("registry %q is not an absolute URL", c.Registry)
	}
	if strings.ContainsAny(version, "/\\") || strings.Contains(name, "..") {
		return "", fmt.Errorf("%s@%s: not a package name and version", name, version)
	}
	return filepath.Join(c.CacheDir, u.Host, filepath.FromSlash(name), version+".json"), nil
}

func (c *Client) fetch(ctx context.Context, name, version string) (Dist, error) {
	// The per-version document is a few kilobytes; the full packument of a
	// package like next is megabytes.
	u := strings.TrimSuffix(c.Registry, "/") + "/" + strings.Replace(name, "/", "%2f", 1) + "/" + url.PathEscape(version)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Dist{}, err
	}
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Dist{}, fmt.Errorf("%s@%s: %w", name, version, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return Dist{}, fmt.Errorf("%s@%s: %w", name, version, ErrNotServed)
	}
	if resp.StatusCode != http.StatusOK {
		return Dist{}, fmt.Errorf("%s@%s: registry answered %s", name, version, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return Dist{}, fmt.Errorf("%s@%s: reading the answer: %w", name, version, err)
	}
	return parseManifest(name, version, body)
}

func parseManifest(name, version string, body []byte) (Dist, error) {
	var m struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Dist    struct {
			Tarball   string `json:"tarball"`
			Integrity string `json:"integrity"`
			Shasum    string `json:"shasum"`
		} `json:"dist"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return Dist{}, fmt.Errorf("%s@%s: registry answer is not a version manifest: %w", name, version, err)
	}
	if m.Name != name || m.Version != version {
		return Dist{}, fmt.Errorf("%s@%s: registry answered for %s@%s", name, version, m.Name, m.Version)
	}
	if m.Dist.Tarball == "" {
		return Dist{}, fmt.Errorf("%s@%s: registry answer has no dist.tarball", name, version)
	}
	integrity, err := bestIntegrity(m.Dist.Integrity, m.Dist.Shasum)
	if err != nil {
		return Dist{}, fmt.Errorf("%s@%s: %w", name, version, err)
	}
	return Dist{Name: name, Version: version, Tarball: m.Dist.Tarball, Integrity: integrity}, nil
}

// bestIntegrity picks the strongest published hash. An integrity field may
// list several space-separated hashes.
func bestIntegrity(integrity, shasum string) (string, error) {
	var best string
	for _, h := range strings.Fields(integrity) {
		if strings.HasPrefix(h, "sha512-") {
			return h, nil
		}
		if best == "" && (strings.HasPrefix(h, "sha256-") || strings.HasPrefix(h, "sha1-")) {
			best = h
		}
	}
	if best != "" {
		return best, nil
	}
	if raw, err := hex.DecodeString(shasum); err == nil && len(raw) == 20 {
		return "sha1-" + base64.StdEncoding.EncodeToString(raw), nil
	}
	return "", fmt.Errorf("registry answer has neither dist.integrity nor a SHA-1 dist.shasum")
}

func readCached(path string) (Dist, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Dist{}, err
	}
	var d Dist
	if err := json.Unmarshal(b, &d); err != nil {
		return Dist{}, fmt.Errorf("cached answer %s: %w", path, err)
	}
	return d, nil
}

func writeCached(path string, d Dist) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("caching registry answer: %w", err)
	}
	// Write then rename: an interrupted run leaves no half answer behind.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("caching registry answer: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("caching registry answer: %w", err)
	}
	return nil
}
