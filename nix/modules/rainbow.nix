# rainbow, the firehose fan-out of bluesky-social/indigo (cmd/rainbow).
# Settings: the environment variables of its flags (cmd/rainbow/main.go).
{
  config,
  lib,
  pkgs,
  ...
}@args:
let
  service = import ../lib/service.nix { inherit lib; };
  inherit (service) portOf;
  relay = config.services.atproto.relay or { enable = false; };
in
service.mkService {
  name = "rainbow";
  displayName = "rainbow";
  description = "rainbow, the AT Protocol firehose fan-out (splitter) from bluesky-social/indigo";
  notes = ''
    rainbow subscribes once to an upstream relay and serves many firehose consumers on port
    2480, keeping a local event cache in {file}`/var/lib/atproto-rainbow`. When
    {option}`services.atproto.relay.enable` is set on the same host it follows that relay
    and starts after it. It has no health endpoint: the health probe asks its metrics listener.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      ATP_RELAY_HOST = str (
        if relay.enable then
          "http://127.0.0.1:${toString (portOf config.services.atproto.relay.settings.RELAY_API_LISTEN)}"
        else
          "https://bsky.network"
      ) "URL (scheme and host, no path) of the upstream relay. Default: the local relay when enabled, else `https://bsky.network`.";
      RAINBOW_API_LISTEN = str "${bindHost ""}:2480" "Address and port of the firehose API.";
      RAINBOW_METRICS_LISTEN = str "127.0.0.1:2481" "Address and port of the Prometheus metrics listener.";
      RAINBOW_DB_PATH = str "${stateDir}/rainbow.db" "Path of the event cache database.";
      RAINBOW_CURSOR_PATH = str "${stateDir}/rainbow-cursor" "File recording the upstream cursor.";
      RAINBOW_PERSIST_HOURS = typed lib.types.number 72 "How long events are cached, in hours (may be fractional).";
      RAINBOW_PERSIST_BYTES = int 0 "Target size of the event cache, in bytes; 0 disables trimming by size.";
      RAINBOW_NEXT_CRAWLER = list [ ] "Hosts (scheme and host) to which `requestCrawl` requests are forwarded as well.";
      RAINBOW_COLLECTIONDIR_HOST = str "http://localhost:2510" "collectiondir service answering `com.atproto.sync.listReposByCollection`.";
      RAINBOW_LOG_LEVEL = enum [ "debug" "info" "warn" "error" ] "info" "Log level.";
      RAINBOW_ENABLE_OTEL_OTLP = bool false "Export traces over OTLP.";
      OTEL_EXPORTER_OTLP_ENDPOINT = nullStr "OTLP endpoint for traces. Default: `http://localhost:4318`.";
      ENVIRONMENT = str "dev" "Name of the deployment environment, used in telemetry.";
    };

  ports = cfg: [ (service.listenOn cfg "RAINBOW_API_LISTEN") ];
  listeners = cfg: [ (service.listenOn cfg "RAINBOW_METRICS_LISTEN") ];
  health = {
    path = "/metrics";
    port = cfg: portOf cfg.settings.RAINBOW_METRICS_LISTEN;
  };
  metrics.port = cfg: service.listenOn cfg "RAINBOW_METRICS_LISTEN";
  after = _: lib.optional relay.enable "atproto-relay.service";

  aliases = {
    RAINBOW_RELAY_HOST = "ATP_RELAY_HOST";
    SPLITTER_METRICS_LISTEN = "RAINBOW_METRICS_LISTEN";
    SPLITTER_PERSIST_HOURS = "RAINBOW_PERSIST_HOURS";
    SPLITTER_PERSIST_BYTES = "RAINBOW_PERSIST_BYTES";
    RELAY_NEXT_CRAWLER = "RAINBOW_NEXT_CRAWLER";
    ENABLE_OTEL_OTLP = "RAINBOW_ENABLE_OTEL_OTLP";
    GO_LOG_LEVEL = "RAINBOW_LOG_LEVEL";
    LOG_LEVEL = "RAINBOW_LOG_LEVEL";
  };

  logLevel = {
    values = [ "debug" "info" "warn" "error" ];
    settings = level: { RAINBOW_LOG_LEVEL = level; };
  };
  logFormat = {
    values = [ "json" ];
    default = "json";
  };
} args
