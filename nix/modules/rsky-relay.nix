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

  secrets.adminPassword = {
    env = "RELAY_ADMIN_PASSWORD";
    description = "the password of the admin endpoints (they are disabled without it)";
    generate = "openssl rand --hex 16";
    required = false;
  };

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
