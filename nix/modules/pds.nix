# Bluesky's reference Personal Data Server (bluesky-social/pds, @atproto/pds).
# Settings: every variable read by packages/pds/src/config/env.ts and the
# shared pino logger (packages/common/src/logger.ts) at @atproto/pds 0.4.208.
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
  name = "pds";
  displayName = "the PDS";
  description = "Bluesky's reference AT Protocol Personal Data Server";
  notes = ''
    A minimal host: set {option}`services.atproto.pds.settings.PDS_HOSTNAME` and the three
    required secret files, and put a TLS reverse proxy (nginx, Caddy) in front of port 3000
    for the hostname and its wildcard `*.<hostname>` (handles). Accounts are administered
    with `goat`. All data (SQLite databases, actor repositories, blobs) lives in
    {file}`/var/lib/atproto-pds`; back up that directory.
  '';

  settings =
    { cfg, stateDir, ... }:
    with service.option;
    {
      PDS_HOSTNAME = nullStr "Public DNS name of the PDS (no scheme), e.g. `pds.example.com`. Required.";
      PDS_PORT = port 3000 "TCP port of the HTTP server (it listens on all addresses).";
      PDS_SERVICE_DID = nullStr "DID of the service. Default: `did:web:<PDS_HOSTNAME>`.";
      PDS_SERVICE_NAME = nullStr "Name shown on the sign-in pages. Default: `<PDS_HOSTNAME> PDS`.";
      PDS_VERSION = nullStr "Version string reported by `/xrpc/_health`.";
      PDS_HOME_URL = nullStr "URL of the operator's home page, linked from the sign-in pages.";
      PDS_LOGO_URL = nullStr "URL of the logo shown on the sign-in pages.";
      PDS_PRIVACY_POLICY_URL = nullStr "URL of the privacy policy shown to users.";
      PDS_SUPPORT_URL = nullStr "URL of the support page shown to users.";
      PDS_TERMS_OF_SERVICE_URL = nullStr "URL of the terms of service shown to users.";
      PDS_CONTACT_EMAIL_ADDRESS = nullStr "Contact e-mail address published in the server description.";
      PDS_ACCEPTING_REPO_IMPORTS = nullBool "Whether accounts may import a repository (CAR file). Default: true.";
      PDS_MAX_REPO_IMPORT_SIZE = nullInt "Largest repository import accepted, in bytes. Default: no limit.";
      PDS_BLOB_UPLOAD_LIMIT = nullInt "Largest blob upload accepted, in bytes. Default: 5242880 (5 MiB).";
      PDS_DEV_MODE = bool false "Development mode: relaxes checks (plain HTTP, no SSRF protection). Never in production.";

      PDS_HCAPTCHA_SITE_KEY = nullStr "hCaptcha site key; enables a captcha at sign-up (the secret key goes in `hcaptchaSecretKeyFile`).";
      PDS_OAUTH_TRUSTED_CLIENTS = nullStr "Comma-separated OAuth client IDs trusted to skip the consent screen.";
      PDS_LIGHT_COLOR = nullStr "Branding: light background colour of the OAuth pages (CSS colour).";
      PDS_DARK_COLOR = nullStr "Branding: dark background colour of the OAuth pages (CSS colour).";
      PDS_PRIMARY_COLOR = nullStr "Branding: primary colour (CSS colour).";
      PDS_PRIMARY_COLOR_CONTRAST = nullStr "Branding: text colour on the primary colour.";
      PDS_PRIMARY_COLOR_HUE = nullInt "Branding: hue of the primary colour, in degrees.";
      PDS_ERROR_COLOR = nullStr "Branding: error colour.";
      PDS_ERROR_COLOR_CONTRAST = nullStr "Branding: text colour on the error colour.";
      PDS_ERROR_COLOR_HUE = nullInt "Branding: hue of the error colour, in degrees.";
      PDS_WARNING_COLOR = nullStr "Branding: warning colour.";
      PDS_WARNING_COLOR_CONTRAST = nullStr "Branding: text colour on the warning colour.";
      PDS_WARNING_COLOR_HUE = nullInt "Branding: hue of the warning colour, in degrees.";
      PDS_SUCCESS_COLOR = nullStr "Branding: success colour.";
      PDS_SUCCESS_COLOR_CONTRAST = nullStr "Branding: text colour on the success colour.";
      PDS_SUCCESS_COLOR_HUE = nullInt "Branding: hue of the success colour, in degrees.";

      PDS_DATA_DIRECTORY = str stateDir "Directory of the SQLite databases and actor stores.";
      PDS_SQLITE_DISABLE_WAL_AUTO_CHECKPOINT = bool false "Disable SQLite's automatic WAL checkpoints (for external checkpointing, e.g. Litestream).";
      PDS_ACCOUNT_DB_LOCATION = nullStr "Path of the account database. Default: `<PDS_DATA_DIRECTORY>/account.sqlite`.";
      PDS_SEQUENCER_DB_LOCATION = nullStr "Path of the event sequencer database. Default: `<PDS_DATA_DIRECTORY>/sequencer.sqlite`.";
      PDS_DID_CACHE_DB_LOCATION = nullStr "Path of the DID cache database. Default: `<PDS_DATA_DIRECTORY>/did_cache.sqlite`.";
      PDS_ACTOR_STORE_DIRECTORY = nullStr "Directory of the per-account stores. Default: `<PDS_DATA_DIRECTORY>/actors`.";
      PDS_ACTOR_STORE_CACHE_SIZE = nullInt "Number of actor stores kept open. Default: 100.";

      PDS_BLOBSTORE_DISK_LOCATION = typed (lib.types.nullOr lib.types.str)
        (if cfg.settings.PDS_BLOBSTORE_S3_BUCKET or null != null then null else "${stateDir}/blocks")
        "Directory of uploaded blobs. Set to null when blobs go to S3 (exactly one blob store may be configured).";
      PDS_BLOBSTORE_DISK_TMP_LOCATION = nullStr "Directory for blobs being uploaded. Default: a `temp` folder in the system temporary directory.";
      PDS_BLOBSTORE_S3_BUCKET = nullStr "S3 bucket for blobs instead of the disk blob store.";
      PDS_BLOBSTORE_S3_REGION = nullStr "Region of the S3 bucket.";
      PDS_BLOBSTORE_S3_ENDPOINT = nullStr "Endpoint URL of an S3-compatible store.";
      PDS_BLOBSTORE_S3_FORCE_PATH_STYLE = nullBool "Use path-style S3 URLs (needed by most S3-compatible stores).";
      PDS_BLOBSTORE_S3_ACCESS_KEY_ID = nullStr "S3 access key ID (the secret key goes in `blobstoreS3SecretAccessKeyFile`).";
      PDS_BLOBSTORE_S3_UPLOAD_TIMEOUT_MS = nullInt "Timeout of one S3 upload, in milliseconds.";

      PDS_DID_PLC_URL = str "https://plc.directory" "URL of the PLC directory.";
      PDS_DID_CACHE_STALE_TTL = nullInt "Age after which a cached DID document is refreshed in the background, in milliseconds. Default: 3600000 (1 hour).";
      PDS_DID_CACHE_MAX_TTL = nullInt "Age after which a cached DID document is no longer used, in milliseconds. Default: 86400000 (1 day).";
      PDS_ID_RESOLVER_TIMEOUT = nullInt "Timeout of DID and handle resolution, in milliseconds. Default: 3000.";
      PDS_RECOVERY_DID_KEY = nullStr "did:key added as a recovery rotation key to new accounts' PLC documents.";
      PDS_SERVICE_HANDLE_DOMAINS = nullStr "Comma-separated handle suffixes users may register (each starting with a dot). Default: `.<PDS_HOSTNAME>`.";
      PDS_HANDLE_BACKUP_NAMESERVERS = nullStr "Comma-separated DNS servers used when handle TXT resolution fails.";
      PDS_ENABLE_DID_DOC_WITH_SESSION = nullBool "Include the DID document in session responses.";

      PDS_ENTRYWAY_URL = nullStr "URL of an entryway this PDS sits behind (multi-PDS deployments).";
      PDS_ENTRYWAY_DID = nullStr "DID of the entryway.";
      PDS_ENTRYWAY_JWT_VERIFY_KEY_K256_PUBLIC_KEY_HEX = nullStr "Entryway's K256 public key (hex) verifying its JWTs.";
      PDS_ENTRYWAY_PLC_ROTATION_KEY = nullStr "Entryway's PLC rotation key (did:key).";

      PDS_INVITE_REQUIRED = bool false "Whether sign-up requires an invite code.";
      PDS_INVITE_INTERVAL = nullInt "Interval at which accounts earn an invite code, in milliseconds.";
      PDS_INVITE_EPOCH = nullInt "Start of the invite interval, as a Unix time in milliseconds. Default: 0.";

      PDS_EMAIL_FROM_ADDRESS = nullStr "Sender address of e-mails (the SMTP URL goes in `emailSmtpUrlFile`).";
      PDS_MODERATION_EMAIL_ADDRESS = nullStr "Address of moderation e-mails (the SMTP URL goes in `moderationEmailSmtpUrlFile`).";

      PDS_MAX_SUBSCRIPTION_BUFFER = nullInt "Events buffered per firehose subscriber before it is dropped. Default: 500.";
      PDS_REPO_BACKFILL_LIMIT_MS = nullInt "How far back the firehose can be replayed with a cursor, in milliseconds. Default: 86400000 (1 day).";

      PDS_BSKY_APP_VIEW_URL = typed (lib.types.nullOr lib.types.str) "https://api.bsky.app" "URL of the Bluesky AppView requests are proxied to (with PDS_BSKY_APP_VIEW_DID). The program has none unless set; this default is what the official installer writes.";
      PDS_BSKY_APP_VIEW_DID = typed (lib.types.nullOr lib.types.str) "did:web:api.bsky.app" "DID of the Bluesky AppView.";
      PDS_BSKY_APP_VIEW_CDN_URL_PATTERN = nullStr "URL pattern of the AppView's image CDN.";
      PDS_MOD_SERVICE_URL = nullStr "URL of the moderation service.";
      PDS_MOD_SERVICE_DID = nullStr "DID of the moderation service.";
      PDS_REPORT_SERVICE_URL = typed (lib.types.nullOr lib.types.str) "https://mod.bsky.app" "URL of the service receiving moderation reports (with PDS_REPORT_SERVICE_DID). Without it reports go to PDS_MOD_SERVICE_URL; this default is the official installer's.";
      PDS_REPORT_SERVICE_DID = typed (lib.types.nullOr lib.types.str) "did:plc:ar7c4by46qjdydhdevvrndac" "DID of the service receiving moderation reports.";

      PDS_RATE_LIMITS_ENABLED = bool true "Whether rate limits apply (kept in memory, or in Redis with PDS_REDIS_SCRATCH_ADDRESS). The program's own default is off; this module turns them on.";
      PDS_RATE_LIMIT_BYPASS_IPS = nullStr "Comma-separated IP addresses exempt from rate limits.";
      PDS_REDIS_SCRATCH_ADDRESS = nullStr "Redis address (`host:port`) shared by several PDS processes for rate limits.";

      PDS_CRAWLERS = list [ "https://bsky.network" ] "Relays asked to crawl this PDS when its repositories change. The program asks none unless set; this default is the official installer's.";

      PDS_PLC_ROTATION_KEY_KMS_KEY_ID = nullStr "AWS KMS key ID used as the PLC rotation key instead of `plcRotationKeyFile`.";

      PDS_DISABLE_SSRF_PROTECTION = nullBool "Allow outgoing requests to private addresses. Default: the value of PDS_DEV_MODE.";
      PDS_FETCH_MAX_RESPONSE_SIZE = nullInt "Largest response to an outgoing fetch, in bytes. Default: 524288 (512 KiB).";
      PDS_PROXY_ALLOW_HTTP2 = nullBool "Use HTTP/2 for proxied requests. Default: false.";
      PDS_PROXY_HEADERS_TIMEOUT = nullInt "Timeout for the headers of a proxied response, in milliseconds. Default: 10000.";
      PDS_PROXY_BODY_TIMEOUT = nullInt "Timeout for the body of a proxied response, in milliseconds. Default: 30000.";
      PDS_PROXY_MAX_RESPONSE_SIZE = nullInt "Largest proxied response, in bytes. Default: 10485760 (10 MiB).";
      PDS_PROXY_MAX_RETRIES = nullInt "Retries of a failed proxied request.";
      PDS_PROXY_PREFER_COMPRESSED = nullBool "Ask upstreams for compressed responses. Default: false.";
      PDS_LEXICON_AUTHORITY_DID = nullStr "DID trusted as the authority for Lexicon schema resolution.";

      LOG_ENABLED = bool true "Whether the pino logger writes anything (it is off unless set).";
      LOG_LEVEL = enum [ "trace" "debug" "info" "warn" "error" "fatal" "silent" ] "info" "Minimum log level.";
      LOG_SYSTEMS = nullStr "Space-separated subsystems to log (e.g. `pds pds:db`). Default: all.";
      LOG_DESTINATION = nullStr "File to write logs to instead of standard output (the journal).";
    };

  required.PDS_HOSTNAME = ''the PDS's public DNS name, e.g. services.atproto.pds.settings.PDS_HOSTNAME = "pds.example.com";'';

  secrets = {
    jwtSecret = {
      env = "PDS_JWT_SECRET";
      description = "the secret signing session tokens";
      generate = "openssl rand --hex 16";
    };
    adminPassword = {
      env = "PDS_ADMIN_PASSWORD";
      description = "the admin password (HTTP basic auth of admin endpoints, used by goat and pdsadmin)";
      generate = "openssl rand --hex 16";
    };
    plcRotationKey = {
      env = "PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX";
      description = "the hex-encoded secp256k1 private key that signs the PLC operations of this PDS's accounts";
      generate = "openssl ecparam --name secp256k1 --genkey --noout --outform DER | tail --bytes=+8 | head --bytes=32 | xxd --plain --cols 32";
    };
    dpopSecret = {
      env = "PDS_DPOP_SECRET";
      description = "the secret of the OAuth DPoP nonces (default: derived at start, so nonces do not survive restarts)";
      generate = "openssl rand --hex 32";
      required = false;
    };
    emailSmtpUrl = {
      env = "PDS_EMAIL_SMTP_URL";
      description = "the SMTP URL (with credentials) of outgoing mail, e.g. `smtps://user:password@smtp.example.com/`";
      required = false;
    };
    moderationEmailSmtpUrl = {
      env = "PDS_MODERATION_EMAIL_SMTP_URL";
      description = "the SMTP URL of moderation mail";
      required = false;
    };
    blobstoreS3SecretAccessKey = {
      env = "PDS_BLOBSTORE_S3_SECRET_ACCESS_KEY";
      description = "the S3 secret access key";
      required = false;
    };
    hcaptchaSecretKey = {
      env = "PDS_HCAPTCHA_SECRET_KEY";
      description = "the hCaptcha secret key";
      required = false;
    };
    hcaptchaTokenSalt = {
      env = "PDS_HCAPTCHA_TOKEN_SALT";
      description = "the salt of hCaptcha tokens";
      generate = "openssl rand --hex 16";
      required = false;
    };
    redisScratchPassword = {
      env = "PDS_REDIS_SCRATCH_PASSWORD";
      description = "the Redis password";
      required = false;
    };
    rateLimitBypassKey = {
      env = "PDS_RATE_LIMIT_BYPASS_KEY";
      description = "the key that exempts requests from rate limits";
      required = false;
    };
    entrywayAdminToken = {
      env = "PDS_ENTRYWAY_ADMIN_TOKEN";
      description = "the entryway's admin token";
      required = false;
    };
  };

  ports = cfg: [ (service.listenOn cfg "PDS_PORT") ];

  # Each account's repository signing key is a plain file beside its
  # store (<actor store>/<hash prefix>/<did>/key); restored without it,
  # the account logs in and reads but every write fails (ENOENT).
  backupFiles = [ "actors/*/*/key" ];
  health.path = "/xrpc/_health";

  logLevel = {
    values = [ "trace" "debug" "info" "warn" "error" "fatal" ];
    settings = level: { LOG_LEVEL = level; };
  };
  # pino writes JSON lines only.
  logFormat = {
    values = [ "json" ];
    default = "json";
  };

  assertions =
    { cfg, ... }:
    [
      {
        assertion = (cfg.settings.PDS_BSKY_APP_VIEW_URL == null) || (cfg.settings.PDS_BSKY_APP_VIEW_DID != null);
        message = "services.atproto.pds.settings.PDS_BSKY_APP_VIEW_URL is set without PDS_BSKY_APP_VIEW_DID; the PDS refuses to start. Set both, or set PDS_BSKY_APP_VIEW_URL = null.";
      }
      {
        assertion = (cfg.settings.PDS_REPORT_SERVICE_URL == null) || (cfg.settings.PDS_REPORT_SERVICE_DID != null);
        message = "services.atproto.pds.settings.PDS_REPORT_SERVICE_URL is set without PDS_REPORT_SERVICE_DID; the PDS refuses to start. Set both, or set PDS_REPORT_SERVICE_URL = null.";
      }
      {
        assertion = cfg.settings.PDS_BLOBSTORE_S3_BUCKET == null || cfg.settings.PDS_BLOBSTORE_DISK_LOCATION == null;
        message = "services.atproto.pds.settings: PDS_BLOBSTORE_S3_BUCKET and PDS_BLOBSTORE_DISK_LOCATION are both set, but the PDS takes exactly one blob store; set PDS_BLOBSTORE_DISK_LOCATION = null to use S3.";
      }
      {
        assertion = cfg.settings.PDS_EMAIL_FROM_ADDRESS == null || cfg.emailSmtpUrlFile != null;
        message = "services.atproto.pds.settings.PDS_EMAIL_FROM_ADDRESS is set but services.atproto.pds.emailSmtpUrlFile is not; the PDS refuses to start with only one of them. Point emailSmtpUrlFile to a file holding the SMTP URL.";
      }
    ];

  serviceConfig = _: {
    # Node's V8 JIT writes and then executes machine code.
    MemoryDenyWriteExecute = false;
  };
} args
