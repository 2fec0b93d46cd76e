# spacedust (at-microcosm/microcosm-rs), a live stream of link (interaction) events.
# Settings: the environment variables of its flags (spacedust/src/main.rs at microcosm-rs 6f52fc2;
# the packaged revision; facts in nix/tests/modules/upstream-args/spacedust.json).
{
  config,
  lib,
  pkgs,
  ...
}@args:
let
  service = import ../lib/service.nix { inherit lib; };
  inherit (service) portOf;
  jetstream = config.services.atproto.jetstream or { enable = false; };
in
service.mkService {
  name = "spacedust";
  displayName = "spacedust";
  description = "spacedust, the AT Protocol link event stream from microcosm";
  notes = ''
    spacedust extracts links from a jetstream and streams them to WebSocket subscribers
    (`/subscribe`, port 8080). It keeps no data on disk.
  '';

  settings =
    { bindHost, ... }:
    with service.option;
    {
      SPACEDUST_JETSTREAM = str (
        if jetstream.enable then
          "ws://127.0.0.1:${toString (portOf config.services.atproto.jetstream.settings.JETSTREAM_ADDR)}/subscribe"
        else
          "us-east-1"
      ) "Jetstream to read: a `wss://` URL or one of `us-east-1`, `us-east-2`, `us-west-1`, `us-west-2`.";
      SPACEDUST_JETSTREAM_NO_ZSTD = bool false "Ask for uncompressed events (less CPU, more bandwidth).";
      SPACEDUST_BIND = str "${if bindHost "" == "" then "[::]" else bindHost ""}:8080" "Address and port of the HTTP and WebSocket API.";
      SPACEDUST_COLLECT_METRICS = bool false "Collect and serve Prometheus metrics.";
      SPACEDUST_BIND_METRICS = nullStr "Address and port of the metrics listener (the program requires metrics collection with it). Set to `127.0.0.1:8767` by {option}`services.atproto.spacedust.metrics.enable`.";
      RUST_LOG = str "info" "Log filter (env_logger syntax).";
    };

  ports = cfg: [ (service.listenOn cfg "SPACEDUST_BIND") ];
  health.path = "/openapi";
  metrics = {
    port = cfg: service.listenOn cfg "SPACEDUST_BIND_METRICS";
    settings = _: {
      SPACEDUST_COLLECT_METRICS = true;
      SPACEDUST_BIND_METRICS = "127.0.0.1:8767";
    };
  };
  after = _: lib.optional jetstream.enable "atproto-jetstream.service";
  logLevel = {
    values = [ "trace" "debug" "info" "warn" "error" ];
    settings = level: { RUST_LOG = level; };
  };
} args
