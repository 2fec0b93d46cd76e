# The `repo` argument of every Nix test (see nix/tests/run): this
# repository evaluated in metadata mode with nixpkgs lib alone, plus the docs
# export, the checkout's path and the flake's outputs evaluated against a
# lib-only stand-in for nixpkgs.
{ lib }:
let
  rootPath = ../../..;
  repo = import (rootPath + "/nix") { inherit lib; };

  # Enough of a nixpkgs flake input for the outputs that do not build:
  # `lib` is real; each package set has `lib` and platform facts, and
  # anything else taken from it fails with "attribute missing".
  stubNixpkgs = {
    inherit lib;
    outPath = "/nixpkgs-stand-in";
    legacyPackages = lib.genAttrs lib.systems.flakeExposed (system: {
      inherit lib;
      stdenv.hostPlatform = lib.systems.elaborate system;
    });
  };
  flakeOutputs = (import (rootPath + "/flake.nix")).outputs {
    self = flakeOutputs // {
      outPath = rootPath;
    };
    nixpkgs = stubNixpkgs;
  };
in
repo
// {
  inherit rootPath;
  docs = import (rootPath + "/nix/docs") { inherit lib; };
  flake = flakeOutputs;
  flakeAttrs = import (rootPath + "/flake.nix");
  # A package set built from other package.nix files (test fixtures), the
  # way nix/default.nix builds the real one.
  callMetadataPackage =
    file:
    repo.atprotoLib.metadata.callPackage (
      repo.atprotoLib.metadata.knownArgs // { atprotoLib = repo.atprotoLib; }
    ) file { };
}
