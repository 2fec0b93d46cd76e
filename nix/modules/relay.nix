# The atproto relay of bluesky-social/indigo (cmd/relay), run as `relay serve`.
# Settings: the environment variables of its command-line flags at the
# packaged indigo revision 4b983a7 (cmd/relay/main.go).
{
  config,
  lib,
  pkgs,
  ...
}@args:
let
  service = import ../lib/service.nix { inherit lib; };
in
service.mkService {
  name = "relay";
  displayName = "the relay";
  description = "AT Protocol relay (firehose aggregator) from bluesky-social/indigo";
  notes = ''
    The relay crawls PDS hosts and serves their merged firehose
    (`com.atproto.sync.subscribeRepos`) on port 2470. Its metadata lives in SQLite under
    {file}`/var/lib/atproto-relay` unless {option}`services.atproto.relay.database.createLocally`
    (or a `postgres://` {option}`services.atproto.relay.settings.DATABASE_URL`) selects PostgreSQL.
    Firehose playback files are kept for {option}`services.atproto.relay.settings.RELAY_REPLAY_WINDOW`.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      RELAY_API_LISTEN = str "${bindHost ""}:2470" "Address and port of the HTTP API and firehose (`host:port`; an empty host means all addresses; loopback under network isolation).";
      RELAY_METRICS_LISTEN = str "127.0.0.1:2471" "Address and port of the Prometheus metrics listener.";
      DATABASE_URL = str "sqlite://${stateDir}/relay.sqlite" "Database of hosts and accounts: `sqlite://<path>` or `postgres://…`.";
      MAX_DB_CONNECTIONS = positive 40 "Size of the database connection pool.";
      RELAY_PERSIST_DIR = str "${stateDir}/persist" "Directory of the firehose playback files.";
      RELAY_REPLAY_WINDOW = str "72h" "How long firehose events are kept for replay (Go duration, e.g. `72h`).";
      RELAY_HOST_CONCURRENCY = positive 40 "Concurrent workers per upstream host.";
      RELAY_DEFAULT_ACCOUNT_LIMIT = positive 100 "Maximum active accounts for a newly added upstream host.";
      RELAY_NEW_HOSTS_PER_DAY_LIMIT = int 50 "Maximum new hosts subscribed per day through public `requestCrawl`.";
      RELAY_IDENT_CACHE_SIZE = positive 5000000 "Entries in the in-process identity (DID document) cache.";
      RELAY_DISABLE_REQUEST_CRAWL = bool false "Ignore unauthenticated `com.atproto.sync.requestCrawl` requests.";
      RELAY_ALLOW_INSECURE_HOSTS = bool false "Allow subscribing to hosts without TLS through `requestCrawl`.";
      RELAY_LENIENT_SYNC_VALIDATION = bool false "Log, but do not drop, messages failing Sync 1.1 validation.";
      RELAY_INITIAL_SEQ_NUMBER = positive 1 "Lowest sequence number of the outgoing firehose.";
      RELAY_SIBLING_RELAYS = list [ ] "Relays (`https://host`) to which admin state changes are forwarded.";
      RELAY_TRUSTED_DOMAINS = list [ "*.host.bsky.network" ] "Domains whose hosts are trusted (a `*.` prefix matches subdomains).";
      RELAY_PLC_HOST = str "https://plc.directory" "URL of the PLC directory.";
      RELAY_LOG_LEVEL = enum [ "debug" "info" "warn" "error" ] "info" "Log level.";
      RELAY_ACCOUNT_LIMIT_ALERT_THRESHOLD = typed lib.types.number 0.8 "Fraction of a host's account limit at which an alert is sent.";
      RELAY_ACCOUNT_LIMIT_ALERT_INTERVAL = str "5m" "How often hosts are checked against their account limits (Go duration).";
      RELAY_ACCOUNT_LIMIT_ALERT_REPEAT_INTERVAL = str "6h" "Shortest interval between repeated alerts for one host (Go duration).";
      RELAY_ACCOUNT_LIMIT_ALERT_DASHBOARD_URL = nullStr "Dashboard URL linked from account-limit alerts.";
      RELAY_SLACK_ALERT_CHANNEL = nullStr "Slack channel ID or name for account-limit alerts (the bot token goes in `slackAlertTokenFile`).";
      ENVIRONMENT = str "dev" "Name of the deployment environment, used as a metrics label.";
      OTEL_EXPORTER_OTLP_ENDPOINT = nullStr "OTLP endpoint for traces (used with tracing enabled).";
    };

  secrets = {
    adminPassword = {
      env = "RELAY_ADMIN_PASSWORD";
      description = "the password of the admin API and web UI";
      generate = "openssl rand --hex 16";
    };
    slackAlertToken = {
      env = "RELAY_SLACK_ALERT_TOKEN";
      description = "the Slack bot token for account-limit alerts";
      required = false;
    };
  };

  args = _: [ "serve" ];
  ports = cfg: [ (service.listenOn cfg "RELAY_API_LISTEN") ];
  listeners = cfg: [ (service.listenOn cfg "RELAY_METRICS_LISTEN") ];
  health.path = "/xrpc/_health";
  metrics.port = cfg: service.listenOn cfg "RELAY_METRICS_LISTEN";
  database.setting = "DATABASE_URL";

  aliases = {
    RELAY_API_BIND = "RELAY_API_LISTEN";
    RELAY_ADMIN_KEY = "RELAY_ADMIN_PASSWORD";
    ATP_PLC_HOST = "RELAY_PLC_HOST";
    GO_LOG_LEVEL = "RELAY_LOG_LEVEL";
    LOG_LEVEL = "RELAY_LOG_LEVEL";
    MAX_METADB_CONNECTIONS = "MAX_DB_CONNECTIONS";
    RELAY_PERSISTER_DIR = "RELAY_PERSIST_DIR";
    RELAY_EVENT_PLAYBACK_TTL = "RELAY_REPLAY_WINDOW";
    RELAY_CONCURRENCY_PER_PDS = "RELAY_HOST_CONCURRENCY";
    RELAY_DEFAULT_REPO_LIMIT = "RELAY_DEFAULT_ACCOUNT_LIMIT";
    RELAY_DID_CACHE_SIZE = "RELAY_IDENT_CACHE_SIZE";
    RELAY_ALERT_DASHBOARD_URL = "RELAY_ACCOUNT_LIMIT_ALERT_DASHBOARD_URL";
    RELAY_ALERT_SLACK_CHANNEL = "RELAY_SLACK_ALERT_CHANNEL";
    RELAY_ALERT_SLACK_TOKEN = "RELAY_SLACK_ALERT_TOKEN";
  };

  logLevel = {
    values = [ "debug" "info" "warn" "error" ];
    settings = level: { RELAY_LOG_LEVEL = level; };
  };
  # slog's JSON handler only.
  logFormat = {
    values = [ "json" ];
    default = "json";
  };
} args
