# rainbow and tap both default to upstream's port 2480: enabling both stops
# the configuration with a message naming both services, the port and the
# option to change for each, instead of a service failing at start.
# expect-error: tap and rainbow both listen on TCP port 2480
# expect-error: services.atproto.tap.settings.TAP_BIND
# expect-error: services.atproto.rainbow.settings.RAINBOW_API_LISTEN
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;
in
(eval.checked [
  {
    services.atproto.rainbow = minimal.rainbow // {
      enable = true;
    };
    services.atproto.tap = minimal.tap // {
      enable = true;
    };
  }
]).config.systemd.services.atproto-tap.environment
