# Ozone (bluesky-social/ozone), the labeler and moderation service with its web UI.
# Settings: the variables read by @atproto/ozone 0.1.169, the version nix/pkgs/ozone runs
# (packages/ozone/src/config/env.ts; re-audited against 0.1.169: the same names as 0.1.167),
# by the service entry point (OZONE_DB_MIGRATE, NODE_ENV) and by the pino logger
# (@atproto/common's logger.ts: LOG_ENABLED, LOG_LEVEL, LOG_SYSTEMS, LOG_DESTINATION).
# Two programs read them: the server (service/index.js, unit atproto-ozone) and the daemon
# (service/daemon.js, unit atproto-ozone-daemon), which alone runs the background jobs.
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
  name = "ozone";
  displayName = "Ozone";
  description = "Ozone, the AT Protocol labeler and moderation service";
  notes = ''
    Ozone needs PostgreSQL: set {option}`services.atproto.ozone.database.createLocally` or
    {option}`services.atproto.ozone.settings.OZONE_DB_POSTGRES_URL`. Set the public URL, the
    service DID (the labeler account's DID), the admin DIDs and the signing key of the labeler
    account; put a TLS reverse proxy in front of port 3000. Migrations run at start
    (`OZONE_DB_MIGRATE=1`). A second unit, `atproto-ozone-daemon`, runs Ozone's background jobs
    with the same settings (see {option}`services.atproto.ozone.daemon.enable`).
  '';

  settings =
    { cfg, ... }:
    with service.option;
    {
      OZONE_PORT = port 3000 "TCP port of the HTTP server (API and web UI).";
      OZONE_PUBLIC_URL = nullStr "Public URL of this service, e.g. `https://ozone.example.com`. Required.";
      OZONE_SERVER_DID = nullStr "DID of the labeler account this service acts for. Required.";
      OZONE_VERSION = nullStr "Version string reported by the service. Default: the package version.";
      OZONE_DEV_MODE = bool false "Development mode.";
      OZONE_SERVICE_RECORD_CACHE_TTL = nullInt "How long the labeler service record is cached, in milliseconds. Default: 300000 (5 min).";
      OZONE_APPVIEW_URL = str "https://api.bsky.app" "URL of the AppView.";
      OZONE_APPVIEW_DID = str "did:web:api.bsky.app" "DID of the AppView.";
      OZONE_APPVIEW_PUSH_EVENTS = bool false "Push moderation events to the AppView (done by the daemon).";
      OZONE_PDS_URL = nullStr "URL of a PDS for admin actions (with `OZONE_PDS_DID`).";
      OZONE_PDS_DID = nullStr "DID of that PDS.";
      OZONE_CHAT_URL = nullStr "URL of the chat service (with `OZONE_CHAT_DID`).";
      OZONE_CHAT_DID = nullStr "DID of the chat service.";
      OZONE_DB_POSTGRES_URL = nullStr "PostgreSQL connection URL. Required unless `database.createLocally` is set.";
      OZONE_DB_POSTGRES_SCHEMA = nullStr "PostgreSQL schema.";
      OZONE_DB_POOL_SIZE = nullInt "Connections in the database pool.";
      OZONE_DB_POOL_MAX_USES = nullInt "Queries after which a pooled connection is replaced.";
      OZONE_DB_POOL_IDLE_TIMEOUT_MS = nullInt "Idle time after which a pooled connection closes, in milliseconds.";
      OZONE_DB_MATERIALIZED_VIEW_REFRESH_INTERVAL_MS = nullInt "Interval of materialized view refreshes, in milliseconds (read by the daemon).";
      OZONE_DB_TEAM_PROFILE_REFRESH_INTERVAL_MS = nullInt "Interval of team profile refreshes, in milliseconds (read by the daemon).";
      OZONE_DB_MIGRATE = enum [ "0" "1" ] "1" "`1` runs database migrations at start.";
      OZONE_DID_PLC_URL = str "https://plc.directory" "URL of the PLC directory.";
      OZONE_DID_CACHE_STALE_TTL = nullInt "Age after which a cached DID document is refreshed, in milliseconds. Default: 3600000.";
      OZONE_DID_CACHE_MAX_TTL = nullInt "Age after which a cached DID document is dropped, in milliseconds. Default: 86400000.";
      OZONE_CDN_PATHS = list [ ] "CDN URL paths whose content can be taken down.";
      OZONE_ADMIN_DIDS = list [ ] "DIDs with the admin role.";
      OZONE_MODERATOR_DIDS = list [ ] "DIDs with the moderator role.";
      OZONE_TRIAGE_DIDS = list [ ] "DIDs with the triage role.";
      OZONE_BLOB_DIVERT_URL = nullStr "Service receiving diverted blobs (its password goes in `blobDivertAdminPasswordFile`).";
      OZONE_VERIFIER_URL = nullStr "URL of the verification service.";
      OZONE_VERIFIER_DID = nullStr "DID of the verifier account.";
      OZONE_VERIFIER_ISSUERS_TO_INDEX = list [ ] "Verification issuers whose records are indexed.";
      OZONE_JETSTREAM_URL = nullStr "Jetstream URL used to index verifications (read by the daemon).";
      NODE_ENV = str "production" "Node.js environment; `production` serves the prebuilt web UI.";
      LOG_ENABLED = bool true "Whether the pino logger writes anything.";
      LOG_LEVEL = enum [ "trace" "debug" "info" "warn" "error" "fatal" "silent" ] "info" "Minimum log level.";
      LOG_SYSTEMS = nullStr "Space-separated subsystems to log. Default: all.";
      LOG_DESTINATION = nullStr "File to write logs to instead of the journal.";
    };

  required = {
    OZONE_PUBLIC_URL = ''the public URL, e.g. services.atproto.ozone.settings.OZONE_PUBLIC_URL = "https://ozone.example.com";'';
    OZONE_SERVER_DID = ''the labeler account's DID, e.g. services.atproto.ozone.settings.OZONE_SERVER_DID = "did:plc:…";'';
    OZONE_DB_POSTGRES_URL = ''a PostgreSQL URL, or set services.atproto.ozone.database.createLocally = true;'';
  };

  secrets = {
    adminPassword = {
      env = "OZONE_ADMIN_PASSWORD";
      description = "the admin password";
      generate = "openssl rand --hex 16";
    };
    signingKey = {
      env = "OZONE_SIGNING_KEY_HEX";
      description = "the hex-encoded secp256k1 private key signing labels";
      generate = "openssl ecparam --name secp256k1 --genkey --noout --outform DER | tail --bytes=+8 | head --bytes=32 | xxd --plain --cols 32";
    };
    blobDivertAdminPassword = {
      env = "OZONE_BLOB_DIVERT_ADMIN_PASSWORD";
      description = "the admin password of the blob divert service";
      required = false;
    };
    verifierPassword = {
      env = "OZONE_VERIFIER_PASSWORD";
      description = "the password of the verifier account";
      required = false;
    };
  };

  ports = cfg: [ (service.listenOn cfg "OZONE_PORT") ];
  health.path = "/xrpc/_health";
  database.setting = "OZONE_DB_POSTGRES_URL";

  logLevel = {
    values = [ "trace" "debug" "info" "warn" "error" "fatal" ];
    settings = level: { LOG_LEVEL = level; };
  };
  logFormat = {
    values = [ "json" ];
    default = "json";
  };

  assertions =
    { cfg, ... }:
    [
      {
        assertion = (cfg.settings.OZONE_PDS_URL == null) == (cfg.settings.OZONE_PDS_DID == null);
        message = "services.atproto.ozone.settings: OZONE_PDS_URL and OZONE_PDS_DID must be set together (Ozone refuses one without the other).";
      }
      {
        assertion = (cfg.settings.OZONE_CHAT_URL == null) == (cfg.settings.OZONE_CHAT_DID == null);
        message = "services.atproto.ozone.settings: OZONE_CHAT_URL and OZONE_CHAT_DID must be set together (Ozone refuses one without the other).";
      }
    ];

  serviceConfig = _: {
    # Node's V8 JIT writes and then executes machine code.
    MemoryDenyWriteExecute = false;
  };

  extraOptions = _: {
    daemon.enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = ''
        Whether to run Ozone's daemon (`ozone-daemon`, unit `atproto-ozone-daemon`) beside the
        server, with the same settings and secrets. It alone runs the background jobs: pushing
        moderation events to the AppView and PDS (`OZONE_APPVIEW_PUSH_EVENTS`), reversing
        temporary takedowns when they expire, scheduled actions, strike expiry, the
        materialized-view and team-profile refreshes (`OZONE_DB_*_REFRESH_INTERVAL_MS`) and the
        verification listener (`OZONE_JETSTREAM_URL`). Upstream's compose file runs it as the
        `daemon` profile.
      '';
    };
  };

  # The daemon: the server's configuration, the other program (see `companions` in
  # nix/lib/service.nix).
  companions =
    { cfg, ... }:
    {
      daemon = {
        inherit (cfg.daemon) enable;
        description = "Ozone daemon (background jobs of services.atproto.ozone)";
        program = lib.getExe' cfg.package "ozone-daemon";
      };
    };
} args
