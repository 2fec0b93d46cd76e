# slingshot (at-microcosm/microcosm-rs), a caching record and identity edge service.
# Settings: the environment variables of its flags (slingshot/src/main.rs).
{
  config,
  lib,
  pkgs,
  ...
}@args:
let
  service = import ../lib/service.nix { inherit lib; };
  inherit (service) portOf;
  jetstream = config.services.atproto.jetstream or { enable = false; };
in
service.mkService {
  name = "slingshot";
  displayName = "slingshot";
  description = "slingshot, the caching AT Protocol record and identity service from microcosm";
  notes = ''
    slingshot answers `com.atproto.repo.getRecord` and identity lookups from caches kept fresh
    by a jetstream, on port 8080. Its disk caches live in {file}`/var/lib/atproto-slingshot`.
    The built-in ACME mode (`SLINGSHOT_ACME_*`) needs ports 80/443; prefer a reverse proxy.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      SLINGSHOT_JETSTREAM = str (
        if jetstream.enable then
          "ws://127.0.0.1:${toString (portOf config.services.atproto.jetstream.settings.JETSTREAM_ADDR)}/subscribe"
        else
          "us-east-1"
      ) "Jetstream to read: a `wss://` URL or one of `us-east-1`, `us-east-2`, `us-west-1`, `us-west-2`.";
      SLINGSHOT_JETSTREAM_NO_ZSTD = bool false "Ask for uncompressed events (less CPU, more bandwidth).";
      SLINGSHOT_CACHE_DIR = str "${stateDir}/cache" "Directory of the disk caches.";
      SLINGSHOT_BIND = str "${bindHost "0.0.0.0"}:8080" "Address and port of the HTTP API.";
      SLINGSHOT_RECORD_CACHE_MEMORY_MB = positive 64 "Memory cache of records, in megabytes.";
      SLINGSHOT_RECORD_CACHE_DISK_DB = positive 1 "Disk cache of records, in gigabytes.";
      SLINGSHOT_IDENTITY_CACHE_MEMORY_MB = positive 64 "Memory cache of identities, in megabytes.";
      SLINGSHOT_IDENTITY_CACHE_DISK_DB = positive 1 "Disk cache of identities, in gigabytes.";
      SLINGSHOT_ACME_DOMAIN = nullStr "Domain to obtain a Let's Encrypt certificate for (serves HTTPS itself; excludes SLINGSHOT_BIND).";
      SLINGSHOT_ACME_CONTACT = nullStr "Contact e-mail for Let's Encrypt.";
      SLINGSHOT_ACME_CACHE_PATH = nullStr "Directory caching ACME certificates.";
      SLINGSHOT_ACME_IPV6 = bool false "Listen on IPv6 too in ACME mode.";
      SLINGSHOT_HEALTHCHECK = nullStr "URL pinged about every 51 seconds (external uptime monitor).";
      SLINGSHOT_COLLECT_METRICS = bool false "Collect and serve Prometheus metrics.";
      SLINGSHOT_BIND_METRICS = nullStr "Address and port of the metrics listener (the program requires metrics collection with it). Set to `127.0.0.1:8766` by {option}`services.atproto.slingshot.metrics.enable`.";
      RUST_LOG = str "info" "Log filter (tracing EnvFilter syntax).";
    };

  ports = cfg: [ (portOf cfg.settings.SLINGSHOT_BIND) ];
  health.path = "/openapi";
  metrics = {
    port = cfg: portOf cfg.settings.SLINGSHOT_BIND_METRICS;
    settings = _: {
      SLINGSHOT_COLLECT_METRICS = true;
      SLINGSHOT_BIND_METRICS = "127.0.0.1:8766";
    };
  };
  after = _: lib.optional jetstream.enable "atproto-jetstream.service";
  logLevel = {
    values = [ "trace" "debug" "info" "warn" "error" ];
    settings = level: { RUST_LOG = level; };
  };
} args
