# Metrics listeners count as well: tap's metrics moved onto the relay's
# metrics port fails, naming the metrics settings of both.
# expect-error: tap and relay both listen on TCP port 2471
# expect-error: services.atproto.tap.settings.TAP_METRICS_LISTEN (bound to 127.0.0.1)
# expect-error: services.atproto.relay.settings.RELAY_METRICS_LISTEN (bound to 127.0.0.1)
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;
in
(eval.checked [
  {
    services.atproto.relay = minimal.relay // {
      enable = true;
    };
    services.atproto.tap = minimal.tap // {
      enable = true;
      metrics.enable = true;
      settings = (minimal.tap.settings or { }) // {
        TAP_METRICS_LISTEN = "127.0.0.1:2471";
      };
    };
  }
]).config.systemd.services.atproto-tap.environment
