# One pin of the blacksky-algorithms/rsky Cargo workspace, shared by every
# package built from it (rsky-pds, rsky-relay, rsky-feedgen), so they always
# move together and share one vendored dependency set.
#
# rsky publishes no release tags; this follows the default branch.
# src hash: `git archive <rev> | tar -x -C DIR; nix-hash --type sha256 DIR`
# (the tree fetchFromGitHub unpacks; the rsky-repo/tests/interop_src
# submodule is only test data and is left out, as fetchFromGitHub does
# without fetchSubmodules).
# rsky.Cargo.lock is upstream's Cargo.lock at this revision, unchanged; it
# has no git dependencies, so no outputHashes are needed.
{ fetchFromGitHub }:
let
  rev = "7ebd21ae788c550ee8510034d94eb19ede148738";
in
{
  # Committer date of `rev`.
  version = "0-unstable-2026-08-20";

  src = fetchFromGitHub {
    owner = "blacksky-algorithms";
    repo = "rsky";
    inherit rev;
    hash = "sha256-bsWrtqAZT27TxcDIYNgaKc1vryU9r/fPB1KHEKq581g=";
  };

  cargoLock = {
    lockFile = ./rsky.Cargo.lock;
  };

  # Applied by every package of the workspace (they build from one tree);
  # each patch says which crate it changes.
  patches = [
    # rsky-relay trusts SSL_CERT_FILE's certificate authorities beside its
    # compiled-in roots, so it can reach a private PLC directory or PDS.
    ./rsky-relay-trust-ssl-cert-file.patch
  ];

  homepageOf = crate: "https://github.com/blacksky-algorithms/rsky/tree/main/${crate}";
  # rsky keeps no changelog; the history of the crate's folder up to the
  # pinned commit is the closest thing.
  changelogOf = crate: "https://github.com/blacksky-algorithms/rsky/commits/${rev}/${crate}";
}
