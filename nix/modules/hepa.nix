# hepa, the automated moderation daemon of bluesky-social/indigo (cmd/hepa), run as `hepa run`.
# Settings: the environment variables of its flags (cmd/hepa/main.go).
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
  name = "hepa";
  displayName = "hepa";
  description = "hepa, the automod rules engine for Ozone from bluesky-social/indigo";
  notes = ''
    hepa reads the firehose, runs its rule set and files reports, labels and takedowns in an
    Ozone instance with {option}`services.atproto.hepa.ozoneAdminTokenFile`. It serves no API:
    the health probe asks its metrics listener.
  '';

  settings =
    { stateDir, ... }:
    with service.option;
    {
      ATP_RELAY_HOST = str (
        if relay.enable then
          "ws://127.0.0.1:${toString (portOf config.services.atproto.relay.settings.RELAY_API_LISTEN)}"
        else
          "wss://bsky.network"
      ) "Relay whose firehose is read (`wss://host`). Default: the local relay when enabled.";
      ATP_PLC_HOST = str "https://plc.directory" "URL of the PLC directory.";
      ATP_BSKY_HOST = str "https://public.api.bsky.app" "URL of the Bluesky AppView (unauthenticated reads).";
      ATP_OZONE_HOST = str "https://mod.bsky.app" "URL of the Ozone instance receiving actions.";
      HEPA_OZONE_DID = nullStr "DID of the account that Ozone actions are attributed to.";
      ATP_PDS_HOST = str "https://bsky.social" "URL of the PDS (or entryway) queried with admin auth for account details.";
      HEPA_REDIS_URL = nullStr "Redis URL for shared counters and caches; unset keeps them in memory.";
      HEPA_PLC_RATE_LIMIT = positive 100 "Maximum requests per second to the PLC directory.";
      HEPA_SETS_JSON_PATH = nullStr "JSON file of static sets used by the rules.";
      ABYSS_HOST = nullStr "URL of the abusive-image scanning API.";
      HEPA_RULESET = nullEnum [ "default" "no-blobs" "only-blobs" ] "Rule set. Default: `default`.";
      HEPA_LOG_LEVEL = enum [ "debug" "info" "warn" "error" ] "info" "Log level.";
      HEPA_FIREHOSE_PARALLELISM = int 0 "Fixed number of parallel firehose workers; 0 scales automatically.";
      HEPA_PRESCREEN_HOST = nullStr "Host of the image prescreen service.";
      HEPA_REPORT_DUPE_PERIOD = str "24h" "Period in which an account is not reported again for the same reason (Go duration).";
      HEPA_QUOTA_MOD_REPORT_DAY = positive 10000 "Reports filed per day at most (circuit breaker).";
      HEPA_QUOTA_MOD_TAKEDOWN_DAY = positive 200 "Takedowns per day at most (circuit breaker).";
      HEPA_QUOTA_MOD_ACTION_DAY = positive 2000 "Other actions per day at most (circuit breaker).";
      HEPA_RECORD_EVENT_TIMEOUT = str "30s" "Processing time limit for a record event (Go duration).";
      HEPA_IDENTITY_EVENT_TIMEOUT = str "10s" "Processing time limit for an identity or account event (Go duration).";
      HEPA_OZONE_EVENT_TIMEOUT = str "30s" "Processing time limit for an Ozone event (Go duration).";
      HEPA_METRICS_LISTEN = str "127.0.0.1:3989" "Address and port of the metrics listener.";
    };

  secrets = {
    ozoneAdminToken = {
      env = "HEPA_OZONE_AUTH_ADMIN_TOKEN";
      description = "the admin password of the Ozone instance";
      required = false;
    };
    pdsAdminToken = {
      env = "HEPA_PDS_AUTH_ADMIN_TOKEN";
      description = "the admin password of the PDS or entryway";
      required = false;
    };
    hiveaiApiToken = {
      env = "HIVEAI_API_TOKEN";
      description = "the Hive AI API token for image labelling";
      required = false;
    };
    abyssPassword = {
      env = "ABYSS_PASSWORD";
      description = "the admin password of the abyss API";
      required = false;
    };
    prescreenToken = {
      env = "HEPA_PRESCREEN_TOKEN";
      description = "the token of the prescreen service";
      required = false;
    };
    ratelimitBypass = {
      env = "HEPA_RATELIMIT_BYPASS";
      description = "the HTTP header value that bypasses rate limits";
      required = false;
    };
    slackWebhookUrl = {
      env = "SLACK_WEBHOOK_URL";
      description = "the Slack webhook URL for notifications";
      required = false;
    };
  };

  args = _: [ "run" ];
  health = {
    path = "/metrics";
    port = cfg: portOf cfg.settings.HEPA_METRICS_LISTEN;
  };
  metrics.port = cfg: service.listenOn cfg "HEPA_METRICS_LISTEN";
  listeners = cfg: [ (service.listenOn cfg "HEPA_METRICS_LISTEN") ];
  after = _: lib.optional relay.enable "atproto-relay.service";

  aliases = {
    ATP_BGS_HOST = "ATP_RELAY_HOST";
    ATP_MOD_HOST = "ATP_OZONE_HOST";
    HEPA_MOD_AUTH_ADMIN_TOKEN = "HEPA_OZONE_AUTH_ADMIN_TOKEN";
    RATELIMIT_BYPASS = "HEPA_RATELIMIT_BYPASS";
    LOG_LEVEL = "HEPA_LOG_LEVEL";
  };

  logLevel = {
    values = [ "debug" "info" "warn" "error" ];
    settings = level: { HEPA_LOG_LEVEL = level; };
  };
  logFormat = {
    values = [ "json" ];
    default = "json";
  };
} args
