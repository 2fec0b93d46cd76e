# hydrant, an AT Protocol indexer and relay written in Rust.
# Settings: the HYDRANT_* variables of src/config/env.rs and src/main.rs (documented in
# docs/configuration.md) at the packaged revision. Unset keys keep the program's defaults,
# several of which depend on the mode (indexer or relay, filtered or full network).
{
  config,
  lib,
  pkgs,
  ...
}@args:
let
  service = import ../lib/service.nix { inherit lib; };
  relay = config.services.atproto.relay or { enable = false; };
  firstPort =
    binds: lib.toInt (lib.last (lib.splitString ":" (builtins.head (lib.splitString "," binds))));
in
service.mkService {
  name = "hydrant";
  displayName = "hydrant";
  description = "hydrant, an AT Protocol indexer and relay";
  notes = ''
    hydrant follows firehoses, backfills the repositories its filter selects and serves
    records, backlinks and event streams on port 3000. Its database lives in
    {file}`/var/lib/atproto-hydrant`. With a local {option}`services.atproto.relay.enable`
    it starts after that relay (point `HYDRANT_RELAY_HOST` at it to read it).

    With the defaults (an indexer, `HYDRANT_FULL_NETWORK` off, no `HYDRANT_FILTER_SIGNALS`)
    it skips every repository it does not know yet, so it indexes only the ones added
    through its `/repos` API: set `HYDRANT_FILTER_SIGNALS` (for example
    `"app.bsky.feed.post"`) to index the repositories that write those collections, or
    `HYDRANT_FULL_NETWORK` to index all.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      HYDRANT_DATABASE_PATH = str "${stateDir}/hydrant.db" "Directory of the database.";
      HYDRANT_API_BIND = str (
        if bindHost "" == "" then "0.0.0.0:3000,[::]:3000" else "127.0.0.1:3000"
      ) "Comma-separated `ip:port` addresses of the API (literal IPs only).";
      HYDRANT_ENABLE_DEBUG = bool false "Serve the debug endpoints.";
      HYDRANT_DEBUG_PORT = nullInt "Port of the debug endpoints. Default: the first API port + 1.";
      HYDRANT_FULL_NETWORK = nullBool "Discover and index every repository on the network. Default: false as indexer, true as relay.";
      HYDRANT_EPHEMERAL = nullBool "Store no records; delete events after HYDRANT_EPHEMERAL_TTL.";
      HYDRANT_EPHEMERAL_TTL = nullStr "How long events are kept in ephemeral mode (humantime, e.g. `60min`).";
      HYDRANT_ONLY_INDEX_LINKS = nullBool "Keep only the index (records, counts, events), not record blocks.";
      HYDRANT_ENABLE_BACKLINKS = nullBool "Maintain the backlink index.";
      HYDRANT_FILTER_SIGNALS = nullStr "Comma-separated NSID patterns selecting repositories to index.";
      HYDRANT_FILTER_COLLECTIONS = nullStr "Comma-separated NSID patterns of collections to store (empty: all).";
      HYDRANT_FILTER_EXCLUDES = nullStr "Comma-separated DIDs never indexed.";
      HYDRANT_RELAY_HOST = nullStr "URL of one firehose source.";
      HYDRANT_RELAY_HOSTS = nullStr "Comma-separated firehose sources (`pds::` prefix for a PDS).";
      HYDRANT_SEED_HOSTS = nullStr "Comma-separated base URLs whose `listHosts` seeds PDS sources.";
      HYDRANT_ENABLE_FIREHOSE = nullBool "Ingest firehose subscriptions. Default: true.";
      HYDRANT_FIREHOSE_WORKERS = nullInt "Concurrent firehose workers.";
      HYDRANT_FIREHOSE_MAX_FAILURES = nullInt "Consecutive failures after which a firehose source is dropped.";
      HYDRANT_CURSOR_SAVE_INTERVAL = nullStr "How often the firehose cursor is saved (humantime, e.g. `3sec`).";
      HYDRANT_CRAWLER_URLS = nullStr "Comma-separated `[mode::]url` crawler sources; empty disables crawling.";
      HYDRANT_ENABLE_CRAWLER = nullBool "Query the network for unknown repositories.";
      HYDRANT_CRAWLER_MAX_PENDING_REPOS = nullInt "Pending repositories at which the crawler pauses. Default: 2000.";
      HYDRANT_CRAWLER_RESUME_PENDING_REPOS = nullInt "Pending repositories at which the crawler resumes. Default: 1000.";
      HYDRANT_ENABLE_BACKFILL = nullBool "Backfill repositories.";
      HYDRANT_BACKFILL_CONCURRENCY_LIMIT = nullInt "Concurrent backfill tasks.";
      HYDRANT_BACKFILL_STRATEGY = nullEnum [ "full" "sparse-filter" "auto" ] "Backfill strategy: `full` downloads whole repositories, `sparse-filter` tries an authenticated sparse download of the filtered collections first, `auto` decides per repository. Default: `auto`.";
      HYDRANT_BACKFILL_PROXIES = nullStr "Comma-separated proxies used for backfill downloads.";
      HYDRANT_GET_REPO_CONCURRENCY_LIMIT = nullInt "Concurrent `getRepo` downloads.";
      HYDRANT_PER_PDS_CONCURRENCY = nullInt "Concurrent requests per PDS.";
      HYDRANT_REPO_FETCH_TIMEOUT = nullStr "Timeout of one repository download (humantime). Default: `5min`.";
      HYDRANT_MAX_CAR_BODY_BYTES = nullInt "Largest repository (CAR) accepted, in bytes.";
      HYDRANT_VERIFY_SIGNATURES = nullEnum [ "full" "backfill-only" "none" ] "Signature verification. Default: `full`.";
      HYDRANT_VERIFY_CIDS = nullBool "Verify record CIDs.";
      HYDRANT_VERIFY_MST = nullBool "Verify repository MST structure.";
      HYDRANT_REV_CLOCK_SKEW = nullStr "Tolerated clock skew of commit revisions (humantime).";
      HYDRANT_PLC_URL = nullStr "Comma-separated PLC directory URLs.";
      HYDRANT_IDENTITY_CACHE_SIZE = nullInt "Identity entries cached in memory. Default: 1000000.";
      HYDRANT_CACHE_SIZE = nullInt "Database cache, in megabytes. Default: 256.";
      HYDRANT_DATA_COMPRESSION = nullStr "Compression of stored data.";
      HYDRANT_JOURNAL_COMPRESSION = nullStr "Compression of the database journal.";
      HYDRANT_DB_WORKER_THREADS = nullInt "Database worker threads.";
      HYDRANT_DB_MAX_JOURNALING_SIZE_MB = nullInt "Largest database journal, in megabytes.";
      HYDRANT_DB_BLOCKS_MEMTABLE_SIZE_MB = nullInt "Memtable of the blocks partition, in megabytes.";
      HYDRANT_DB_EVENTS_MEMTABLE_SIZE_MB = nullInt "Memtable of the events partition, in megabytes.";
      HYDRANT_DB_RECORDS_MEMTABLE_SIZE_MB = nullInt "Memtable of the records partition, in megabytes.";
      HYDRANT_DB_REPOS_MEMTABLE_SIZE_MB = nullInt "Memtable of the repos partition, in megabytes.";
      HYDRANT_DB_RECORDS_BLOOM_FILTERS = nullBool "Bloom filters on the records partition.";
      HYDRANT_STREAM_PENDING_EVENT_LIMIT = nullInt "Events pending per stream subscriber before it is dropped.";
      HYDRANT_STREAM_REPLAY_CHUNK_SIZE = nullInt "Events per replay chunk.";
      HYDRANT_STREAM_REPLAY_CHUNK_PAUSE = nullStr "Pause between replay chunks (humantime).";
      HYDRANT_STREAM_SEND_TIMEOUT = nullStr "Send timeout towards stream subscribers (humantime).";
      HYDRANT_NEW_HOST_LIMIT = nullInt "Relay mode: new hosts added through `requestCrawl` per day. Default: 50.";
      HYDRANT_OFFLINE_HOST_RETRY_INTERVAL = nullStr "Interval between retries of offline hosts (humantime).";
      HYDRANT_RATE_TIERS = nullStr "Comma-separated rate tiers, `name:base/mul/hourly/daily[/account_limit]`.";
      HYDRANT_TIER_RULES = nullStr "Comma-separated `pattern:tier_name` rules assigning PDS hosts to tiers.";
      RUST_LOG = str "info" "Log filter (tracing EnvFilter syntax).";
    };

  ports = cfg: [
    {
      port = firstPort cfg.settings.HYDRANT_API_BIND;
      setting = "HYDRANT_API_BIND";
    }
  ];
  listeners =
    cfg:
    lib.optional cfg.settings.HYDRANT_ENABLE_DEBUG (
      if cfg.settings.HYDRANT_DEBUG_PORT != null then
        service.listenOn cfg "HYDRANT_DEBUG_PORT"
      else
        {
          port = firstPort cfg.settings.HYDRANT_API_BIND + 1;
          setting = "HYDRANT_DEBUG_PORT";
        }
    );
  health.path = "/_health";
  after = _: lib.optional relay.enable "atproto-relay.service";
  logLevel = {
    values = [ "trace" "debug" "info" "warn" "error" ];
    settings = level: { RUST_LOG = level; };
  };
} args
