# jetstream (bluesky-social/jetstream), the JSON firehose and archive, run as `jetstream serve`.
# Settings: the environment variables of its flags at v0.2.0 (cmd/jetstream/main.go).
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
  name = "jetstream";
  displayName = "jetstream";
  description = "jetstream, the JSON firehose and full-network archive from bluesky-social/jetstream";
  notes = ''
    jetstream reads a relay's firehose, keeps an archive under {file}`/var/lib/atproto-jetstream`
    and serves JSON events on `/subscribe` (port 8080). Its operations listener
    (metrics, `/healthz`) is enabled on 127.0.0.1:6060 by this module. When
    {option}`services.atproto.relay.enable` is set on the same host it reads that relay and
    starts after it. jetstream refuses to start on an unknown `JETSTREAM_*` variable, so such
    keys in {option}`services.atproto.jetstream.settings` fail evaluation.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      JETSTREAM_ADDR = str "${bindHost ""}:8080" "Address and port of the public HTTP listener.";
      JETSTREAM_DEBUG_ADDR = str "127.0.0.1:6060" "Address and port of the operations listener (metrics, pprof, `/healthz`); empty disables it (and the health check).";
      JETSTREAM_RELAY_URL = str (
        if relay.enable then
          "http://127.0.0.1:${toString (portOf config.services.atproto.relay.settings.RELAY_API_LISTEN)}"
        else
          "https://bsky.network"
      ) "Base URL of the upstream relay. Default: the local relay when enabled.";
      JETSTREAM_PLC_URL = nullStr "Base URL of the PLC directory. Default: `https://plc.directory`.";
      JETSTREAM_DATA_DIR = str "${stateDir}/data" "Data directory (metadata store, segments).";
      JETSTREAM_LOG_LEVEL = enum [ "debug" "info" "warn" "error" ] "info" "Log level.";
      JETSTREAM_LOG_FORMAT = enum [ "json" "text" ] "json" "Log format.";
      JETSTREAM_SHUTDOWN_TIMEOUT = str "5s" "Longest graceful shutdown after a signal (Go duration).";
      JETSTREAM_CLIENT_DRAIN_TIMEOUT = str "10s" "Time subscribers get to receive a clean close frame at shutdown (Go duration).";
      JETSTREAM_BACKFILL_GLOBAL_DOWNLOADS = positive 256 "Repository downloads in flight across all hosts during backfill.";
      JETSTREAM_BACKFILL_HOST_WORKERS_MAX = positive 32 "Download workers per PDS host during backfill.";
      JETSTREAM_BACKFILL_MAX_ACTIVE_HOSTS = positive 512 "PDS hosts listed concurrently during backfill.";
      JETSTREAM_BACKFILL_MAX_HOSTS = positive 50000 "Hosts accepted from the relay's host list.";
      JETSTREAM_BACKFILL_BATCH_SIZE = int 5000 "Repositories per backfill checkpoint of a host; 0 uses the built-in default.";
      JETSTREAM_BACKFILL_ASYNC_FLUSH_WORKERS = int 4 "Compression workers of backfill segment flushes; 0 flushes synchronously.";
      JETSTREAM_MAX_BACKFILL_REPOS = int 0 "Debugging: back up at most this many repositories; 0 means all (production).";
      JETSTREAM_BACKFILL_WORKERS = nullInt "Deprecated and ignored by the program (use the JETSTREAM_BACKFILL_* limits).";
      JETSTREAM_BACKFILL_REPOS = nullStr "Debugging: comma-separated DIDs to backfill instead of walking every repository.";
      JETSTREAM_SKIP_MERGE_DISCOVERY = bool false "Debugging: skip the rescan for accounts created during the merge phase.";
      JETSTREAM_FAILED_REPO_RETRY_INTERVAL = str "4h" "Interval of retries of repositories whose backfill failed (Go duration); 0 disables them.";
      JETSTREAM_FAILED_REPO_RETRY_WORKERS = int 16 "Workers retrying failed repositories; 0 uses the built-in default.";
      JETSTREAM_FAILED_REPO_RETRY_HOST_WORKERS = int 4 "Concurrent retries per PDS host; 0 uses the built-in default.";
      JETSTREAM_FAILED_REPO_RETRY_MAX_DELAY = str "168h" "Longest backoff between retries of one repository (Go duration).";
      JETSTREAM_PLAN_MAX_DIDS = int 10000 "DIDs accepted by one planSnapshot request; 0 disables DID filters.";
      JETSTREAM_PLAN_MAX_COLLECTIONS = int 100 "Collections accepted by one planSnapshot request; 0 disables collection filters.";
      JETSTREAM_PLAN_MAX_ENTRIES = int 100000 "Work entries in one planSnapshot page; 0 returns one unbounded page.";
      JETSTREAM_PLAN_WHOLE_SEGMENT_THRESHOLD = typed lib.types.number 0.75 "Share of selected blocks from which planSnapshot returns a whole segment.";
      JETSTREAM_CURSOR_BLOCK_INDEX_CACHE_SIZE = nullInt "Deprecated; accepted and ignored by the program.";
      JETSTREAM_DISABLE_REPO_ACTION_RATE_LIMITS = bool false "Disable per-IP rate limits of expensive status-page actions.";
      JETSTREAM_CURSOR_LOOKBACK = str "36h" "Oldest replay reachable with `?cursor=` (Go duration); 0 disables replay.";
      JETSTREAM_SEGMENT_CACHE_MAX_AGE = str "0s" "Cache-Control max-age of segment downloads (Go duration).";
      JETSTREAM_SUBSCRIBE_READ_LOG_RETENTION_BYTES = positive 268435456 "Bytes of recent events kept for `/subscribe` clients.";
      JETSTREAM_SUBSCRIBE_BLOCK_CACHE_BYTES = positive 67108864 "Bytes of the decoded block cache for lagging subscribers.";
      JETSTREAM_SUBSCRIBE_READ_BATCH = positive 1024 "Events per read for one subscriber.";
      JETSTREAM_SUBSCRIBE_SLOW_WINDOW = str "60s" "Window over which a slow subscriber is judged before it is dropped (Go duration).";
      JETSTREAM_SUBSCRIBE_SLOW_MIN_RATE = typed lib.types.number 5 "Events per second below which a lagging subscriber is dropped.";
      JETSTREAM_COMPACTION_INTERVAL = str "4h" "Interval between compaction passes (Go duration); 0 disables compaction.";
      JETSTREAM_COMPACTION_TOMBSTONE_CAP = positive 32000000 "Tombstones kept before an early compaction pass.";
      JETSTREAM_COMPACTION_REWRITE_WORKERS = int 0 "Segments rewritten concurrently; 0 uses min(CPUs, 8).";
      JETSTREAM_TIMESTAMP_IMPORT_DIR = nullStr "Directory the timestamp-import endpoint may read from. Default: `<data dir>/imports`.";
      OTEL_SERVICE_NAME = str "jetstream" "service.name of emitted trace spans.";
    };

  secrets.timestampImportToken = {
    env = "JETSTREAM_TIMESTAMP_IMPORT_TOKEN";
    description = "the bearer token enabling the timestamp-import endpoints (disabled without it)";
    generate = "openssl rand --hex 32";
    required = false;
  };

  args = _: [ "serve" ];
  ports = cfg: [ (service.listenOn cfg "JETSTREAM_ADDR") ];
  listeners = cfg: [ (service.listenOn cfg "JETSTREAM_DEBUG_ADDR") ];
  health = {
    path = "/healthz";
    port = cfg: portOf cfg.settings.JETSTREAM_DEBUG_ADDR;
  };
  metrics.port = cfg: service.listenOn cfg "JETSTREAM_DEBUG_ADDR";
  after = _: lib.optional relay.enable "atproto-relay.service";

  logLevel = {
    values = [ "debug" "info" "warn" "error" ];
    settings = level: { JETSTREAM_LOG_LEVEL = level; };
  };
  logFormat = {
    values = [ "json" "text" ];
    default = "json";
    settings = format: { JETSTREAM_LOG_FORMAT = format; };
  };

  strictPrefix = "JETSTREAM_";
  assertions =
    { cfg, ... }:
    [
      {
        assertion = cfg.settings.JETSTREAM_DEBUG_ADDR != "" || !cfg.healthCheck.enable;
        message = "services.atproto.jetstream.settings.JETSTREAM_DEBUG_ADDR is empty, but the health check needs the operations listener; set it (e.g. \"127.0.0.1:6060\") or set services.atproto.jetstream.healthCheck.enable = false.";
      }
    ];
} args
