# The steps the rsky units run before their programs, each because the
# program at the packaged revision (7ebd21a) exits or fails without it; the
# live test (TestRustServices) runs them for real.
#   rsky-relay    reads plc_directory.db's plc_operations and plc_keys and
#                 exits when the table is missing or empty.
#   rsky-feedgen  writes tables only upstream's Diesel migrations create.
#   rsky-pds      panics creating an account (and in describeServer) when
#                 PDS_SERVICE_DID is unset.
# And what the units hand their programs: rsky-relay the system's CA bundle
# (its package's patch reads SSL_CERT_FILE), rsky-feedgen's indexer
# (rsky-firehose, unit atproto-rsky-feedgen-firehose) the server's queue
# address and API key; TestNetworkRskyRelay runs both.
{ lib, repo }:
let
  eval = import ./eval.nix {
    inherit lib;
    packages = repo.packages or { };
  };
  minimal = import ./minimal.nix;
  unit =
    name:
    (eval.system [
      {
        services.atproto.${name} = lib.mkMerge [
          minimal.${name}
          { enable = true; }
        ];
      }
    ]).config.systemd.services."atproto-${name}";
  script = name: (unit name).script;

  # rsky-feedgen with `extra` merged into minimal.nix's settings, and its
  # firehose unit (null when it renders none).
  feedgenWith =
    extra:
    let
      services =
        (eval.system [
          {
            services.atproto.rsky-feedgen = lib.mkMerge [
              minimal.rsky-feedgen
              { enable = true; }
              extra
            ];
          }
        ]).config.systemd.services;
    in
    services.atproto-rsky-feedgen-firehose or null;
  firehose = feedgenWith { };

  # The text of `script` between `from` and the program's exec, or null when
  # `from` is not before it.
  beforeExec =
    script: from:
    let
      parts = lib.splitString from script;
      rest = lib.concatStringsSep from (builtins.tail parts);
    in
    if builtins.length parts < 2 then null else builtins.head (lib.splitString "\nexec " rest);

  relay = beforeExec (script "rsky-relay") "/bin/sqlite3 plc_directory.db";
  feedgen = beforeExec (script "rsky-feedgen") "__diesel_schema_migrations";
in
lib.runTests {
  testRskyPdsSetsItsServiceDid = {
    expr = (unit "rsky-pds").environment.PDS_SERVICE_DID or null;
    expected = "did:web:pds.example.com";
  };

  testRskyRelayMakesItsPlcDirectoryBeforeStart = {
    expr = relay != null && builtins.all (s: lib.hasInfix s relay) [
      "CREATE TABLE IF NOT EXISTS plc_operations"
      "CREATE VIEW IF NOT EXISTS plc_keys"
      "CREATE VIEW IF NOT EXISTS plc_labelers"
      "WHERE NOT EXISTS (SELECT 1 FROM plc_operations)"
    ];
    expected = true;
  };

  testRskyFeedgenMigratesBeforeStart = {
    expr = feedgen != null && builtins.all (s: lib.hasInfix s feedgen) [
      "/share/rsky-feedgen/migrations/*/"
      "--single-transaction"
      "-- !no-transaction"
    ];
    expected = true;
  };

  testRskyRelayTrustsTheSystemCaBundle = {
    expr = (unit "rsky-relay").environment.SSL_CERT_FILE or null;
    expected = "/etc/ssl/certs/ca-certificates.crt";
  };

  # The indexer runs by default, reads bsky.network, queues into this
  # server over loopback (its wildcard address is not one to connect to)
  # and gets the API key from the credential, as the server does.
  testRskyFeedgenRunsItsFirehose = {
    expr = {
      env = lib.filterAttrs (k: _: lib.hasPrefix "FEEDGEN_" k) firehose.environment;
      bound = firehose.bindsTo;
      execs = lib.hasInfix "/bin/rsky-firehose" firehose.script;
      key = lib.hasInfix "RSKY_API_KEY" firehose.script;
    };
    expected = {
      env = {
        FEEDGEN_HOSTNAME = "feeds.example.com";
        FEEDGEN_QUEUE_ENDPOINT = "http://127.0.0.1:8000";
        FEEDGEN_SERVICE_DID = "did:web:feeds.example.com";
        FEEDGEN_SUBSCRIPTION_ENDPOINT = "com.atproto.sync.subscribeRepos";
        FEEDGEN_SUBSCRIPTION_PATH = "wss://bsky.network";
      };
      bound = [ "atproto-rsky-feedgen.service" ];
      execs = true;
      key = true;
    };
  };

  testRskyFeedgenFirehoseFollowsTheServersAddress = {
    expr = {
      loopback = (feedgenWith { settings.ROCKET_ADDRESS = "::"; settings.ROCKET_PORT = 8010; }).environment.FEEDGEN_QUEUE_ENDPOINT;
      given = (feedgenWith { settings.ROCKET_ADDRESS = "10.0.0.5"; }).environment.FEEDGEN_QUEUE_ENDPOINT;
      cursor = (feedgenWith { firehose.settings.FEEDGEN_SUBSCRIPTION_CURSOR = 42; }).environment.FEEDGEN_SUBSCRIPTION_CURSOR;
    };
    expected = {
      loopback = "http://[::1]:8010";
      given = "http://10.0.0.5:8000";
      cursor = "42";
    };
  };

  testRskyFeedgenFirehoseCanBeLeftOut = {
    expr = feedgenWith { firehose.enable = false; };
    expected = null;
  };
}
