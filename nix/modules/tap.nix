# tap, the repository sync tool of bluesky-social/indigo (cmd/tap), run as `tap run`.
# Settings: the environment variables of its flags (cmd/tap/main.go).
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
  name = "tap";
  displayName = "tap";
  description = "tap, the AT Protocol repository sync and backfill tool from bluesky-social/indigo";
  notes = ''
    tap follows a relay's firehose, backfills the repositories it is told to track and
    hands verified record events to one consumer over a WebSocket (`/channel`) or a webhook.
    Its state is SQLite in {file}`/var/lib/atproto-tap` unless
    {option}`services.atproto.tap.database.createLocally` selects PostgreSQL. It starts after
    a local relay when {option}`services.atproto.relay.enable` is set.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      TAP_BIND = str "${bindHost ""}:2480" "Address and port of the HTTP API.";
      TAP_DATABASE_URL = str "sqlite://${stateDir}/tap.db" "Database: `sqlite://<path>` or `postgres://…`.";
      TAP_MAX_DB_CONNS = positive 32 "Maximum database connections.";
      TAP_PLC_URL = str "https://plc.directory" "URL of the PLC directory.";
      TAP_RELAY_URL = str (
        if relay.enable then
          "http://127.0.0.1:${toString (portOf config.services.atproto.relay.settings.RELAY_API_LISTEN)}"
        else
          "https://relay1.us-east.bsky.network"
      ) "URL of the relay to follow. Default: the local relay when enabled.";
      TAP_FIREHOSE_PARALLELISM = positive 10 "Parallel firehose event processors.";
      TAP_RESYNC_PARALLELISM = positive 5 "Parallel resync workers.";
      TAP_OUTBOX_PARALLELISM = positive 1 "Parallel outbox workers.";
      TAP_CURSOR_SAVE_INTERVAL = str "1s" "How often the firehose cursor is saved (Go duration).";
      TAP_NO_REPLAY = bool false "Ignore the saved cursor and start at the firehose head (not for production).";
      TAP_REPO_FETCH_TIMEOUT = str "300s" "Timeout of a repository (CAR) download (Go duration).";
      RELAY_IDENT_CACHE_SIZE = positive 2000000 "Entries in the in-process identity cache.";
      TAP_OUTBOX_CAPACITY = positive 100000 "Outbox size at which back pressure starts, in events.";
      TAP_FULL_NETWORK = bool false "Enumerate and sync every repository on the network.";
      TAP_SIGNAL_COLLECTION = nullStr "Track the repositories that contain this collection (exact NSID).";
      TAP_DISABLE_ACKS = bool false "Do not wait for consumer acknowledgements (fire and forget).";
      TAP_WEBHOOK_URL = nullStr "Deliver events to this webhook instead of the WebSocket.";
      TAP_COLLECTION_FILTERS = list [ ] "Collections (wildcards allowed) whose records are passed on.";
      TAP_OUTBOX_ONLY = bool false "Run only the outbox (no firehose, resync or enumeration).";
      TAP_RETRY_TIMEOUT = str "60s" "Time before an unacknowledged event is sent again (Go duration).";
      TAP_LOG_LEVEL = enum [ "debug" "info" "warn" "error" ] "info" "Log level.";
      TAP_METRICS_LISTEN = nullStr "Address of the metrics and pprof listener; unset disables it.";
      TAP_ENV = str "dev" "Environment name used in telemetry.";
    };

  secrets.adminPassword = {
    env = "TAP_ADMIN_PASSWORD";
    description = "the HTTP basic-auth password required for every request (when unset, the API is open)";
    generate = "openssl rand --hex 16";
    required = false;
  };

  args = _: [ "run" ];
  ports = cfg: [ (service.listenOn cfg "TAP_BIND") ];
  listeners = cfg: [ (service.listenOn cfg "TAP_METRICS_LISTEN") ];
  health.path = "/health";
  metrics = {
    port = cfg: service.listenOn cfg "TAP_METRICS_LISTEN";
    settings = _: { TAP_METRICS_LISTEN = "127.0.0.1:6010"; };
  };
  database.setting = "TAP_DATABASE_URL";
  after = _: lib.optional relay.enable "atproto-relay.service";

  aliases = {
    ATP_PLC_HOST = "TAP_PLC_URL";
    LOG_LEVEL = "TAP_LOG_LEVEL";
  };

  logLevel = {
    values = [ "debug" "info" "warn" "error" ];
    settings = level: { TAP_LOG_LEVEL = level; };
  };
  logFormat = {
    values = [ "json" ];
    default = "json";
  };
} args
