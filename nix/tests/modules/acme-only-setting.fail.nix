# slingshot requires an ACME domain beside its other ACME settings (clap
# `requires`, which counts a value from the environment even when it is
# false), so setting one without the domain stops the configuration.
# expect-error: settings.SLINGSHOT_ACME_IPV6: used only in ACME mode
# expect-error: unless settings.SLINGSHOT_ACME_DOMAIN is set
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;
in
(eval.checked [
  {
    services.atproto.slingshot = minimal.slingshot // {
      enable = true;
      settings = (minimal.slingshot.settings or { }) // {
        SLINGSHOT_ACME_IPV6 = false;
      };
    };
  }
]).config.systemd.services.atproto-slingshot.environment
