# allegedly (at-microcosm/allegedly), run as `allegedly mirror`: a PLC mirror wrapping a local
# did-method-plc server. Settings: the environment variables of the mirror's flags at the
# packaged revision (src/bin/mirror.rs, src/bin/mod.rs).
{
  config,
  lib,
  pkgs,
  ...
}@args:
let
  service = import ../lib/service.nix { inherit lib; };
  plc = config.services.atproto.plc or { enable = false; };
  localPlcDb = plc.enable && (plc.database.createLocally or false);
  # ACME mode: the program obtains its own certificates and listens on :443
  # (HTTPS) and :80 (an "HTTPS required" error), not on ALLEGEDLY_BIND.
  acmeDomains = cfg: cfg.settings.ALLEGEDLY_ACME_DOMAIN;
  acme = cfg: acmeDomains cfg != [ ];
  # Settings the program accepts only beside ACME domains (clap `requires`).
  acmeOnlySet =
    cfg:
    builtins.filter (k: cfg.settings.${k} != null) [
      "ALLEGEDLY_ACME_CACHE_PATH"
      "ALLEGEDLY_ACME_DIRECTORY_URL"
      "ALLEGEDLY_ACME_IPV6"
      "ALLEGEDLY_EXPERIMENTAL_ACME_DOMAIN"
    ];
