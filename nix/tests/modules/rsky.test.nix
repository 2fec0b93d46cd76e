# The steps the rsky units run before their programs, each because the
# program at the packaged revision (7ebd21a) exits or fails without it; the
# live test (TestRustServices) runs them for real.
#   rsky-relay    reads plc_directory.db's plc_operations and plc_keys and
#                 exits when the table is missing or empty.
#   rsky-feedgen  writes tables only upstream's Diesel migrations create.
#   rsky-pds      panics creating an account (and in describeServer) when
#                 PDS_SERVICE_DID is unset.
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
}
