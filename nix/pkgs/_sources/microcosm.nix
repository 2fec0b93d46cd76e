# One pin of the at-microcosm/microcosm-rs Cargo workspace, shared by every
# package built from it (constellation, slingshot, spacedust, ufos), so they
# always move together and share one vendored dependency set.
#
# microcosm-rs publishes no release tags; this follows the default branch.
# src hash: `git archive <rev> | tar -x -C DIR; nix-hash --type sha256 DIR`.
# microcosm.Cargo.lock is upstream's Cargo.lock at this revision, unchanged.
# Its git dependencies, one hash per repository and revision, each the NAR
# hash of that checkout (written out from the repository's tree object, as
# fetchgit checks it out, then `nix-hash --type sha256`):
# - uniphil/atrium @ 80a35599 (atrium-api/-common/-identity/-oauth/-xrpc);
# - fatfingers23/jwt-compact @ aed088b8;
# - fjall-rs/fjall @ fb229572, pruned (see cargoGitPrune): the checkout holds
#   two files of 4 MiB or more that the crate does not use (an example's
#   word list and a corrupt-journal test fixture), and no copy of the
#   repository available here includes them. The fetch deletes them, so the
#   hash is of the checkout without them. fjall has no registry release of
#   this commit: it is 2.11.2 plus the unreleased transaction changes ufos
#   needs; every microcosm revision since 2025-08-12 takes fjall from git.
{ fetchFromGitHub }:
let
  rev = "6f52fc2c707fe326df3f405601248bf5c951a8f4";
  # Committer date of `rev`.
  version = "0-unstable-2026-05-05";

  src = fetchFromGitHub {
    owner = "at-microcosm";
    repo = "microcosm-rs";
    inherit rev;
    hash = "sha256-wb9UZSqKJ8IiGjqBgwW1+1lv1Ta9iXWb7hU26v3SGTo=";
  };

  cargoLock = {
    lockFile = ./microcosm.Cargo.lock;
    outputHashes = {
      "atrium-api-0.25.4" = "sha256-7qBKwPzUMmgJWca4Z4nT9nXq9XvRja9VSNjBFsP7WXg=";
      "jwt-compact-0.9.0-beta.1" = "sha256-x1n7eSMn/i2G5umypVkEtLiiWyn8xrRjeXHLtSkFYeU=";
      "fjall-2.11.2" = "sha256-2cEhJUiyJRMTWFHIgCtHsYeYxcAvjXYUmiuavxR5ZDI=";
    };
  };

  cargoGitPrune."fjall-2.11.2" = [
    "examples/suffix-search/english_words.txt"
    "test_fixture/v2_keyspace_corrupt_journal/journals/2"
  ];

  # The buildRustApplication spec of one crate of the workspace, from what
  # the package says of it (pname, meta, anything it sets differently): the
  # shared pin and lockfile, `-p <pname>` building the binary of that name,
  # and what every crate needs to build: rustls' aws-lc-sys (cmake), bindgen
  # for the C libraries (libclang), and OpenSSL for native-tls (jetstream
  # asks for a vendored OpenSSL build; OPENSSL_NO_VENDOR links nixpkgs'
  # instead). `--version` prints the crate version (0.1.0), not the pin's.
  crate =
    {
      cmake,
      openssl,
      pkg-config,
      rustPlatform,
    }:
    spec:
    {
      inherit
        version
        src
        cargoLock
        cargoGitPrune
        ;
      cargoBuildFlags = [
        "-p"
        spec.pname
      ];
      binaries = [ spec.pname ];
      nativeBuildInputs = [
        cmake
        pkg-config
        rustPlatform.bindgenHook
      ];
      buildInputs = [ openssl ];
      env.OPENSSL_NO_VENDOR = "1";
      versionCheck.version = "0.1.0";
      passthru.atproto.module = "services.atproto.${spec.pname}";
    }
    // spec;
in
{
  inherit
    version
    src
    cargoLock
    cargoGitPrune
    crate
    ;

  homepageOf = name: "https://github.com/at-microcosm/microcosm-rs/tree/main/${name}";
  # microcosm-rs keeps no changelog; the history of the crate's folder up to
  # the pinned commit is the closest thing.
  changelogOf = name: "https://github.com/at-microcosm/microcosm-rs/commits/${rev}/${name}";
}
