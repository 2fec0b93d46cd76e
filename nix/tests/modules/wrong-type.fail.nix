# A setting of the wrong type fails evaluation naming the option and the type it needs.
# expect-error: services.atproto.pds.settings.PDS_PORT' is not of type
# expect-error: 16 bit unsigned integer
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;
in
(eval.checked [
  {
    services.atproto.pds = lib.mkMerge [
      minimal.pds
      {
        enable = true;
        settings.PDS_PORT = "3000";
      }
    ];
  }
]).config.systemd.services.atproto-pds.environment
