# rsky-feedgen (blacksky-algorithms/rsky), a feed generator written in Rust on Rocket.
# Settings: the variables read by rsky-feedgen/src (main.rs, routes.rs, apis/mod.rs through
# rsky-common env.rs) at the packaged revision, plus Rocket's listener.
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
  name = "rsky-feedgen";
  displayName = "rsky-feedgen";
  description = "rsky-feedgen, Blacksky's feed generator written in Rust";
  notes = ''
    rsky-feedgen serves feeds from PostgreSQL (set {option}`services.atproto.rsky-feedgen.database.createLocally`
    or `DATABASE_URL`); rsky-firehose fills the database through its `/queue` endpoints,
    authenticated with the API key: the unit `atproto-rsky-feedgen-firehose` runs it beside the
    server, reading the relay named in
    {option}`services.atproto.rsky-feedgen.firehose.settings.FEEDGEN_SUBSCRIPTION_PATH`
    ({option}`services.atproto.rsky-feedgen.firehose.enable`). It starts from the relay's live
    events after every restart (or from `FEEDGEN_SUBSCRIPTION_CURSOR`, each time), not from the
    cursor it stores, so what the relay sent while it was stopped is not indexed. It has no health endpoint: the probe fetches
    `/.well-known/did.json`, which it serves for a did:web service DID of its own hostname.
    The feeds it serves are Blacksky's, named in its code (`at://did:plc:w4xbfzo7kqfes5zb7r6qv3rw/…`),
    and it indexes only posts of their members or with their hashtags; the unit applies its
    database migrations before each start.
  '';

  settings =
    { cfg, bindHost, ... }:
    with service.option;
    {
      ROCKET_ADDRESS = str (bindHost "0.0.0.0") "Address the HTTP server binds to (Rocket).";
      ROCKET_PORT = port 8000 "TCP port of the HTTP server (Rocket).";
      ROCKET_LOG_LEVEL = enum [ "off" "critical" "normal" "debug" ] "normal" "Rocket's log level.";
      DATABASE_URL = nullStr "PostgreSQL URL of the writer. Required unless `database.createLocally` is set.";
      READ_REPLICA_URL_1 = typed (lib.types.nullOr lib.types.str) cfg.settings.DATABASE_URL "PostgreSQL URL of the first read replica. Default: the writer.";
      READ_REPLICA_URL_2 = typed (lib.types.nullOr lib.types.str) cfg.settings.DATABASE_URL "PostgreSQL URL of the second read replica. Default: the writer.";
      FEEDGEN_HOSTNAME = nullStr "Public DNS name of the feed generator. Required.";
      FEEDGEN_SERVICE_DID = nullStr "DID of the service, e.g. `did:web:<FEEDGEN_HOSTNAME>`. Required.";
      PINNED_POST_URI = nullStr "AT URI of a post pinned to the top of feeds.";
      BANNED_NOTICE_POST_URI = nullStr "AT URI of the post shown to banned accounts.";
      BANNED_NOTICE_POST_CID = nullStr "CID of that post.";
      # The program takes exactly "1" as on (main.rs compares with "1"), so
      # true is rendered as 1 and false leaves the variable unset.
      SHOW_SPONSORED_POST = lib.mkOption {
        type = lib.types.nullOr lib.types.bool;
        default = null;
        apply = v: if v == true then "1" else null;
        description = "Insert the sponsored post into feeds. `true` is passed as `1`, the only value the program reads as on; `false` and `null` leave the variable unset (off).";
      };
      SPONSORED_POST_URI = nullStr "AT URI of the sponsored post.";
      SPONSORED_POST_PROBABILITY = typed (lib.types.nullOr lib.types.number) null "Probability of inserting the sponsored post, 0–1. Default: 0.05.";
      TRENDING_PERCENTILE = typed (lib.types.nullOr lib.types.number) null "Minimum percentile of a trending post, 0–1. Default: 0.9.";
      # Read with rsky-common's env_int (an unsigned integer; anything else
      # silently gives the default) and env_bool (true/1, false/0).
      FEEDGEN_TRENDING_CACHE_CAPACITY = typed (lib.types.nullOr lib.types.ints.unsigned) null "Trending-feed pages kept in the in-memory cache. Default: 100.";
      FEEDGEN_TRENDING_CACHE_TTL = typed (lib.types.nullOr lib.types.ints.unsigned) null "Seconds a cached trending-feed page is served before it is computed again. Default: 2.";
      FEEDGEN_MEDIA_BLACKOUT_ENABLED = nullBool "Leave posts with images or videos out of the Blacksky feeds during the blackout hours (FEEDGEN_MEDIA_BLACKOUT_START to FEEDGEN_MEDIA_BLACKOUT_END). Default: false.";
      FEEDGEN_MEDIA_BLACKOUT_START = typed (lib.types.nullOr (lib.types.ints.between 0 23)) null "Hour the media blackout starts, 0–23, in America/New_York time. Default: 22.";
      FEEDGEN_MEDIA_BLACKOUT_END = typed (lib.types.nullOr (lib.types.ints.between 0 23)) null "Hour the media blackout ends (exclusive), 0–23, in America/New_York time; a start after the end spans midnight. Default: 4.";
      FEEDGEN_HASHTAG_LIMIT = typed (lib.types.nullOr lib.types.ints.unsigned) null "Posts queued with this many hashtags or more are not added to the Blacksky feed. Default: 4.";
    };

  required = {
    DATABASE_URL = "a PostgreSQL URL, or set services.atproto.rsky-feedgen.database.createLocally = true;";
    FEEDGEN_HOSTNAME = ''the public DNS name, e.g. services.atproto.rsky-feedgen.settings.FEEDGEN_HOSTNAME = "feeds.example.com";'';
    FEEDGEN_SERVICE_DID = ''the service DID, e.g. services.atproto.rsky-feedgen.settings.FEEDGEN_SERVICE_DID = "did:web:feeds.example.com";'';
  };

  secrets.apiKey = {
    env = "RSKY_API_KEY";
    description = "the API key that the firehose indexer and admin requests present";
    generate = "openssl rand --hex 32";
  };

  # rsky-feedgen reads and writes tables it never creates: its schema is
  # upstream's Diesel migrations (rsky-feedgen/migrations, shipped in the
  # package's share/rsky-feedgen), which upstream leaves to Diesel's CLI.
  # Without them every write fails ("relation \"sub_state\" does not
  # exist"). The unit applies the pending ones before each start, in order,
  # each in one transaction with its record in __diesel_schema_migrations
  # (Diesel's own table and version format: the folder name up to its first
  # `_`, without dashes), so a database migrated with Diesel's CLI is not
  # migrated twice. A migration whose first line is `-- !no-transaction`
  # (upstream's mark on the ones with CREATE INDEX CONCURRENTLY, which
  # PostgreSQL refuses inside a transaction) runs outside one.
  preScript =
    { cfg, config, pkgs, ... }:
    let
      psql = "${config.services.postgresql.package or pkgs.postgresql}/bin/psql";
    in
    ''
      psql() { ${psql} --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --dbname="$DATABASE_URL" "$@"; }
      psql --command='CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)'
      for migration in ${cfg.package}/share/rsky-feedgen/migrations/*/; do
        name=$(basename "$migration")
        version=''${name%%_*}
        version=''${version//-/}
        if [ -z "$(psql --tuples-only --no-align --command="SELECT 1 FROM __diesel_schema_migrations WHERE version = '$version'")" ]; then
          echo "applying the database migration $name"
          if [ "$(head -n 1 "$migration/up.sql")" = "-- !no-transaction" ]; then
            psql --file="$migration/up.sql" >/dev/null
            psql --command="INSERT INTO __diesel_schema_migrations (version) VALUES ('$version')"
          else
            psql --single-transaction --file="$migration/up.sql" --command="INSERT INTO __diesel_schema_migrations (version) VALUES ('$version')" >/dev/null
          fi
        fi
      done
    '';

  # rsky-firehose: rsky-feedgen's indexer, a program of its own (rsky-firehose/src/main.rs
  # reads these variables) that listens on nothing and feeds the server's queue API.
  extraOptions =
    { cfg, pkgs, ... }:
    {
      firehose = {
        enable = lib.mkOption {
          type = lib.types.bool;
          default = true;
          description = ''
            Whether to run rsky-firehose (unit `atproto-rsky-feedgen-firehose`) beside the server,
            with its settings and API key: it reads the relay's firehose and queues the posts,
            likes and follows it carries into this feed generator. Without it (or another indexer
            calling the `/queue` API) the feeds stay empty.
          '';
        };
        package = lib.mkPackageOption pkgs [ "atproto" "rsky-firehose" ] { };
        settings = {
          FEEDGEN_SUBSCRIPTION_PATH = lib.mkOption {
            type = lib.types.strMatching "wss?://[^/]+";
            default = "wss://bsky.network";
            example = "ws://127.0.0.1:2470";
            description = "Base URL of the relay whose firehose rsky-firehose reads: `wss://` or `ws://`, a host and optional port, no path.";
          };
          FEEDGEN_SUBSCRIPTION_ENDPOINT = lib.mkOption {
            type = lib.types.enum [
              "com.atproto.sync.subscribeRepos"
              "com.atproto.label.subscribeLabels"
            ];
            default = "com.atproto.sync.subscribeRepos";
            description = "The stream it reads: repository commits (posts, likes, follows) or a labeler's labels (queued as `labels`).";
          };
          FEEDGEN_SUBSCRIPTION_CURSOR = lib.mkOption {
            type = lib.types.nullOr lib.types.ints.unsigned;
            default = null;
            description = "Sequence number to start after, at every start; `null` starts from the relay's live events.";
          };
          FEEDGEN_QUEUE_ENDPOINT = lib.mkOption {
            type = lib.types.str;
            default =
              let
                host = cfg.settings.ROCKET_ADDRESS;
                local =
                  if host == "0.0.0.0" then
                    "127.0.0.1"
                  else if host == "::" then
                    "[::1]"
                  else if lib.hasInfix ":" host then
                    "[${host}]"
                  else
                    host;
              in
              "http://${local}:${toString cfg.settings.ROCKET_PORT}";
            defaultText = lib.literalExpression ''"http://<ROCKET_ADDRESS, or loopback for a wildcard>:<ROCKET_PORT>"'';
            description = "Base URL of the feed generator's queue API: this server by default.";
          };
        };
      };
    };

  companions =
    { cfg, ... }:
    {
      firehose = {
        inherit (cfg.firehose) enable;
        description = "rsky-firehose (the indexer of services.atproto.rsky-feedgen)";
        program = lib.getExe cfg.firehose.package;
        environment = cfg.firehose.settings;
      };
    };

  ports = cfg: [ (service.listenOn cfg "ROCKET_PORT") ];
  health.path = "/.well-known/did.json";
  database.setting = "DATABASE_URL";

  assertions =
    { cfg, ... }:
    let
      # The host of the firehose's relay URL (ws[s]://host[:port]).
      relayHost =
        let
          rest = lib.last (lib.splitString "://" cfg.firehose.settings.FEEDGEN_SUBSCRIPTION_PATH);
        in
        if lib.hasPrefix "[" rest then
          builtins.head (lib.splitString "]" (lib.removePrefix "[" rest))
        else
          builtins.head (lib.splitString ":" rest);
      loopback = relayHost == "localhost" || relayHost == "::1" || lib.hasPrefix "127." relayHost;
    in
    [
      {
        # networkIsolation (shared by the indexer's unit) allows loopback only.
        assertion = !(cfg.networkIsolation.enable && cfg.firehose.enable) || loopback;
        message = "services.atproto.rsky-feedgen: networkIsolation.enable lets the indexer (atproto-rsky-feedgen-firehose) reach loopback only, but firehose.settings.FEEDGEN_SUBSCRIPTION_PATH is ${cfg.firehose.settings.FEEDGEN_SUBSCRIPTION_PATH}. Read a relay on this host (e.g. \"ws://127.0.0.1:2470\"), or set services.atproto.rsky-feedgen.networkIsolation.enable = false.";
      }
      {
        assertion =
          !cfg.healthCheck.enable
          || cfg.settings.FEEDGEN_SERVICE_DID == null
          || cfg.settings.FEEDGEN_HOSTNAME == null
          || lib.hasSuffix cfg.settings.FEEDGEN_HOSTNAME cfg.settings.FEEDGEN_SERVICE_DID;
        message = "services.atproto.rsky-feedgen: the health check fetches /.well-known/did.json, which rsky-feedgen serves only when FEEDGEN_SERVICE_DID ends with FEEDGEN_HOSTNAME (a did:web of that host). Use such a DID or set services.atproto.rsky-feedgen.healthCheck.enable = false.";
      }
    ];

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
