// Package corpus gives the search tests, benchmarks and the relevance tool
// their input: the real NixOS option set from ../shared/corpus (read by the
// indexer) and a generated package set of any size.
package corpus

import (
	"fmt"
	"github.com/atproto-nur/atproto-nur/internal/testcorpus"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/search/internal/jsrun"
)

// CompareQueries is the fixed query set on which the browser ranking
// (search.js), the bleve ranking and the Go definition must agree over the
// NixOS option set: names, paths, prefixes, typos, several words, filters.
var CompareQueries = []jsrun.Query{
	{Q: "services.openssh.enable"}, {Q: "openssh"}, {Q: "pds.port"}, {Q: "nginx virtualHosts"},
	{Q: "open firewall port for ssh"}, {Q: "firwall"}, {Q: "servics.nginx"}, {Q: "postgresql"},
	{Q: "boot.loader.grub"}, {Q: "time zone"}, {Q: "ssh"}, {Q: "enable"}, {Q: "swapDevices"},
	{Q: "networking.hostName"}, {Q: "users.users.<name>.openssh"}, {Q: "xserver keyboard layout"},
	{Q: "se"}, {Q: "s"}, {Q: "autoUpgrade"}, {Q: "hardware.bluetooth"}, {Q: "tailscale"},
	{Q: "zfs"}, {Q: "printing"}, {Q: "kernel modules"}, {Q: "nix gc automatic"}, {Q: "fonts"},
	{Q: "nginx", Kind: "option"}, {Q: "docker", Scope: "NixOS"}, {Q: "sound"}, {Q: "the"},
	{Q: "tialscale"}, {Q: "ifrewall"}, {Q: "networking.ifrewall.enable"}, {Q: "openfirewall"}, {Q: "allowedtcpports"}, {Q: "openfire"}, {Q: "ipv6"}, {Q: "OpenSSH"},
	// module segment, hyphenated parts joined, stems, description rarity
	{Q: "redis"}, {Q: "homeassistant"}, {Q: "printer drivers"}, {Q: "vaultwaden"}, {Q: "a mail server"}, {Q: "automatic garbage collection"},
	// misspelt starts of a name, only where no whole-token typo exists
	{Q: "adgaurd"}, {Q: "adgard home"}, {Q: "nextclodu"}, {Q: "gitae"},
	// a wrong, missing or extra first letter, only where nothing nearer matches
	{Q: "mginx"}, {Q: "bnginx virtualhosts"}, {Q: "ailscale"}, {Q: "ocker"},
	// two typos in a long word, only where no single typo matches
	{Q: "nextcould"}, {Q: "tailscail firewall"}, {Q: "promethesu exporters"},
	// words typed apart that a name writes as one
	{Q: "jelly fin"}, {Q: "mini flux"}, {Q: "calibre w"}, {Q: "set the time zone"}, {Q: "pipe wire"},
}

// ErrMissing is returned when the shared corpus folder is absent.
var ErrMissing = testcorpus.ErrMissing

// Dir returns the shared corpus folder (see internal/testcorpus).
func Dir() (string, error) { return testcorpus.Dir() }

// NixOSOptions loads the NixOS option set as documents of scope "NixOS",
// with the indexer's loader, as nurdocs build and search read it.
func NixOSOptions() ([]indexer.Document, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	return indexer.LoadOptions(filepath.Join(dir, "nixos-options.json.gz"), "NixOS")
}

// NixpkgsPackages loads the real nixpkgs package set (packages.json v2,
// read from source; see its PROVENANCE.txt) as documents of scope
// "nixpkgs", as nurdocs --packages FILE=nixpkgs reads it.
func NixpkgsPackages() ([]indexer.Document, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	return indexer.LoadPackages(filepath.Join(dir, NixpkgsPackagesFile), "nixpkgs")
}

// NixpkgsPackagesFile is the package set's file in the corpus folder.
const NixpkgsPackagesFile = "nixpkgs-packages.json.gz"

// HomeManagerOptions loads the home-manager option set (declarations as
// {name, url}) as documents of scope "home-manager".
func HomeManagerOptions() ([]indexer.Document, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	return indexer.LoadOptions(filepath.Join(dir, "home-manager-options.json.gz"), "home-manager")
}

// Packages generates n package documents with nixpkgs-like attribute
// names ("python313Packages.fast-json-utils") and one-line descriptions,
// the same for the same n.
func Packages(n int) []indexer.Document {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	sets := []string{"", "", "", "", "python313Packages.", "python312Packages.", "haskellPackages.", "perlPackages.",
		"nodePackages.", "rubyPackages.", "ocamlPackages.", "luaPackages.", "emacsPackages.", "vimPlugins.", "texlivePackages.", "rPackages."}
	seen := map[string]bool{}
	docs := make([]indexer.Document, 0, n)
	for len(docs) < n {
		words := 1 + rng.IntN(3)
		parts := make([]string, words)
		for i := range parts {
			parts[i] = syllables(rng, 1+rng.IntN(3))
		}
		attr := sets[rng.IntN(len(sets))] + strings.Join(parts, "-")
		if rng.IntN(5) == 0 {
			attr += fmt.Sprint(rng.IntN(30))
		}
		if seen[attr] {
			continue
		}
		seen[attr] = true
		desc := describe(rng)
		docs = append(docs, indexer.Document{
			ID: "pkg:" + attr, Kind: indexer.KindPackage, Scope: "nixpkgs", Name: attr, Title: attr, Summary: desc,
			Package: &indexer.Package{Attr: attr, Pname: parts[len(parts)-1], Version: fmt.Sprintf("%d.%d.%d", rng.IntN(9), rng.IntN(30), rng.IntN(20)), Description: desc},
		})
	}
	return docs
}

var syl = strings.Fields(`ba be bi bo bu ca co cu da de di do fa fe fi ga go ha he hi ja jo ka ke ki ko la le li lo lu
	ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo wa xa ya ze zo
	ar er ir or ur an en in on un al el il ol ex ix ox str tr pl gr kr fl sh ch th qu`)

func syllables(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(syl[rng.IntN(len(syl))])
	}
	return b.String()
}

var vocab = strings.Fields(`library tool command line interface server client daemon fast simple small modern
	secure lightweight parser generator bindings plugin extension framework utility utilities manager editor viewer
	terminal graphical network http json yaml toml xml database sql sqlite postgres redis cache proxy web browser
	image audio video media player converter compression archive backup sync file system monitor metrics logging
	testing test unit benchmark documentation formatter linter compiler interpreter language runtime virtual machine
	container kubernetes cloud storage encryption cryptography password authentication identity protocol decentralized
	social feed firehose relay personal data emulator font theme icons game engine physics math numerical scientific
	statistics machine learning neural data analysis plotting visualization git version control build package`)

func describe(rng *rand.Rand) string {
	n := 3 + rng.IntN(8)
	w := make([]string, n)
	for i := range w {
		w[i] = vocab[rng.IntN(len(vocab))]
	}
	s := strings.Join(w, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}
