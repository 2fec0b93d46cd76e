# One pin of bluesky-social/indigo shared by the programs built from its
# `cmd/` folder (relay, rainbow, tap, hepa): one source, one vendor hash, so
# the four always build from the same commit and share the Go module cache.
#
# Hashes (computed here, method in each package's commit message):
# - hash: `git archive <rev> | tar -x -C DIR; nix-hash --type sha256 DIR`
# - vendorHash: in that tree, `GOFLAGS=-mod=mod go mod vendor;
#   nix-hash --type sha256 vendor` (Go 1.26.8)
# both converted to SRI form.
{ lib, fetchFromGitHub }:

let
  rev = "4b983a7e86c859af7b44f5f9fc8eda5d0e62b3ce";
  # The pin's version for programs without release tags of their own;
  # <date> is the committer date of `rev`. Spelled out (not built from
  # `date`) so nix-update finds and replaces it in this file.
  unstableVersion = "0-unstable-2026-08-19";
in
{
  inherit rev unstableVersion;
  date = lib.removePrefix "0-unstable-" unstableVersion;

  src = fetchFromGitHub {
    owner = "bluesky-social";
    repo = "indigo";
    inherit rev;
    hash = "sha256-Ui8u1KIKNdoqh7Q9TNwOz7N6LBLKVy+qqsPDGsEnV5Y=";
  };

  vendorHash = "sha256-+iNsUcCvH8/SrbmpMY0tNJA/QrKtQLvpHAevEsDcotY=";

  # The programs print `versioninfo.Short()` (earthboundkid/versioninfo),
  # which reads VCS data from the Go build info. A Nix build has none, so it
  # would say "devel", and the library's `Version` variable is overwritten at
  # init, so `-X` cannot set it. Put the package version in its place instead
  # (in `--version` and in the User-Agent the programs send).
  #   program: folder under cmd/; files: the files there calling Short().
  versionPatch =
    {
      program,
      version,
      files ? [ "main.go" ],
    }:
    lib.concatMapStrings (file: ''
      substituteInPlace cmd/${program}/${file} \
        --replace-fail 'versioninfo.Short()' '"${version}"' \
        --replace-fail '"github.com/earthboundkid/versioninfo/v2"' ""
    '') files;

  # Every program updates the one pin here, through the `relay` attribute
  # (nix-update edits the version, rev and both hashes in this file).
  updateScript.extraArgs = [
    "relay"
    "--override-filename"
    "nix/pkgs/_sources/indigo.nix"
  ];

  # LICENSE-DUAL: "MIT license ... or the Apache License, Version 2.0".
  license = with lib.licenses; [
    mit
    asl20
  ];

  homepageOf = program: "https://github.com/bluesky-social/indigo/tree/main/cmd/${program}";
  # indigo keeps no changelog for its programs; the history of the program's
  # folder up to the pinned commit is the closest thing.
  changelogOf = program: "https://github.com/bluesky-social/indigo/commits/${rev}/cmd/${program}";
}
