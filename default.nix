# NUR entry point. With this repository added as a channel named `atproto`:
#   nix-env -iA atproto.pds
# or from a checkout:
#   nix-build -A relay
# Every package by its attribute name, plus `lib` (the packaging and service
# helpers), `modules` (NixOS modules: one per service and `default`) and
# `overlays` (`default` puts the packages under `pkgs.atproto`). The modules
# take their packages from `pkgs.atproto`, so a NixOS configuration using
# them adds the overlay too:
#   imports = [ atproto.modules.pds ];
#   nixpkgs.overlays = [ atproto.overlays.default ];
# (the flake's nixosModules add it themselves).
{
  pkgs ? import <nixpkgs> { },
}:
let
  repo = import ./nix {
    inherit (pkgs) lib;
    inherit pkgs;
  };
in
repo.packages
// {
  lib = repo.atprotoLib;
  modules = repo.modules;
  overlays.default = repo.overlay;
}
