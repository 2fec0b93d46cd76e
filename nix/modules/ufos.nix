# ufos (at-microcosm/microcosm-rs), collection statistics and samples of the whole network.
# Settings: the environment variables of its flags (ufos/src/main.rs at microcosm-rs 6f52fc2;
# the packaged revision; facts in nix/tests/modules/upstream-args/ufos.json).
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
  name = "ufos";
  displayName = "ufos";
  description = "ufos, AT Protocol collection statistics from microcosm";
  notes = ''
    ufos counts records per collection from a jetstream, keeps samples in
    {file}`/var/lib/atproto-ufos` and serves them on port 9990. It stores its
    jetstream cursor with the first batch of events it writes (seconds
    after the first events, or 30 s after the last one on a quiet jetstream): a store without one counts as fresh at the next
    start, and ufos then exits with "init failed: value for key [js_endpoint]
    already exists" — start it on a jetstream that is already delivering
    events, or empty {file}`/var/lib/atproto-ufos/data` after such a failure.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      UFOS_JETSTREAM = str (
        if jetstream.enable then
          "ws://127.0.0.1:${toString (portOf config.services.atproto.jetstream.settings.JETSTREAM_ADDR)}/subscribe"
        else
          "us-east-1"
      ) "Jetstream to read: a `wss://` URL or one of `us-east-1`, `us-east-2`, `us-west-1`, `us-west-2`.";
      UFOS_JETSTREAM_FORCE = bool false "Allow switching to a different jetstream than the stored one.";
      UFOS_JETSTREAM_NO_ZSTD = bool false "Ask for uncompressed events. The packaged revision reads the flag but ignores it: it always asks for zstd-compressed events.";
      UFOS_BIND = str "${bindHost "0.0.0.0"}:9990" "Address and port of the HTTP API.";
      UFOS_DATA = str "${stateDir}/data" "Directory of the store.";
      UFOS_PAUSE_WRITER = bool false "Debugging: do not consume the jetstream.";
      UFOS_BACKFILL_MODE = bool false "Tune background tasks for backfilling.";
      UFOS_REROLL = bool false "Reset the rollup cursor to catch up on missed events.";
      UFOS_JETSTREAM_FIXTURE = bool false "Debugging: read UFOS_JETSTREAM as a file of saved events.";
      UFOS_COLLECT_METRICS = bool false "Collect Prometheus metrics.";
      UFOS_BIND_METRICS = nullStr "Address and port of the metrics listener, used with UFOS_COLLECT_METRICS (default: `0.0.0.0:8765`). Set to `127.0.0.1:8768` by {option}`services.atproto.ufos.metrics.enable`.";
      RUST_LOG = str "info" "Log filter (env_logger syntax).";
    };

  ports = cfg: [ (service.listenOn cfg "UFOS_BIND") ];
  health.path = "/openapi";
  metrics = {
    port = cfg: service.listenOn cfg "UFOS_BIND_METRICS";
    settings = _: {
      UFOS_COLLECT_METRICS = true;
      UFOS_BIND_METRICS = "127.0.0.1:8768";
    };
  };
  after = _: lib.optional jetstream.enable "atproto-jetstream.service";
  logLevel = {
    values = [ "trace" "debug" "info" "warn" "error" ];
    settings = level: { RUST_LOG = level; };
  };
} args