in
service.mkService {
  name = "allegedly";
  displayName = "allegedly";
  description = "allegedly, a PLC directory mirror from microcosm";
  notes = ''
    allegedly keeps a did-method-plc server's database in sync with an upstream PLC directory
    and serves it, refusing operation submissions (or forwarding them upstream). With
    {option}`services.atproto.plc.enable` and {option}`services.atproto.plc.database.createLocally`
    on the same host it wraps that server and its database by default, runs as the PLC
    server's user (so PostgreSQL peer authentication lets it write) and starts after it.
    The mirror follows the upstream from the newest operation in that database and exits
    at start while it is empty: load it once first (`allegedly backfill --to-postgres`
    with the database URL, from the public ledger's weekly bundles).
  '';

  user = if localPlcDb then config.services.atproto.plc.user else "atproto-allegedly";

  settings =
    {
      cfg,
      bindHost,
      stateDir,
      ...
    }:
    with service.option;
    {
      ALLEGEDLY_UPSTREAM = str "https://plc.directory" "Upstream PLC directory that is mirrored.";
      ALLEGEDLY_UPSTREAM_THROTTLE_MS = positive 600 "Pause between polls of the upstream's export, in milliseconds.";
      ALLEGEDLY_WRAP = typed (lib.types.nullOr lib.types.str) (
        if plc.enable then "http://127.0.0.1:${toString config.services.atproto.plc.settings.PORT}" else null
      ) "URL of the wrapped did-method-plc server. Required; default: the local PLC server when enabled.";
      # The program parses this as a WHATWG URL (clap value parser of
      # url::Url), which refuses a user name before an empty host
      # ("postgresql://user@/db": empty host), so the user and the socket
      # folder go in the query, where tokio-postgres reads them.
      ALLEGEDLY_WRAP_PG = typed (lib.types.nullOr lib.types.str) (
        if localPlcDb then
          "postgresql:///${config.services.atproto.plc.user}?host=/run/postgresql&user=${config.services.atproto.plc.user}"
        else
          null
      ) "PostgreSQL URL of the wrapped server's database (write access needed). A URL with a password belongs in `wrapPgFile`. Default: the local PLC database when created locally.";
      ALLEGEDLY_WRAP_PG_CERT = nullStr "TLS certificate of the wrapped database, if it needs one.";
      # The program refuses ALLEGEDLY_BIND together with ACME domains, even
      # from the environment, so in ACME mode the bind address is unset.
      ALLEGEDLY_BIND = typed (lib.types.nullOr lib.types.str) (
        if acme cfg then null else "${bindHost "127.0.0.1"}:8000"
      ) "Address and port of the mirror's HTTP server. Default: `127.0.0.1:8000`, or unset in ACME mode (the two exclude each other).";
      ALLEGEDLY_ACME_DOMAIN = list [ ] "Domains to obtain Let's Encrypt certificates for (serves :80/:443 itself; excludes ALLEGEDLY_BIND). Passed as one `--acme-domain` argument per domain: the program reads the variable as a single domain.";
      ALLEGEDLY_ACME_CACHE_PATH = typed (lib.types.nullOr lib.types.str) (
        if acme cfg then "${stateDir}/acme" else null
      ) "Directory caching ACME certificates (required in ACME mode). Default: `acme` in the state directory in ACME mode.";
      ALLEGEDLY_ACME_DIRECTORY_URL = nullStr "ACME directory URL. Default: Let's Encrypt production.";
      # Unset, not false, by default: the program requires ACME domains
      # beside it, and counts a variable that is set as given, even `false`.
      ALLEGEDLY_ACME_IPV6 = nullBool "Listen on IPv6 too in ACME mode (only with ALLEGEDLY_ACME_DOMAIN). Default: unset (IPv4 only).";
      ALLEGEDLY_EXPERIMENTAL_ACME_DOMAIN = nullStr "Experimental: an extra ACME domain (only with ALLEGEDLY_ACME_DOMAIN).";
      ALLEGEDLY_EXPERIMENTAL_WRITE_UPSTREAM = bool false "Experimental: forward submitted operations to the upstream.";
      RUST_LOG = str "info" "Log filter (tracing EnvFilter syntax).";
    };

  required.ALLEGEDLY_WRAP = ''the wrapped PLC server's URL, e.g. services.atproto.allegedly.settings.ALLEGEDLY_WRAP = "http://127.0.0.1:2582"; (or enable services.atproto.plc on this host)'';

  secrets.wrapPg = {
    env = "ALLEGEDLY_WRAP_PG";
    description = "the PostgreSQL URL, with password, of the wrapped server's database (overrides the setting of the same name)";
    required = false;
  };

  args = _: [ "mirror" ];
  # The program takes several domains only as repeated --acme-domain
  # arguments: the variable has no value delimiter, so "a,b" would be one
  # domain.
  flagSettings.ALLEGEDLY_ACME_DOMAIN = "acme-domain";
  # In ACME mode the program serves HTTP on 80 and HTTPS on 443 itself (and
  # not ALLEGEDLY_BIND), so those are the ports to open and to allow binding.
  ports =
    cfg:
    if acme cfg then
      map (port: {
        inherit port;
        option = "services.atproto.allegedly.settings.ALLEGEDLY_ACME_DOMAIN (in ACME mode allegedly serves ports 80 and 443 itself; without it, ALLEGEDLY_BIND)";
      }) [ 80 443 ]
    else
      [ (service.listenOn cfg "ALLEGEDLY_BIND") ];
  health = {
    path = "/_health";
    # In ACME mode :80 answers every request with an error, so the probe
    # asks :443 for the first domain. It is off by default there: until
    # the first certificate is issued nothing answers, and a failed start
    # restarts the program into new certificate orders.
    probe =
      cfg:
      if acme cfg then
        let
          domain = builtins.head (acmeDomains cfg);
        in
        {
          url = "https://${domain}/_health";
          curlArgs = [
            "--resolve"
            "${domain}:443:127.0.0.1"
          ];
        }
      else
        null;
    byDefault = cfg: !acme cfg;
    byDefaultText = "`true`, except in ACME mode ({option}`services.atproto.allegedly.settings.ALLEGEDLY_ACME_DOMAIN` set)";
  };
  after = _: lib.optional plc.enable "atproto-plc.service";
  logLevel = {
    values = [ "trace" "debug" "info" "warn" "error" ];
    settings = level: { RUST_LOG = level; };
  };

  assertions =
    { cfg, ... }:
    [
      {
        assertion = acme cfg || acmeOnlySet cfg == [ ];
        message = "services.atproto.allegedly: ${lib.concatMapStringsSep ", " (k: "settings.${k}") (acmeOnlySet cfg)}: used only in ACME mode; allegedly refuses to start with any of them set (even to false) unless settings.ALLEGEDLY_ACME_DOMAIN is set. Remove them, or set the ACME domains.";
      }
      {
        assertion = !(acme cfg && cfg.settings.ALLEGEDLY_BIND != null);
        message = "services.atproto.allegedly: settings.ALLEGEDLY_BIND and settings.ALLEGEDLY_ACME_DOMAIN exclude each other (in ACME mode the program listens on :80 and :443 itself). Remove the ALLEGEDLY_BIND setting, or the ACME domains to serve behind a reverse proxy.";
      }
      {
        assertion = cfg.settings.ALLEGEDLY_WRAP_PG != null || cfg.wrapPgFile != null;
        message = "services.atproto.allegedly: the wrapped PLC database is not set. Set services.atproto.allegedly.settings.ALLEGEDLY_WRAP_PG (a URL without password), services.atproto.allegedly.wrapPgFile (a file holding the URL), or run services.atproto.plc with database.createLocally = true on this host.";
      }
    ];
} args
