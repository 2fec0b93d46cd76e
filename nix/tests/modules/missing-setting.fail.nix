# A missing required setting fails evaluation naming the option and how to set it.
# expect-error: services.atproto.pds.settings.PDS_HOSTNAME is not set
# expect-error: services.atproto.pds.settings.PDS_HOSTNAME = "pds.example.com";
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;
in
(eval.checked [
  {
    services.atproto.pds = removeAttrs minimal.pds [ "settings" ] // {
      enable = true;
    };
  }
]).config.systemd.services.atproto-pds.environment
