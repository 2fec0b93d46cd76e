# atprotoLib: the helpers every package and module of this repository uses.
#
#   import ./nix/lib { inherit lib pkgs; }   real mode: builders make derivations
#   import ./nix/lib { inherit lib; }        metadata mode: builders return plain
#                                            attribute sets (nixpkgs lib only)
#
# The builders and their spec are documented in nix/lib/README.md.
{
  lib,
  pkgs ? null,
}:
let
  support = import ./build-support.nix { inherit lib pkgs; };
  builderArgs = { inherit lib pkgs support; };
in
{
  # "real" when given a nixpkgs package set, "metadata" with lib alone.
  mode = if pkgs == null then "metadata" else "real";

  buildGoApplication = import ./build-go-application.nix builderArgs;
  buildRustApplication = import ./build-rust-application.nix builderArgs;
  buildNodeApplication = import ./build-node-application.nix builderArgs;
  buildScriptBundle = import ./build-script-bundle.nix builderArgs;

  # This repository's maintainer list (nixpkgs maintainer-list shape).
  maintainers = import ./maintainers.nix;

  # Fetcher stand-ins, placeholders and a module-evaluation `pkgs` for
  # metadata mode (see metadata-pkgs.nix).
  metadata = import ./metadata-pkgs.nix { inherit lib; };

  # The service-module helper (nix/lib/service.nix, `{ lib }:` -> mkService
  # and friends) and the NixOS option stubs module (nix/lib/nixos-stubs.nix),
  # or null while absent.
  service = if builtins.pathExists ./service.nix then import ./service.nix { inherit lib; } else null;
  nixosStubs = if builtins.pathExists ./nixos-stubs.nix then ./nixos-stubs.nix else null;
}
