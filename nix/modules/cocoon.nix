# cocoon (haileyok/cocoon), a PDS written in Go, run as `cocoon run`.
# Settings: the environment variables of its flags at v0.10 (cmd/cocoon/main.go)
# and of bluesky-social/go-util's telemetry flags (DEBUG, METRICS_LISTEN_ADDRESS).
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
  name = "cocoon";
  displayName = "cocoon";
  description = "cocoon, an AT Protocol PDS written in Go";
  notes = ''
    Set {option}`services.atproto.cocoon.settings.COCOON_HOSTNAME`,
    {option}`services.atproto.cocoon.settings.COCOON_DID` and
    {option}`services.atproto.cocoon.settings.COCOON_CONTACT_EMAIL`, and give the four secret
    files (the rotation key and JWK are made with `cocoon create-rotation-key --out FILE`
    and `cocoon create-private-jwk --out FILE`). Data is SQLite in
    {file}`/var/lib/atproto-cocoon` unless {option}`services.atproto.cocoon.database.createLocally`
    selects PostgreSQL.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      COCOON_ADDR = str "${bindHost ""}:8080" "Address and port of the HTTP server.";
      COCOON_DB_TYPE = enum [ "sqlite" "postgres" ] "sqlite" "Database engine.";
      COCOON_DB_NAME = str "${stateDir}/cocoon.db" "Path of the SQLite database.";
      COCOON_DATABASE_URL = nullStr "PostgreSQL connection URL (with `COCOON_DB_TYPE = \"postgres\"`).";
      COCOON_DID = nullStr "DID of the PDS service, e.g. `did:web:pds.example.com`. Required.";
      COCOON_HOSTNAME = nullStr "Public DNS name of the PDS. Required.";
      COCOON_CONTACT_EMAIL = nullStr "Contact e-mail address of the operator. Required.";
      COCOON_RELAYS = list [ "https://bsky.network" ] "Relays asked to crawl this PDS.";
      COCOON_REQUIRE_INVITE = bool true "Whether sign-up requires an invite code (`cocoon create-invite-code`).";
      COCOON_SMTP_USER = nullStr "SMTP user name (the password goes in `smtpPassFile`).";
      COCOON_SMTP_HOST = nullStr "SMTP server host.";
      COCOON_SMTP_PORT = nullStr "SMTP server port.";
      COCOON_SMTP_EMAIL = nullStr "Sender address of e-mails.";
      COCOON_SMTP_NAME = nullStr "Sender name of e-mails.";
      COCOON_S3_BACKUPS_ENABLED = bool false "Upload database backups to S3.";
      COCOON_S3_BLOBSTORE_ENABLED = bool false "Store blobs in S3 instead of the database.";
      COCOON_S3_REGION = nullStr "S3 region.";
      COCOON_S3_BUCKET = nullStr "S3 bucket.";
      COCOON_S3_ENDPOINT = nullStr "S3 endpoint URL.";
      COCOON_S3_ACCESS_KEY = nullStr "S3 access key ID (the secret key goes in `s3SecretKeyFile`).";
      COCOON_S3_CDN_URL = nullStr "Public URL blob downloads are redirected to instead of being proxied.";
      COCOON_SESSION_COOKIE_KEY = str "session" "Name of the session cookie.";
      COCOON_BLOCKSTORE_VARIANT = str "sqlite" "Block store implementation.";
      COCOON_FALLBACK_PROXY = nullStr "Service that requests this PDS cannot answer are proxied to.";
      COCOON_LOG_LEVEL = enum [ "debug" "info" "warn" "error" ] "info" "Log level.";
      DEBUG = bool false "Debug logging of the process-wide logger (bluesky-social/go-util).";
      METRICS_LISTEN_ADDRESS = str "127.0.0.1:6009" "Address of the metrics and pprof listener (the program's own default listens on all addresses).";
    };

  required = {
    COCOON_HOSTNAME = ''the PDS's public DNS name, e.g. services.atproto.cocoon.settings.COCOON_HOSTNAME = "pds.example.com";'';
    COCOON_DID = ''the service DID, e.g. services.atproto.cocoon.settings.COCOON_DID = "did:web:pds.example.com";'';
    COCOON_CONTACT_EMAIL = ''an operator address, e.g. services.atproto.cocoon.settings.COCOON_CONTACT_EMAIL = "admin@example.com";'';
  };

  secrets = {
    rotationKey = {
      path = "COCOON_ROTATION_KEY_PATH";
      description = "the PLC rotation key";
      generate = "cocoon create-rotation-key --out rotation.key";
    };
    jwk = {
      path = "COCOON_JWK_PATH";
      description = "the private JWK signing OAuth tokens";
      generate = "cocoon create-private-jwk --out jwk.key";
    };
    adminPassword = {
      env = "COCOON_ADMIN_PASSWORD";
      description = "the admin password";
      generate = "openssl rand --hex 16";
    };
    sessionSecret = {
      env = "COCOON_SESSION_SECRET";
      description = "the secret of session cookies";
      generate = "openssl rand --hex 32";
    };
    smtpPass = {
      env = "COCOON_SMTP_PASS";
      description = "the SMTP password";
      required = false;
    };
    s3SecretKey = {
      env = "COCOON_S3_SECRET_KEY";
      description = "the S3 secret access key";
      required = false;
    };
  };

  args = _: [ "run" ];
  ports = cfg: [ (service.listenOn cfg "COCOON_ADDR") ];
  listeners = cfg: [ (service.listenOn cfg "METRICS_LISTEN_ADDRESS") ];
  health.path = "/xrpc/_health";
  metrics.port = cfg: service.listenOn cfg "METRICS_LISTEN_ADDRESS";
  database = {
    setting = "COCOON_DATABASE_URL";
    settings.COCOON_DB_TYPE = "postgres";
    # An unreachable database makes cocoon exit with gorm's coloured
    # "failed to connect" line and a source position: check first.
    check = true;
  };

  aliases = {
    DATABASE_URL = "COCOON_DATABASE_URL";
    LOG_LEVEL = "COCOON_LOG_LEVEL";
  };

  logLevel = {
    values = [ "debug" "info" "warn" "error" ];
    settings = level: {
      COCOON_LOG_LEVEL = level;
      DEBUG = level == "debug";
    };
  };
  # go-util's logger writes JSON lines only.
  logFormat = {
    values = [ "json" ];
    default = "json";
  };

  # cocoon reads the URL only with the postgres engine; with the default
  # (sqlite) it starts on its SQLite file without a word about the URL.
  config =
    { cfg, ... }:
    {
      warnings = lib.optional (cfg.settings.COCOON_DATABASE_URL != null && cfg.settings.COCOON_DB_TYPE != "postgres") "services.atproto.cocoon.settings.COCOON_DATABASE_URL is set, but COCOON_DB_TYPE is \"${cfg.settings.COCOON_DB_TYPE}\": cocoon ignores the URL and keeps its data in the SQLite file COCOON_DB_NAME. Set services.atproto.cocoon.settings.COCOON_DB_TYPE = \"postgres\"; to use the database (database.createLocally does).";
    };
} args
