# rsky-relay (blacksky-algorithms/rsky), a relay written in Rust.
# Settings: the variables of rsky-relay/src/config.rs and types.rs at the packaged revision;
# the port (9000, or 9001 for the labeler build) is fixed in the program.
{
  config,
  lib,
  pkgs,
  ...
}@args:
let
  service = import ../lib/service.nix { inherit lib; };
  cfg = config.services.atproto.rsky-relay;
  labeler = (cfg.package.meta.mainProgram or "rsky-relay") == "rsky-relay-labeler";
  port = if labeler then 9001 else 9000;
in
service.mkService {
  name = "rsky-relay";
  displayName = "rsky-relay";
  description = "rsky-relay, an AT Protocol relay written in Rust";
  notes = ''
    rsky-relay listens on 127.0.0.1:9000 only (9001 for the labeler build, package parameter
    `withLabeler`); put a reverse proxy in front of it. Its databases and the rotating JSON log
    `rsky-relay.log` live in {file}`/var/lib/atproto-rsky-relay`. {option}`services.atproto.rsky-relay.openFirewall`
    opens nothing, as the program binds no public address.

    The program resolves `did:plc` identities only from https://plc.directory (its export, copied
    into `plc_directory.db`, which the unit creates before the first start) and subscribes to PDS
    hosts only over `wss://`: neither is a setting at the packaged revision. It trusts the
    certificate authorities compiled into it (webpki-roots) and, with the package's patch, those
    of the system bundle {file}`/etc/ssl/certs/ca-certificates.crt` (`SSL_CERT_FILE`), so a
    private PLC directory or PDS works behind a TLS proxy whose certificate a CA in
    {option}`security.pki.certificateFiles` signed (and, for the PLC directory, a host entry
    for `plc.directory`). Its Prometheus endpoint
    (`metrics.enable`) can stay silent: the exporter runs on the same tokio workers the validator
    loop blocks, and in many starts (here 3 of 13 by hand, 4 of 5 in the live tests, on a busy
    machine) it accepts connections without answering.
  '';

  settings =
    { stateDir, ... }:
    with service.option;
    {
      RELAY_DB_PATH = str "${stateDir}/db" "Directory of the relay's databases.";
      RELAY_LENIENT_VALIDATION = bool true "Publish events that strict validation would defer or drop.";
      RELAY_DISCOVERY_UPSTREAMS = list [
        "relay1.us-west.bsky.network"
        "relay1.us-east.bsky.network"
        "bsky.network"
      ] "Relays whose host lists seed host discovery.";
      RELAY_METRICS_LISTEN = nullStr "Address of the Prometheus listener (e.g. `127.0.0.1:9102`); unset disables it.";
      RUST_LOG = str "info" "Log filter (tracing EnvFilter syntax).";
    };

  # The package's patch makes the program trust SSL_CERT_FILE's CAs beside
  # its compiled-in ones: the system bundle, which security.pki extends.
  environment = _: {
    SSL_CERT_FILE = "/etc/ssl/certs/ca-certificates.crt";
  };

  secrets.adminPassword = {
    env = "RELAY_ADMIN_PASSWORD";
    description = "the password of the admin endpoints (they are disabled without it)";
    generate = "openssl rand --hex 16";
    required = false;
  };

  # The relay resolves DIDs from plc_directory.db in its working directory
  # (the state directory) and only reads and appends to it: it creates no
  # tables, and without plc_operations it exits at start ("no such table:
  # plc_operations"). Upstream has its crawler script make them; the unit
  # makes them itself before every start (IF NOT EXISTS keeps the rows).
  # The columns are the ones the program inserts (cid, did, created_at,
  # nullified, operation) and reads through plc_keys (each DID's newest
  # operation's PDS or labeler endpoint and key) and plc_labelers (the
  # labeler build's hosts). The program also exits on an empty table: it
  # resumes its PLC export after the newest created_at. A first start so
  # gets one row that only carries that cursor (no DID, no endpoint, no
  # key), at the start of time: the relay then copies the whole directory,
  # as upstream's crawler does.
  preScript =
    { pkgs, ... }:
    ''
      ${pkgs.sqlite}/bin/sqlite3 plc_directory.db <<'EOF'
      PRAGMA journal_mode = WAL;
      CREATE TABLE IF NOT EXISTS plc_operations (
        cid TEXT NOT NULL PRIMARY KEY ON CONFLICT REPLACE,
        did TEXT NOT NULL,
        created_at TEXT NOT NULL,
        nullified BOOLEAN NOT NULL,
        operation BLOB NOT NULL,
        pds_endpoint TEXT GENERATED ALWAYS AS (json_extract(operation, '$.services.atproto_pds.endpoint')) STORED,
        pds_key TEXT GENERATED ALWAYS AS (json_extract(operation, '$.verificationMethods.atproto')) STORED,
        labeler_endpoint TEXT GENERATED ALWAYS AS (json_extract(operation, '$.services.atproto_labeler.endpoint')) STORED,
        labeler_key TEXT GENERATED ALWAYS AS (json_extract(operation, '$.verificationMethods.atproto_label')) STORED
      );
      CREATE INDEX IF NOT EXISTS plc_operations_by_did ON plc_operations (did, created_at DESC);
      CREATE VIEW IF NOT EXISTS plc_latest AS
        SELECT * FROM plc_operations AS op
        WHERE created_at = (SELECT MAX(created_at) FROM plc_operations WHERE did = op.did);
      CREATE VIEW IF NOT EXISTS plc_keys AS
        SELECT did, created_at, pds_endpoint, pds_key, labeler_endpoint, labeler_key FROM plc_latest;
      CREATE VIEW IF NOT EXISTS plc_labelers AS
        SELECT did, created_at, labeler_endpoint FROM plc_latest
        WHERE labeler_endpoint IS NOT NULL ORDER BY created_at;
      INSERT INTO plc_operations (cid, did, created_at, nullified, operation)
        SELECT 'export-cursor', ''', '1970-01-01T00:00:00.000Z', 1, '{}'
        WHERE NOT EXISTS (SELECT 1 FROM plc_operations);
      EOF
    '';

  ports = _: [ ];
  # The program binds its fixed port on loopback (not a setting: only the
  # other service can move).
  listeners = cfg: [
    {
      inherit port;
      host = "127.0.0.1";
      option = "services.atproto.rsky-relay (port ${toString port} is fixed in the program)";
    }
    (service.listenOn cfg "RELAY_METRICS_LISTEN")
  ];
  health = {
    path = "/_health";
    port = _: port;
  };
  metrics = {
    port = cfg: service.listenOn cfg "RELAY_METRICS_LISTEN";
    settings = _: { RELAY_METRICS_LISTEN = "127.0.0.1:9102"; };
  };

  logLevel = {
    values = [ "trace" "debug" "info" "warn" "error" ];
    settings = level: { RUST_LOG = level; };
  };
  # The journal gets the human-readable form; rsky-relay.log gets JSON.
  logFormat = {
    values = [ "text" ];
    default = "text";
  };
} args
