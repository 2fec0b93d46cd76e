# allegedly refuses a bind address beside ACME domains (even from the
# environment), so the module stops the configuration with the fix.
# expect-error: settings.ALLEGEDLY_BIND and settings.ALLEGEDLY_ACME_DOMAIN exclude each other
# expect-error: Remove the ALLEGEDLY_BIND setting
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;
in
(eval.checked [
  {
    services.atproto.allegedly = minimal.allegedly // {
      enable = true;
      settings = (minimal.allegedly.settings or { }) // {
        ALLEGEDLY_ACME_DOMAIN = [ "plc.example.com" ];
        ALLEGEDLY_BIND = "0.0.0.0:8000";
      };
    };
  }
]).config.systemd.services.atproto-allegedly.environment
