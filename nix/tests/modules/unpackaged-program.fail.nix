# A module whose program this repository does not package (ozone) fails,
# when its package option is left unset, with a message naming the option
# and what to do, not with a missing attribute.
# expect-error: services.atproto.ozone.package: atproto-nur does not package ozone yet
# expect-error: set services.atproto.ozone.package to your own build of it
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;
  pkgs = eval.pkgs // {
    atproto = removeAttrs eval.pkgs.atproto [ "ozone" ];
  };
in
(lib.evalModules {
  modules = [
    ../../lib/nixos-stubs.nix
    eval.modules.default
    {
      services.atproto.ozone = minimal.ozone // {
        enable = true;
      };
    }
  ];
  specialArgs = { inherit pkgs; };
}).config.systemd.services.atproto-ozone.script
