# Every unit the modules generate, each module enabled with its minimal
# configuration (minimal.nix) and, for the modules that have them, metrics and
# the health check on: { "<unit>.service" = "<unit file text>"; }.
# Used by exposure_test.go, which scores each file with
# `systemd-analyze security --offline=true`.
#   nix-instantiate --eval --strict --json nix/tests/modules/units.nix
let
  lib = import <nixpkgs/lib>;
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;
  render = import ./unit-file.nix { inherit lib; };
  names = builtins.attrNames (removeAttrs eval.modules [ "default" ]);
  unitsOf =
    name:
    let
      result = eval.checked [ { services.atproto.${name} = minimal.${name} // { enable = true; }; } ];
    in
    lib.mapAttrs' (unit: value: lib.nameValuePair "${unit}.service" (render unit value)) (
      lib.filterAttrs (unit: _: lib.hasPrefix "atproto-" unit) result.config.systemd.services
    );
in
lib.foldl' (acc: name: acc // unitsOf name) { } names
