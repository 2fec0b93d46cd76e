# slingshot (at-microcosm/microcosm-rs), a caching record and identity edge service.
# Settings: the environment variables of its flags (slingshot/src/main.rs at microcosm-rs 6f52fc2;
# the packaged revision; facts in nix/tests/modules/upstream-args/slingshot.json).
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
  # ACME mode: the program obtains its certificate (TLS-ALPN) and serves
  # HTTPS on :443 only, not on SLINGSHOT_BIND.
  acmeDomain = cfg: cfg.settings.SLINGSHOT_ACME_DOMAIN;
  acme = cfg: acmeDomain cfg != null;
  # Settings the program accepts only beside an ACME domain (clap `requires`).
  acmeOnlySet =
    cfg:
    builtins.filter (k: cfg.settings.${k} != null) [
      "SLINGSHOT_ACME_CACHE_PATH"
      "SLINGSHOT_ACME_CONTACT"
      "SLINGSHOT_ACME_IPV6"
    ];
in
service.mkService {
  name = "slingshot";
  displayName = "slingshot";
  description = "slingshot, the caching AT Protocol record and identity service from microcosm";
  notes = ''
    slingshot answers `com.atproto.repo.getRecord` and identity lookups from caches kept fresh
    by a jetstream, on port 8080. Its disk caches live in {file}`/var/lib/atproto-slingshot`.
    The built-in ACME mode (`SLINGSHOT_ACME_*`) serves HTTPS on port 443 itself instead;
    a reverse proxy is the usual choice.
  '';

  settings =
    {
      cfg,
      stateDir,
      bindHost,
      ...
    }:
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
      # The program refuses SLINGSHOT_BIND together with an ACME domain, even
      # from the environment, so in ACME mode the bind address is unset.
      SLINGSHOT_BIND = typed (lib.types.nullOr lib.types.str) (
        if acme cfg then null else "${bindHost "0.0.0.0"}:8080"
      ) "Address and port of the HTTP API. Default: `0.0.0.0:8080`, or unset in ACME mode (the two exclude each other).";
      SLINGSHOT_RECORD_CACHE_MEMORY_MB = positive 64 "Memory cache of records, in megabytes.";
      SLINGSHOT_RECORD_CACHE_DISK_DB = positive 1 "Disk cache of records, in gigabytes.";
      SLINGSHOT_IDENTITY_CACHE_MEMORY_MB = positive 64 "Memory cache of identities, in megabytes.";
      SLINGSHOT_IDENTITY_CACHE_DISK_DB = positive 1 "Disk cache of identities, in gigabytes.";
      SLINGSHOT_ACME_DOMAIN = nullStr "Domain to obtain a Let's Encrypt certificate for (serves HTTPS itself; excludes SLINGSHOT_BIND).";
      SLINGSHOT_ACME_CONTACT = nullStr "Contact e-mail for Let's Encrypt (only with SLINGSHOT_ACME_DOMAIN).";
      SLINGSHOT_ACME_CACHE_PATH = typed (lib.types.nullOr lib.types.str) (
        if acme cfg then "${stateDir}/acme" else null
      ) "Directory caching ACME certificates (required in ACME mode). Default: `acme` in the state directory in ACME mode.";
      # Unset, not false, by default: the program requires an ACME domain
      # beside it, and counts a variable that is set as given, even `false`.
      SLINGSHOT_ACME_IPV6 = nullBool "Listen on IPv6 too in ACME mode (only with SLINGSHOT_ACME_DOMAIN). Default: unset (IPv4 only).";
      SLINGSHOT_HEALTHCHECK = nullStr "URL pinged about every 51 seconds (external uptime monitor).";
      SLINGSHOT_COLLECT_METRICS = bool false "Collect and serve Prometheus metrics.";
      SLINGSHOT_BIND_METRICS = nullStr "Address and port of the metrics listener (the program requires metrics collection with it). Set to `127.0.0.1:8766` by {option}`services.atproto.slingshot.metrics.enable`.";
      RUST_LOG = str "info" "Log filter (tracing EnvFilter syntax).";
    };

  ports =
    cfg:
    if acme cfg then
      [
        {
          port = 443;
          option = "services.atproto.slingshot.settings.SLINGSHOT_ACME_DOMAIN (in ACME mode slingshot serves port 443 itself; without it, SLINGSHOT_BIND)";
        }
      ]
    else
      [ (service.listenOn cfg "SLINGSHOT_BIND") ];
  health = {
    path = "/openapi";
    # In ACME mode the probe asks :443 for the domain. It is off by default
    # there: until the certificate is issued nothing answers, and a failed
    # start restarts the program into new certificate orders.
    probe =
      cfg:
      if acme cfg then
        {
          url = "https://${acmeDomain cfg}/openapi";
          curlArgs = [
            "--resolve"
            "${acmeDomain cfg}:443:127.0.0.1"
          ];
        }
      else
        null;
    byDefault = cfg: !acme cfg;
    byDefaultText = "`true`, except in ACME mode ({option}`services.atproto.slingshot.settings.SLINGSHOT_ACME_DOMAIN` set)";
  };
  metrics = {
    port = cfg: service.listenOn cfg "SLINGSHOT_BIND_METRICS";
    settings = _: {
      SLINGSHOT_COLLECT_METRICS = true;
      SLINGSHOT_BIND_METRICS = "127.0.0.1:8766";
    };
  };
  after = _: lib.optional jetstream.enable "atproto-jetstream.service";
  assertions =
    { cfg, ... }:
    [
      {
        assertion = acme cfg || acmeOnlySet cfg == [ ];
        message = "services.atproto.slingshot: ${lib.concatMapStringsSep ", " (k: "settings.${k}") (acmeOnlySet cfg)}: used only in ACME mode; slingshot refuses to start with any of them set (even to false) unless settings.SLINGSHOT_ACME_DOMAIN is set. Remove them, or set the ACME domain.";
      }
      {
        assertion = !(acme cfg && cfg.settings.SLINGSHOT_BIND != null);
        message = "services.atproto.slingshot: settings.SLINGSHOT_BIND and settings.SLINGSHOT_ACME_DOMAIN exclude each other (in ACME mode the program listens on :443 itself). Remove the SLINGSHOT_BIND setting, or the ACME domain to serve behind a reverse proxy.";
      }
    ];
  logLevel = {
    values = [ "trace" "debug" "info" "warn" "error" ];
    settings = level: { RUST_LOG = level; };
  };
} args
