# rsky-pds (blacksky-algorithms/rsky), a PDS written in Rust on Rocket.
# Settings: the variables read by rsky-pds/src (config/mod.rs and the places that read
# secrets, mail and S3 settings) at the packaged revision, plus Rocket's ROCKET_* listener.
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
  name = "rsky-pds";
  displayName = "rsky-pds";
  description = "rsky-pds, an AT Protocol PDS written in Rust";
  notes = ''
    Set {option}`services.atproto.rsky-pds.settings.PDS_HOSTNAME` and the four key files.
    Data (SQLite databases, actor stores, blobs on disk) lives in
    {file}`/var/lib/atproto-rsky-pds`. Rocket listens on
    {option}`services.atproto.rsky-pds.settings.ROCKET_ADDRESS`:{option}`services.atproto.rsky-pds.settings.ROCKET_PORT`;
    `PDS_PORT` only shapes the public URL in development.
  '';

  settings =
    { cfg, stateDir, bindHost, ... }:
    with service.option;
    {
      ROCKET_ADDRESS = str (bindHost "0.0.0.0") "Address the HTTP server binds to (Rocket).";
      ROCKET_PORT = port 2583 "TCP port of the HTTP server (Rocket).";
      ROCKET_LOG_LEVEL = enum [ "off" "critical" "normal" "debug" ] "normal" "Rocket's log level.";
      PDS_PORT = port 2583 "Port used in the public URL when PDS_HOSTNAME is `localhost`.";
      PDS_HOSTNAME = nullStr "Public DNS name of the PDS. Required.";
      # Set, not left to the program: only its configuration falls back to
      # did:web:<PDS_HOSTNAME>; account creation, describeServer and token
      # checks read the variable itself and panic when it is unset.
      PDS_SERVICE_DID = typed (lib.types.nullOr lib.types.str)
        (if cfg.settings.PDS_HOSTNAME or null != null then "did:web:${cfg.settings.PDS_HOSTNAME}" else null)
        "DID of the service. Default: `did:web:<PDS_HOSTNAME>`.";
      PDS_VERSION = nullStr "Version string reported by the server.";
      VERSION = nullStr "Version reported by `/xrpc/_health`.";
      PDS_DEV_MODE = bool false "Development mode.";
      PDS_CONTACT_EMAIL_ADDRESS = nullStr "Contact e-mail address in the server description.";
      PDS_PRIVACY_POLICY_URL = nullStr "URL of the privacy policy.";
      PDS_TERMS_OF_SERVICE_URL = nullStr "URL of the terms of service.";
      PDS_ACCEPTING_REPO_IMPORTS = bool true "Whether accounts may import a repository.";
      IMPORT_REPO_LIMIT = positive 100 "Largest repository import, in megabytes.";
      PDS_BLOB_UPLOAD_LIMIT = positive 5242880 "Largest blob upload, in bytes.";
      PDS_DATA_DIRECTORY = str stateDir "Directory of the SQLite databases and actor stores.";
      PDS_ACCOUNT_DB_LOCATION = nullStr "Path of the account database. Default: `<data>/account.sqlite`.";
      PDS_SEQUENCER_DB_LOCATION = nullStr "Path of the sequencer database. Default: `<data>/sequencer.sqlite`.";
      PDS_DID_CACHE_DB_LOCATION = nullStr "Path of the DID cache database. Default: `<data>/did_cache.sqlite`.";
      PDS_ACTOR_STORE_DIRECTORY = nullStr "Directory of the actor stores. Default: `<data>/actors`.";
      PDS_ACTOR_STORE_CACHE_SIZE = positive 100 "Actor stores kept open.";
      PDS_BLOBSTORE_DISK_LOCATION = typed (lib.types.nullOr lib.types.str)
        (if cfg.settings.PDS_BLOBSTORE_S3_BUCKET or null != null then null else "${stateDir}/blocks")
        "Directory of blobs; null when blobs go to S3.";
      PDS_BLOBSTORE_DISK_TMP_LOCATION = nullStr "Directory of blobs being uploaded.";
      PDS_BLOBSTORE_S3_BUCKET = nullStr "S3 bucket for blobs (exclusive with the disk store).";
      AWS_ENDPOINT = nullStr "S3 endpoint URL. Default: `localhost`.";
      PDS_DID_PLC_URL = str "https://plc.directory" "URL of the PLC directory.";
      PDS_SERVICE_HANDLE_DOMAINS = list [ ] "Handle suffixes users may register. Default: `.<PDS_HOSTNAME>`.";
      PDS_HANDLE_BACKUP_NAMESERVERS = list [ ] "DNS servers for handle resolution when the default fails.";
      PDS_ID_RESOLVER_TIMEOUT = positive 3000 "Timeout of DID and handle resolution, in milliseconds.";
      PDS_DID_CACHE_STALE_TTL = positive 3600000 "Age after which a cached DID document is refreshed, in milliseconds.";
      PDS_DID_CACHE_MAX_TTL = positive 86400000 "Age after which a cached DID document is dropped, in milliseconds.";
      PDS_RECOVERY_DID_KEY = nullStr "did:key added as a recovery rotation key to new accounts.";
      PDS_ENABLE_DID_DOC_WITH_SESSION = bool false "Include the DID document in session responses.";
      PDS_BSKY_APP_VIEW_URL = str "https://api.bsky.app" "URL of the AppView.";
      PDS_BSKY_APP_VIEW_DID = str "did:web:api.bsky.app" "DID of the AppView.";
      PDS_BSKY_APP_VIEW_CDN_URL_PATTERN = nullStr "URL pattern of the AppView's image CDN.";
      PDS_MOD_SERVICE_URL = nullStr "URL of the moderation service.";
      PDS_MOD_SERVICE_DID = nullStr "DID of the moderation service.";
      PDS_REPORT_SERVICE_URL = str "https://mod.bsky.app" "URL of the report service.";
      PDS_REPORT_SERVICE_DID = str "did:plc:ar7c4by46qjdydhdevvrndac" "DID of the report service.";
      PDS_ENTRYWAY_URL = nullStr "URL of the entryway, if used.";
      PDS_ENTRYWAY_DID = nullStr "DID of the entryway.";
      PDS_CRAWLERS = list [ "https://bsky.network" ] "Relays asked to crawl this PDS.";
      PDS_INVITE_REQUIRED = bool true "Whether sign-up requires an invite code.";
      PDS_INVITE_INTERVAL = nullInt "Interval at which accounts earn invite codes, in milliseconds.";
      PDS_INVITE_EPOCH = int 0 "Start of the invite interval, Unix time in milliseconds.";
      PDS_EMAIL_FROM_ADDRESS = nullStr "Sender address of account e-mails.";
      PDS_EMAIL_FROM_NAME = nullStr "Sender name of account e-mails.";
      PDS_MODERATION_EMAIL_FROM_ADDRESS = nullStr "Sender address of moderation e-mails.";
      PDS_MODERATION_EMAIL_FROM_NAME = nullStr "Sender name of moderation e-mails.";
      PDS_MAILGUN_DOMAIN = nullStr "Mailgun domain (the API key goes in `mailgunApiKeyFile`).";
      PDS_MAX_SUBSCRIPTION_BUFFER = positive 500 "Events buffered per firehose subscriber.";
      PDS_REPO_BACKFILL_LIMIT_MS = positive 86400000 "How far back the firehose can be replayed, in milliseconds.";
      PDS_SPACE_OPLOG_WINDOW = nullInt "Rows of the operation log kept per space (at least 1).";
      PDS_OAUTH_SIGNUP_URL = nullStr "Sign-up URL shown on the authorization page.";
      PDS_OAUTH_TRUSTED_CLIENTS = list [ ] "OAuth client IDs shown by name on the consent page.";
      AWS_ACCESS_KEY_ID = nullStr "S3 access key ID (the secret goes in `awsSecretAccessKeyFile`).";
      AWS_REGION = nullStr "S3 region.";
    };

  required.PDS_HOSTNAME = ''the PDS's public DNS name, e.g. services.atproto.rsky-pds.settings.PDS_HOSTNAME = "pds.example.com";'';

  secrets = {
    adminPassword = {
      # Read under both names in different parts of the code.
      env = [ "PDS_ADMIN_PASS" "PDS_ADMIN_PASSWORD" ];
      description = "the admin password";
      generate = "openssl rand --hex 16";
    };
    jwtKey = {
      env = "PDS_JWT_KEY_K256_PRIVATE_KEY_HEX";
      description = "the hex-encoded secp256k1 private key signing access and refresh tokens";
      generate = "openssl ecparam --name secp256k1 --genkey --noout --outform DER | tail --bytes=+8 | head --bytes=32 | xxd --plain --cols 32";
    };
    repoSigningKey = {
      env = "PDS_REPO_SIGNING_KEY_K256_PRIVATE_KEY_HEX";
      description = "the hex-encoded secp256k1 private key signing repository commits";
      generate = "openssl ecparam --name secp256k1 --genkey --noout --outform DER | tail --bytes=+8 | head --bytes=32 | xxd --plain --cols 32";
    };
    plcRotationKey = {
      env = "PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX";
      description = "the hex-encoded secp256k1 PLC rotation key";
      generate = "openssl ecparam --name secp256k1 --genkey --noout --outform DER | tail --bytes=+8 | head --bytes=32 | xxd --plain --cols 32";
    };
    dpopSecret = {
      env = "PDS_DPOP_SECRET";
      description = "the 32-byte hex secret of OAuth DPoP nonces";
      generate = "openssl rand --hex 32";
      required = false;
    };
    mailgunApiKey = {
      env = "PDS_MAILGUN_API_KEY";
      description = "the Mailgun API key";
      required = false;
    };
    awsSecretAccessKey = {
      env = "AWS_SECRET_ACCESS_KEY";
      description = "the S3 secret access key";
      required = false;
    };
  };

  ports = cfg: [ (service.listenOn cfg "ROCKET_PORT") ];
  health.path = "/xrpc/_health";

  logLevel = {
    values = [ "debug" "info" "error" ];
    settings = level: {
      ROCKET_LOG_LEVEL =
        {
          debug = "debug";
          info = "normal";
          error = "critical";
        }
        .${level};
    };
  };
} args
