# The shared helper behind every module in nix/modules: it turns a short
# description of one ATProto application (its settings, secrets, ports,
# health and metrics endpoints) into a NixOS module declaring
# `services.atproto.<name>` and a hardened systemd service `atproto-<name>`.
#
# A module file is then only what is particular to its program:
#
#   { config, lib, pkgs, ... }@args:
#   let service = import ../lib/service.nix { inherit lib; };
#   in service.mkService {
#     name = "pds";                         # services.atproto.pds, unit atproto-pds
#     displayName = "the PDS";              # used in messages
#     settings = { stateDir, ... }: with service.option; {
#       PDS_PORT = port 3000 "TCP port the HTTP server listens on.";
#     };
#     required.PDS_HOSTNAME = ''the public DNS name, e.g. "pds.example.com"'';
#     secrets.jwtSecret = { env = "PDS_JWT_SECRET"; description = "..."; generate = "openssl rand --hex 16"; };
#     ports = cfg: [ cfg.settings.PDS_PORT ];
#     health.path = "/xrpc/_health";
#   } args
#
# The spec. Functions of `ctx` get { cfg, config, stateDir, name, pkgs,
# bindHost }; functions of `cfg` get the module's evaluated options.
#   name          services.atproto.<name>, unit atproto-<name>, package pkgs.atproto.<package or name>
#   displayName, description, notes   prose for messages, the unit and the `enable` option
#   format        "env" (settings become the environment) or "flags" (`--key=value` arguments)
#   settings      ctx -> { KEY = mkOption …; }: every variable or flag the program reads
#                 (service.option.* are short constructors); undeclared keys pass with a warning
#   strictPrefix  undeclared keys with this prefix fail evaluation (programs that refuse them)
#   aliases       { OTHER = "DECLARED"; }: other names the program reads for a setting (warned)
#   required      { KEY = "hint"; }: settings that must be non-null, with how to set them
#   secrets       { name = { env | path | flag; description; generate?; required? (true); }; }
#                 -> option `<name>File`, delivered with LoadCredential; `env` (a name or a list)
#                 exports the content, `path` exports the credential's path, `flag` passes it
#   args          cfg -> [ … ] arguments before the settings (e.g. a subcommand)
#   flagSettings  { KEY = "flag-name"; }: settings of an "env" program passed as `--flag-name=value`
#                 arguments instead of variables (lists repeat the flag), for a list the
#                 program splits into items only on its command line
#   command       cfg -> the program (default: lib.getExe cfg.package)
#   ports         cfg -> public TCP ports (openFirewall opens exactly these; < 1024 keeps
#                 CAP_NET_BIND_SERVICE). Each a port number or a listener: `listenOn cfg "SETTING"`
#                 (the port of that setting), or { port; host? (null: all addresses);
#                 setting? | option? (what changes it, for messages) }; null entries are skipped
#   listeners     cfg -> other TCP ports the program always binds (loopback, debug, internal
#                 APIs; not opened), same entries as `ports`. With `ports` and the metrics
#                 port they go to services.atproto.listeners, where two services on one port
#                 fail evaluation
#   health        { path; port? (cfg -> int; default: first port); host?;
#                   probe? (cfg -> { url; curlArgs? } replacing http://host:port/path, or null);
#                   byDefault? (cfg -> bool: healthCheck.enable's default; true);
#                   byDefaultText? (how byDefault reads in the docs) } or null
#   metrics       { port (cfg -> int or listener); path? ("/metrics"); settings? (cfg -> settings
#                 that turn the endpoint on) } or null
#   logLevel, logFormat   { values; default?; settings? (v -> settings); env? (v -> env) } or null
#   database      { setting; url? ({ user, database } -> str); settings?; check? } for PostgreSQL
#                 programs; check = true adds a pre-start check of the URL and the server (for
#                 programs that wait silently on a database they cannot reach)
#   backupFiles   [ globs relative to the state directory ]: plain files the databases
#                 cannot be used without (e.g. the PDS's per-account signing keys), copied by
#                 the upgrade backup beside the SQLite files and put back by the restore
#   after         ctx -> units to order after (e.g. a local relay)
#   environment   ctx -> fixed environment; preScript ctx -> shell run before the program
#   serviceConfig ctx -> exceptions to the hardening, each with a comment saying why
#   companions    ctx -> { <suffix> = { enable; description; program; environment ? { }; }; }:
#                 more programs run with this service's configuration (environment, secrets, user,
#                 hardening) as units atproto-<name>-<suffix>, after and bound to the main unit,
#                 without its port check and health probe (e.g. Ozone's background daemon);
#                 `environment` adds variables of their own (null values are left out)
#   user, staticUser      the user name and whether it is a real system user (else DynamicUser)
#   renamedOptions, removedOptions   [ { from = [ … ]; to = [ … ]; } ] / [ { path = [ … ]; why; } ]
#                 relative to services.atproto.<name>
#   extraOptions, assertions (ctx -> …), config (ctx -> extra NixOS config, already under enable)
{ lib }:
let
  inherit (lib)
    mkOption
    mkIf
    mkMerge
    mkDefault
    types
    literalExpression
    optional
    optionals
    optionalAttrs
    optionalString
    concatStringsSep
    concatMapStringsSep
    mapAttrsToList
    filterAttrs
    attrNames
    ;
in
rec {
  # ---------------------------------------------------------------------------
  # Settings values and their rendering

  # What one setting may hold. Lists are joined with commas when rendered to
  # an environment variable and repeated when rendered as flags.
  settingValue = types.nullOr (
    types.oneOf [
      types.bool
      types.int
      types.float
      types.str
      types.path
      (types.listOf (types.oneOf [ types.int types.str ]))
    ]
  );

  renderValue =
    v:
    if builtins.isBool v then
      (if v then "true" else "false")
    else if builtins.isList v then
      concatMapStringsSep "," toString v
    else
      toString v;

  # settings -> systemd `environment` (null means "leave unset").
  # An empty list is left unset too: several programs read "" as one empty item.
  toEnvironment =
    settings: lib.mapAttrs (_: renderValue) (filterAttrs (_: v: v != null && v != [ ]) settings);

  # settings -> command line flags: `--key=value`; `true` gives a bare `--key`,
  # `false` and null give nothing, lists repeat the flag.
  toFlags =
    settings:
    lib.concatLists (
      mapAttrsToList (
        k: v:
        if v == null || v == false then
          [ ]
        else if v == true then
          [ "--${k}" ]
        else if builtins.isList v then
          map (x: "--${k}=${toString x}") v
        else
          [ "--${k}=${renderValue v}" ]
      ) settings
    );

  # The port of a "host:port" listen address, as settings such as
  # RELAY_API_LISTEN or ALLEGEDLY_BIND write it.
  portOf = addr: lib.toInt (lib.last (lib.splitString ":" addr));

  # The listener a setting configures: a port number, or a "host:port"
  # address whose empty, 0.0.0.0 or [::] host means all addresses. null when
  # the setting is unset (nothing listens).
  listenOn =
    cfg: setting:
    let
      v = cfg.settings.${setting};
      host = lib.concatStringsSep ":" (lib.init (lib.splitString ":" v));
    in
    if v == null || v == "" then
      null
    else
      {
        port = if builtins.isInt v then v else portOf v;
        host =
          if
            builtins.isInt v
            || builtins.elem host [
              ""
              "0.0.0.0"
              "[::]"
              "::"
            ]
          then
            null
          else
            host;
        inherit setting;
      };

  # The module every service imports (once: the module system keeps one
  # module per key) collecting what every enabled service listens on, so
  # that two services on one port fail evaluation instead of at start.
  listenersModule = {
    key = "atproto-nur#services.atproto.listeners";
    _file = toString ./service.nix;
    imports = [
      (
        { config, ... }:
        {
          options.services.atproto.listeners = mkOption {
            internal = true;
            visible = false;
            type = types.listOf (
              types.submodule {
                options = {
                  service = mkOption { type = types.str; description = "The service (`services.atproto.<service>`)."; };
                  port = mkOption { type = types.port; description = "The TCP port."; };
                  host = mkOption {
                    type = types.nullOr types.str;
                    default = null;
                    description = "The address bound; null for all addresses.";
                  };
                  option = mkOption { type = types.str; description = "The option that changes the port."; };
                };
              }
            );
            default = [ ];
            description = "The TCP listeners of every enabled `services.atproto` service (public, local and metrics ports), each with the option that changes it; two services on one port fail evaluation.";
          };
          config.assertions = map (clash: {
            assertion = false;
            message = portClashMessage clash;
          }) (portClashes config.services.atproto.listeners);
        }
      )
    ];
  };

  # Groups of listeners of different services that cannot bind together: the
  # same port on the same address, or on all addresses.
  portClashes =
    listeners:
    let
      overlap = a: b: a.service != b.service && a.port == b.port && (a.host == null || b.host == null || a.host == b.host);
      byPort = lib.groupBy (l: toString l.port) listeners;
    in
    lib.concatMap (
      group:
      let
        clashing = builtins.filter (l: builtins.any (overlap l) group) group;
      in
      lib.optional (clashing != [ ]) clashing
    ) (builtins.attrValues byPort);

  portClashMessage =
    clash:
    let
      port = toString (builtins.head clash).port;
      names = lib.unique (map (l: l.service) clash);
    in
    "services.atproto: ${
      if builtins.length names == 2 then
        "${concatStringsSep " and " names} both"
      else
        "${concatStringsSep ", " (lib.init names)} and ${lib.last names} all"
    } listen on TCP port ${port}, so only one of them could start. "
    + "Set another port in all but one of: "
    + concatMapStringsSep "; " (l: l.option + optionalString (l.host != null) " (bound to ${l.host})") clash
    + ".";

  # Short constructors for declaring settings; descriptions should state units.
  option = {
    typed =
      type: default: description:
      mkOption { inherit type default description; };
    str =
      default: description:
      mkOption {
        type = types.str;
        inherit default description;
      };
    nullStr =
      description:
      mkOption {
        type = types.nullOr types.str;
        default = null;
        inherit description;
      };
    int =
      default: description:
      mkOption {
        type = types.int;
        inherit default description;
      };
    nullInt =
      description:
      mkOption {
        type = types.nullOr types.int;
        default = null;
        inherit description;
      };
    positive =
      default: description:
      mkOption {
        type = types.ints.positive;
        inherit default description;
      };
    port =
      default: description:
      mkOption {
        type = types.port;
        inherit default description;
      };
    bool =
      default: description:
      mkOption {
        type = types.bool;
        inherit default description;
      };
    nullBool =
      description:
      mkOption {
        type = types.nullOr types.bool;
        default = null;
        inherit description;
      };
    enum =
      values: default: description:
      mkOption {
        type = types.enum values;
        inherit default description;
      };
    nullEnum =
      values: description:
      mkOption {
        type = types.nullOr (types.enum values);
        default = null;
        inherit description;
      };
    list =
      default: description:
      mkOption {
        type = types.listOf types.str;
        inherit default description;
      };
  };

  # ---------------------------------------------------------------------------
  # Nearest known key, for "X is not read by Y; did you mean Z?"

  # Levenshtein distance, one row of the table at a time.
  editDistance =
    a: b:
    let
      as = lib.stringToCharacters a;
      bs = lib.stringToCharacters b;
      nb = builtins.length bs;
      step =
        prev: ca:
        let
          first = builtins.head prev + 1;
        in
        builtins.foldl' (
          row: j:
          let
            cost = if ca == builtins.elemAt bs j then 0 else 1;
            left = builtins.elemAt row j;
          in
          row
          ++ [
            (lib.min (lib.min (builtins.elemAt prev (j + 1) + 1) (left + 1)) (builtins.elemAt prev j + cost))
          ]
        ) [ first ] (lib.range 0 (nb - 1));
    in
    lib.last (builtins.foldl' step (lib.range 0 nb) as);

  # The known key closest to `key`, or null when none is plausibly meant.
  # Keys that contain the unknown key (PORT -> PDS_PORT) rank first, then edit
  # distance; ties go to the alphabetically first key.
  nearestKey =
    known: key:
    let
      up = lib.toUpper key;
      scored = map (
        k:
        let
          K = lib.toUpper k;
          contains = lib.hasInfix up K || lib.hasInfix K up;
          d = editDistance up K;
        in
        {
          inherit k d contains;
          score = d - (if contains then 1000 else 0);
        }
      ) (lib.sort (x: y: x < y) known);
      best = builtins.foldl' (acc: x: if acc == null || x.score < acc.score then x else acc) null scored;
      limit = lib.max 2 (builtins.stringLength key / 3);
    in
    if best == null then
      null
    else if best.contains && builtins.stringLength key >= 3 || best.d <= limit then
      best.k
    else
      null;

  unknownKeyWarning =
    {
      optionPrefix,
      displayName,
      known,
    }:
    key:
    let
      near = nearestKey known key;
    in
    "${optionPrefix}.settings.${key}: ${key} is not read by ${displayName}"
    + (if near != null then "; did you mean ${near}?" else ".");

  # ---------------------------------------------------------------------------
  # Secrets

  # True for anything that is, or would be copied into, the Nix store: a path
  # literal (Nix copies it when interpolated) or a string under the store.
  inStore = v: builtins.isPath v || lib.hasPrefix "${builtins.storeDir}/" (toString v);

  storeSecretMessage =
    optionName: v:
    let
      base = baseNameOf (toString v);
      # /nix/store/<hash>-name -> name
      name = if builtins.isPath v then base else lib.concatStringsSep "-" (builtins.tail (lib.splitString "-" base));
      suggested = if name == "" then base else name;
    in
    "${optionName} = ${
      if builtins.isPath v then "./" + baseNameOf (toString v) else "\"${toString v}\""
    } puts the secret in the Nix store, which every local user can read. "
    + "Keep the secret in a file outside the store (for example /run/secrets/… from agenix or sops-nix, "
    + "or /var/lib/secrets/… with mode 0400) and give its absolute path as a string: "
    + "${optionName} = \"/run/secrets/${suggested}\";";

  # ---------------------------------------------------------------------------
  # Hardening shared by every unit. Modules list their exceptions, with the
  # reason, in `serviceConfig` of the spec.
  hardening = {
    NoNewPrivileges = true;
    UMask = "0077";
    ProtectSystem = "strict";
    ProtectHome = true;
    PrivateTmp = true;
    PrivateDevices = true;
    PrivateUsers = true;
    PrivateMounts = true;
    PrivateIPC = true;
    ProtectHostname = true;
    ProtectClock = true;
    ProtectKernelTunables = true;
    ProtectKernelModules = true;
    ProtectKernelLogs = true;
    ProtectControlGroups = true;
    ProtectProc = "invisible";
    ProcSubset = "pid";
    RestrictNamespaces = true;
    RestrictRealtime = true;
    RestrictSUIDSGID = true;
    RemoveIPC = true;
    LockPersonality = true;
    MemoryDenyWriteExecute = true;
    SystemCallArchitectures = "native";
    SystemCallFilter = [
      "@system-service"
      "~@privileged"
      "~@resources"
    ];
    SystemCallErrorNumber = "EPERM";
    CapabilityBoundingSet = [ "" ];
    AmbientCapabilities = [ "" ];
    RestrictAddressFamilies = [
      "AF_UNIX"
      "AF_INET"
      "AF_INET6"
    ];
    DevicePolicy = "closed";
    KeyringMode = "private";
  };

  # ---------------------------------------------------------------------------
  # The module

  mkService =
    spec:
    {
      config,
      lib,
      pkgs,
      ...
    }:
    let
      # services.atproto.<name>; the unit is atproto-<name>.
      inherit (spec) name;
      displayName = spec.displayName or name;
      unit = "atproto-${name}";
      optionPrefix = "services.atproto.${name}";
      cfg = config.services.atproto.${name};
      stateDir = "/var/lib/${unit}";
      file = (builtins.unsafeGetAttrPos "name" spec).file;

      # settings: { cfg, stateDir, name, config } -> attrset of options, one
      # per variable or flag the program reads. format: "env" (default) or
      # "flags" (rendered as --key=value after `command`).
      format = spec.format or "env";
      # Passed to every function of the spec. `bindHost "0.0.0.0"` is the
      # host a listen-address default should use: loopback under
      # networkIsolation, the given host otherwise.
      ctx = {
        inherit
          cfg
          config
          stateDir
          name
          pkgs
          ;
        bindHost = host: if cfg.networkIsolation.enable then "127.0.0.1" else host;
      };
      settingsOptions = (spec.settings or (_: { })) ctx;
      knownKeys = attrNames settingsOptions;

      # Keys nothing declares. They are passed through with a warning, except
      # under `strictPrefix` (a program that refuses unknown variables with
      # that prefix), where they fail evaluation.
      unknownKeys = builtins.filter (
        k: !(builtins.elem k knownKeys) && !(builtins.elem k secretEnvs) && !(aliases ? ${k})
      ) (attrNames cfg.settings);
      # aliases: { OTHER_NAME = "DECLARED_NAME"; } — variables the program
      # also reads for a declared setting.
      aliases = spec.aliases or { };
      # An alias naming a declared setting is an old name of it: its value
      # becomes that setting's (unless the setting itself is set), so a
      # configuration written for the old name keeps its effect although
      # the module always renders the new name (with its default). Aliases
      # of secrets only warn: the value belongs in the secret's file.
      movedAliases = lib.filterAttrs (_: target: builtins.elem target knownKeys) aliases;
      aliasWarnings = map (
        k:
        if movedAliases ? ${k} then
          "${optionPrefix}.settings.${k} is the old name of ${optionPrefix}.settings.${aliases.${k}}; its value is used for ${aliases.${k}} (unless that is set too). Rename it to ${optionPrefix}.settings.${aliases.${k}}."
        else
          "${optionPrefix}.settings.${k}: ${displayName} reads ${k} as another name of ${aliases.${k}}; set ${optionPrefix}.settings.${aliases.${k}} instead, so that one value is in effect."
      ) (builtins.filter (k: aliases ? ${k}) (attrNames cfg.settings));
      strictUnknownKeys = builtins.filter (
        k: spec ? strictPrefix && lib.hasPrefix spec.strictPrefix k
      ) unknownKeys;
      unknownKeyMessage = unknownKeyWarning {
        inherit optionPrefix displayName;
        known = knownKeys;
      };

      # secrets: attrset of { env ? null; path ? null; flag ? null; description;
      # generate ? null; required ? true; }. Option `<secret>File`. `env`: the
      # wrapper exports the file's content in that variable; `path`: the
      # variable is set to the credential's path; `flag`: `--flag=<path>`.
      secrets = spec.secrets or { };
      secretOption = s: "${s}File";
      secretValues = lib.mapAttrs (s: _: cfg.${secretOption s}) secrets;
      secretEnvs = lib.concatMap (sp: lib.toList (sp.env or [ ])) (builtins.attrValues secrets);
      setSecrets = filterAttrs (s: _: secretValues.${s} != null) secrets;

      # ports: cfg -> TCP ports the program listens on (opened by openFirewall),
      # as listeners { port; host; option; }.
      listener =
        entry:
        if builtins.isInt entry then
          {
            port = entry;
            host = null;
            option = "${optionPrefix}.settings";
          }
        else
          {
            inherit (entry) port;
            host = entry.host or null;
            option =
              entry.option or (if entry ? setting then "${optionPrefix}.settings.${entry.setting}" else "${optionPrefix}.settings");
          };
      listenersOf = entries: map listener (builtins.filter (e: e != null) entries);
      publicListeners = listenersOf ((spec.ports or (_: [ ])) cfg);
      ports = map (l: l.port) publicListeners;
      metricsPort = entry: if builtins.isInt entry then entry else entry.port;
      # Every port the service binds, each service and port once.
      allListeners = lib.unique (
        publicListeners
        ++ listenersOf ((spec.listeners or (_: [ ])) cfg)
        ++ optionals (metrics != null && cfg.metrics.enable) (listenersOf [ (metrics.port cfg) ])
      );
      lowPorts = builtins.filter (p: p < 1024) ports;

      # health: { path; port ? cfg -> int (first of ports); host ? "127.0.0.1"; } or null.
      health = spec.health or null;
      healthProbe =
        let
          port = if health ? port then health.port cfg else builtins.head ports;
          custom = if health ? probe then health.probe cfg else null;
          probe =
            if custom != null then
              custom
            else
              { url = "http://${health.host or "127.0.0.1"}:${toString port}${health.path}"; };
        in
        lib.escapeShellArgs ((probe.curlArgs or [ ]) ++ [ probe.url ]);

      # metrics: { path ? "/metrics"; port : cfg -> int; settings ? cfg -> attrs
      # enabling the endpoint; } or null when the program has none.
      metrics = spec.metrics or null;

      # logLevel / logFormat: { values = [ ... ]; default; settings ? v -> attrs; env ? v -> attrs; }
      logLevel = spec.logLevel or null;
      logFormat = spec.logFormat or null;

      # database: { setting = "DATABASE_URL"; url ? { user, database } -> str;
      # settings ? { } (more settings selecting PostgreSQL); } when the program
      # can use PostgreSQL.
      database = spec.database or null;
      backupFiles = spec.backupFiles or [ ];

      # A state directory the service cannot write to (a read-only or full
      # file system, an immutable folder) otherwise fails deep in the program,
      # or in the upgrade backup's first write, with a bare errno.
      stateWriteCheck = ''
        if ! write_error=$(touch ${stateDir}/.atproto-write-check 2>&1 && rm -f ${stateDir}/.atproto-write-check); then
          echo "${unit}: cannot write to its state directory ${stateDir}: ''${write_error#touch: }. Check that the file system is mounted read-write, that it has free space, and that nothing in it is immutable (lsattr -d ${stateDir})." >&2
          exit 1
        fi
      '';

      # Checks run before the program, each failing the start with a line that
      # names the cause and the option to change, where the program's own
      # message would not (a Go "bind: address already in use" names no option,
      # an empty secret file gives a parse error or a stack trace).
      preflightScript =
        let
          fail = msg: ''echo ${lib.escapeShellArg "${unit}: ${msg}"} >&2; exit 1'';
          portCheck =
            l:
            let
              host = if l.host == null then "127.0.0.1" else lib.removeSuffix "]" (lib.removePrefix "[" l.host);
              addr = "${host}:${toString l.port}";
            in
            ''
              if ${pkgs.coreutils}/bin/timeout 2 ${pkgs.bash}/bin/bash -c ${lib.escapeShellArg "exec 3<>/dev/tcp/${host}/${toString l.port}"} 2>/dev/null; then
                ${fail "TCP port ${toString l.port} (${addr}) is already in use by another program, so ${displayName} cannot listen on it. Find it with `ss -ltnp 'sport = :${toString l.port}'` and stop it, or set ${l.option} to a free port."}
              fi
            '';
          secretCheck = s: ''
            if [[ ! -s "$CREDENTIALS_DIRECTORY/${s}" ]]; then
              ${fail "the secret file ${toString secretValues.${s}} (${optionPrefix}.${secretOption s}) is empty; put ${secrets.${s}.description} in it${optionalString (secrets.${s}.generate or null != null) " (create it with `${secrets.${s}.generate}`)"}."}
            fi
          '';
          # For programs that wait silently on a database they cannot reach
          # (database.check): the URL's shape, then whether the server
          # answers. Neither message prints the URL, which may hold a password.
          dbOption = "${optionPrefix}.settings.${database.setting}";
          dbVar = "\$${database.setting}";
          databaseCheck = optionalString (database != null && (database.check or false)) ''
            if [[ -n ''${${database.setting}:-} ]]; then
              case ${dbVar} in
                postgres://* | postgresql://*) ;;
                *) ${fail "${database.setting} (${dbOption}) is not a PostgreSQL URL: it must start with postgresql:// (for example postgresql://user@host/database, or postgresql:///database?host=/run/postgresql for the local socket)."} ;;
              esac
              if ! ready=$(${pgPackage}/bin/pg_isready --timeout=5 --dbname="${dbVar}" 2>&1); then
                echo "${unit}: the PostgreSQL server in ${database.setting} (${dbOption}) does not accept connections: $ready. Check that it runs (systemctl status postgresql) and that the URL names its host and port." >&2
                exit 1
              fi
            fi
          '';
        in
        "# Pre-start checks (nix/lib/service.nix: preflightScript).\n"
        + stateWriteCheck
        + concatMapStringsSep "" portCheck allListeners
        + concatMapStringsSep "" secretCheck (attrNames setSecrets)
        + databaseCheck;

      pgPackage =
        if config.services.postgresql.package or null != null then
          config.services.postgresql.package
        else
          pkgs.postgresql;

      secretScript = concatStringsSep "\n" (
        mapAttrsToList (
          s: sp:
          let
            cred = "\"$CREDENTIALS_DIRECTORY/${s}\"";
          in
          if sp.env or null != null then
            concatMapStringsSep "\n" (v: "export ${v}=\"$(< ${cred})\"") (lib.toList sp.env)
          else if sp.path or null != null then
            "export ${sp.path}=${cred}"
          else
            ""
        ) setSecrets
      );
      secretFlags = concatStringsSep " " (
        mapAttrsToList (s: sp: "--${sp.flag}=\"$CREDENTIALS_DIRECTORY/${s}\"") (
          filterAttrs (_: sp: sp.flag or null != null) setSecrets
        )
      );

      command = spec.command or (c: lib.getExe c.package);
      flagSettings = spec.flagSettings or { };
      args =
        (spec.args or (_: [ ])) cfg
        ++ optionals (format == "flags") (toFlags cfg.settings)
        ++ toFlags (lib.mapAttrs' (k: flag: lib.nameValuePair flag cfg.settings.${k}) flagSettings);

      isolated = cfg.networkIsolation.enable;
      isolationFamilies = [
        "AF_UNIX"
        "AF_INET"
      ]
      ++ optional (builtins.any (lib.hasInfix ":") cfg.networkIsolation.allow) "AF_INET6";

      notes = optionalString (spec.notes or "" != "") "\n\n${spec.notes}";
    in
    {
      imports = [
        listenersModule
      ]
      ++ map (
          r: lib.mkRenamedOptionModule ([ "services" "atproto" name ] ++ r.from) ([ "services" "atproto" name ] ++ r.to)
        ) (spec.renamedOptions or [ ])
        ++ map (r: lib.mkRemovedOptionModule ([ "services" "atproto" name ] ++ r.path) r.why) (
          spec.removedOptions or [ ]
        );

      options.services.atproto.${name} = {
        enable = lib.mkEnableOption (spec.description or displayName) // {
          description =
            "Whether to run ${spec.description or displayName} as the hardened systemd service `${unit}`. "
            + "State lives in {file}`${stateDir}`; logs go to the journal (`journalctl -u ${unit}`). "
            + "Before a new package version first starts, its databases are backed up and the version recorded "
            + "({option}`${optionPrefix}.backupOnUpgrade.enable`); after a rollback, `${unit}-restore` brings the matching data back."
            + notes;
        };

        package =
          let
            attr = spec.package or name;
            option = lib.mkPackageOption pkgs [ "atproto" attr ] {
              extraDescription = "`pkgs.atproto` comes from this repository's overlay, which the flake's `nixosModules` add themselves; with the modules from `default.nix`, add `overlays.default` to `nixpkgs.overlays`.";
            };
          in
          # Programs whose package could not be pinned honestly yet (see the
          # package catalogue) keep their module; the option says so, and
          # leaving it unset fails with a message naming it.
          if builtins.pathExists (../pkgs + "/${attr}/package.nix") then
            option
          else
            option
            // {
              default =
                pkgs.atproto.${attr} or (throw "services.atproto.${name}.package: atproto-nur does not package ${attr} yet (its sources or dependency hashes cannot be pinned reproducibly); set services.atproto.${name}.package to your own build of it.");
              description = "The ${name} package to use. atproto-nur does not package ${attr} yet (its sources or dependency hashes cannot be pinned reproducibly), so unless an overlay provides `pkgs.atproto.${attr}`, set this to your own build of the program.";
            };

        user = mkOption {
          type = types.str;
          default = spec.user or unit;
          description =
            if spec.staticUser or false then
              "System user the service runs as (created by this module)."
            else
              "Name of the user the service runs as. It is allocated dynamically by systemd (`DynamicUser`); with a local PostgreSQL database it is also the database role (peer authentication).";
        };

        settings = mkOption {
          type = types.submodule {
            _file = file;
            freeformType = types.attrsOf settingValue;
            options = settingsOptions;
          };
          default = { };
          description =
            "Configuration of ${displayName}, rendered "
            + (
              if format == "flags" then
                "as command-line flags (`--key=value`; `true` gives a bare flag)"
              else
                "to its environment (booleans as `true`/`false`, lists joined with commas)"
            )
            + ". Keys that are not declared below are passed through unchanged but produce an evaluation warning naming the nearest known key. `null` leaves a key unset (the program's own default applies).";
        };

        openFirewall = mkOption {
          type = types.bool;
          default = false;
          description = "Whether to open the TCP ports the service listens on (${
            if ports == [ ] then "none by default" else "currently ${concatMapStringsSep ", " toString ports}"
          }) in the firewall. Metrics ports are not opened: scrape them locally.";
        };

        logLevel = mkOption {
          type = types.enum (if logLevel == null then [ "info" ] else logLevel.values);
          default = if logLevel == null then "info" else logLevel.default or "info";
          description =
            if logLevel == null then
              "${displayName} has no setting for its log level; this option is accepted for uniformity and has no effect."
            else
              "Minimum level of messages ${displayName} writes to the journal.";
        };

        logFormat = mkOption {
          type = types.enum (if logFormat == null then [ "text" ] else logFormat.values);
          default = if logFormat == null then "text" else logFormat.default or "text";
          description =
            if logFormat == null then
              "${displayName} writes one log format and cannot switch it; this option only records that."
            else
              "Format of the log lines ${displayName} writes to the journal.";
        };

        metrics = {
          enable = mkOption {
            type = types.bool;
            default = false;
            description =
              if metrics == null then
                "${displayName} has no Prometheus endpoint; enabling this fails evaluation."
              else
                "Whether to serve Prometheus metrics at `http://127.0.0.1:<port>${metrics.path or "/metrics"}`.";
          };
          scrape = mkOption {
            type = types.bool;
            default = true;
            description = "When metrics are enabled, add a scrape job `${unit}` to {option}`services.prometheus.scrapeConfigs`.";
          };
        };

        healthCheck = {
          enable = mkOption {
            type = types.bool;
            default = health != null && (health.byDefault or (_: true)) cfg;
            defaultText =
              if health == null then
                literalExpression "false"
              else if health ? byDefaultText then
                lib.literalMD health.byDefaultText
              else
                literalExpression "true";
            description =
              if health == null then
                "${displayName} has no health endpoint; enabling this fails evaluation."
              else
                "Whether to probe `${health.path}` after start (the start fails, with the endpoint's answer in the journal, when it never answers successfully) and then on a timer (unit `${unit}-health`).";
          };
          interval = mkOption {
            type = types.str;
            default = "5min";
            description = "How often the timer probes the health endpoint (systemd time span).";
          };
          startTimeout = mkOption {
            type = types.ints.positive;
            default = 90;
            description = "Seconds to wait after start for the first successful health probe.";
          };
        };

        backupOnUpgrade = {
          enable = mkOption {
            type = types.bool;
            default = true;
            description = "Before the first start of a new package version, back up the SQLite databases in {file}`${stateDir}` (SQLite online backup)${
              optionalString (database != null) " and, with {option}`${optionPrefix}.database.createLocally`, the PostgreSQL database (`pg_dump`)"
            }${
              optionalString (backupFiles != [ ]) ", with the files the databases cannot be used without (${concatMapStringsSep ", " (g: "{file}`${g}`") backupFiles})"
            } into {file}`${stateDir}/.backups/<time>-from-<old version>/`, and record the running version. After a rollback, `${unit}-restore` lists the backups and restores one. Other stores (blobs, archives, RocksDB, caches) are not copied.";
          };
          keep = mkOption {
            type = types.ints.positive;
            default = 3;
            description = "Number of upgrade backups kept; older ones are deleted.";
          };
        };

        environmentFiles = mkOption {
          type = types.listOf types.path;
          default = [ ];
          example = [ "/run/secrets/${name}.env" ];
          description = "Files of `KEY=value` lines added to the environment (systemd `EnvironmentFile`), read at start; use them for values that must not enter the Nix store. They override {option}`${optionPrefix}.settings`.";
        };

        networkIsolation = {
          enable = mkOption {
            type = types.bool;
            default = false;
            description = "Confine the service to the loopback interface: it listens on 127.0.0.1 only (where the program can bind an address), every IP packet except to/from localhost and {option}`${optionPrefix}.networkIsolation.allow` is dropped (`IPAddressDeny=any`), and address families are narrowed to Unix and IPv4 (IPv6 only if an allowed address needs it). For services behind a local reverse proxy that fetch nothing from outside.";
          };
          allow = mkOption {
            type = types.listOf types.str;
            default = [ ];
            example = [ "10.0.0.0/8" ];
            description = "Addresses or prefixes (systemd `IPAddressAllow` syntax) still reachable under network isolation, besides localhost.";
          };
        };
      }
      // lib.mapAttrs (
        s: sp:
        mkOption {
          type = types.nullOr types.path;
          default = null;
          example = "/run/secrets/${name}-${s}";
          description =
            "Path of a file, outside the Nix store, holding ${sp.description}. "
            + "It is handed to the service with systemd `LoadCredential`, so only the service can read it."
            + optionalString (sp.generate or null != null) " Create one with `${sp.generate}`."
            + optionalString (!(sp.required or true)) " Optional.";
        }
      ) (lib.mapAttrs' (s: v: lib.nameValuePair (secretOption s) v) secrets)
      // optionalAttrs (database != null) {
        database = {
          createLocally = mkOption {
            type = types.bool;
            default = false;
            description = "Create a PostgreSQL database and role named after {option}`${optionPrefix}.user` on this host (enabling {option}`services.postgresql`) and connect to it over its Unix socket with peer authentication, so no password is needed.";
          };
        };
      }
      // (spec.extraOptions or (_: { })) ctx;

      config = mkIf cfg.enable (mkMerge [
        {
          assertions =
            mapAttrsToList (key: hint: {
              assertion = cfg.settings.${key} or null != null;
              message = "${optionPrefix}.settings.${key} is not set. Set it to ${hint}";
            }) (spec.required or { })
            ++ mapAttrsToList (s: sp: {
              assertion = !(sp.required or true) || cfg.${secretOption s} != null;
              message =
                "${optionPrefix}.${secretOption s} is not set. Point it to a file outside the Nix store holding ${sp.description}"
                + optionalString (sp.generate or null != null) " (create it with `${sp.generate}`)"
                + ", e.g. ${optionPrefix}.${secretOption s} = \"/run/secrets/${name}-${s}\";";
            }) secrets
            ++ mapAttrsToList (s: v: {
              assertion = v == null || !(inStore v);
              message = storeSecretMessage "${optionPrefix}.${secretOption s}" v;
            }) secretValues
            ++ map (v: {
              assertion = !(inStore v);
              message = storeSecretMessage "${optionPrefix}.environmentFiles" v;
            }) cfg.environmentFiles
            ++ [
              {
                assertion = !cfg.metrics.enable || metrics != null;
                message = "${optionPrefix}.metrics.enable: ${displayName} has no Prometheus endpoint; set it to false.";
              }
              {
                assertion = !cfg.healthCheck.enable || health != null;
                message = "${optionPrefix}.healthCheck.enable: ${displayName} has no health endpoint; set it to false.";
              }
            ]
            ++ lib.concatLists (
              mapAttrsToList (
                s: sp:
                map (env: {
                  assertion = cfg.settings.${env} == null;
                  message = "${optionPrefix}.settings.${env} holds a secret, which would land in the Nix store and the unit's environment. Remove it and put the value in a file outside the store: ${optionPrefix}.${secretOption s} = \"/run/secrets/${name}-${s}\";";
                }) (builtins.filter (env: cfg.settings ? ${env} && !(builtins.elem env knownKeys)) (lib.toList (sp.env or [ ])))
              ) secrets
            )
            ++ map (k: {
              assertion = false;
              message =
                unknownKeyMessage k
                + " ${displayName} refuses to start with an unknown ${spec.strictPrefix} variable; remove the key or correct its name.";
            }) strictUnknownKeys
            ++ (spec.assertions or (_: [ ])) ctx;

          warnings = map (
            k: unknownKeyMessage k + " (The value is passed through unchanged; remove it if it is a typo.)"
          ) (builtins.filter (k: !(builtins.elem k strictUnknownKeys)) unknownKeys)
          ++ aliasWarnings;

          services.atproto.${name}.settings = mkMerge [
            # Old names' values, above the module's defaults and below what
            # the configuration sets under the new name.
            (lib.mapAttrs (
              _: olds: mkMerge (map (old: mkIf (cfg.settings ? ${old}) (lib.mkOverride 900 cfg.settings.${old})) olds)
            ) (lib.groupBy (old: movedAliases.${old}) (attrNames movedAliases)))
            (lib.mapAttrs (_: mkDefault) (
              optionalAttrs (logLevel != null) ((logLevel.settings or (_: { })) cfg.logLevel)
              // optionalAttrs (logFormat != null) ((logFormat.settings or (_: { })) cfg.logFormat)
              // optionalAttrs (metrics != null && cfg.metrics.enable) ((metrics.settings or (_: { })) cfg)
            ))
          ];

          systemd.services.${unit} = {
            description = spec.description or displayName;
            wantedBy = [ "multi-user.target" ];
            wants = [ "network-online.target" ];
            after = [ "network-online.target" ] ++ (spec.after or (_: [ ])) ctx;
            # Restart=on-failure retries every RestartSec (5 s); systemd gives up
            # after StartLimitBurst starts within StartLimitIntervalSec. Its
            # default window (10 s) is shorter than five attempts, so a service
            # that cannot start would be retried forever. The window here holds
            # five attempts that each use their whole start timeout, and a
            # minute more (the window reopens exactly at its end).
            unitConfig = {
              StartLimitBurst = 5;
              StartLimitIntervalSec = 5 * (cfg.healthCheck.startTimeout + 30 + 5) + 60;
            };
            environment =
              (if format == "env" then toEnvironment (removeAttrs cfg.settings (attrNames flagSettings ++ attrNames movedAliases)) else { })
              // optionalAttrs (logLevel != null) ((logLevel.env or (_: { })) cfg.logLevel)
              // optionalAttrs (logFormat != null) ((logFormat.env or (_: { })) cfg.logFormat)
              // (spec.environment or (_: { })) ctx;
            # The wrapper: secrets the program wants in variables are read from
            # the credentials directory here, so they never appear in the unit.
            script = ''
              set -eu
              ${preflightScript}
              ${secretScript}
              ${(spec.preScript or (_: "")) ctx}
              exec ${command cfg} ${lib.escapeShellArgs args}${optionalString (secretFlags != "") " ${secretFlags}"}
            '';
            serviceConfig =
              hardening
              // {
                Type = "simple";
                User = cfg.user;
                Group = cfg.user;
                DynamicUser = !(spec.staticUser or false);
                StateDirectory = unit;
                StateDirectoryMode = "0700";
                RuntimeDirectory = unit;
                RuntimeDirectoryMode = "0700";
                WorkingDirectory = stateDir;
                LoadCredential = mapAttrsToList (s: _: "${s}:${toString secretValues.${s}}") setSecrets;
                EnvironmentFile = map toString cfg.environmentFiles;
                Restart = "on-failure";
                RestartSec = "5s";
                TimeoutStartSec = cfg.healthCheck.startTimeout + 30;
              }
              // optionalAttrs (lowPorts != [ ]) {
                # Binding a port below 1024 is the one privilege kept; a user
                # namespace would keep it from applying to the host's network.
                CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" ];
                AmbientCapabilities = [ "CAP_NET_BIND_SERVICE" ];
                PrivateUsers = false;
              }
              // optionalAttrs isolated {
                IPAddressDeny = "any";
                IPAddressAllow = [ "localhost" ] ++ cfg.networkIsolation.allow;
                RestrictAddressFamilies = isolationFamilies;
              }
              // optionalAttrs (health != null && cfg.healthCheck.enable) {
                # Wait until the program answers its health endpoint; on
                # timeout curl prints the last answer into the journal and
                # the start fails.
                ExecStartPost = [
                  "${pkgs.curl}/bin/curl --silent --show-error --fail-with-body --max-time 5 --retry ${toString cfg.healthCheck.startTimeout} --retry-delay 1 --retry-all-errors --retry-max-time ${toString cfg.healthCheck.startTimeout} ${healthProbe}"
                ];
              }
              // (spec.serviceConfig or (_: { })) ctx;
          };
        }

        # Companion programs: the main unit's configuration, another program. They start
        # after the main unit (which may migrate the database) and stop with it; they listen
        # on nothing, so neither the port check nor the health probe applies, and each has a
        # runtime directory of its own (systemd removes a unit's when that unit stops).
        {
          systemd.services = lib.mapAttrs' (
            suffix: c:
            lib.nameValuePair "${unit}-${suffix}" (
              mkIf c.enable {
                inherit (c) description;
                wantedBy = [ "multi-user.target" ];
                after = [ "${unit}.service" ];
                bindsTo = [ "${unit}.service" ];
                environment =
                  config.systemd.services.${unit}.environment
                  // lib.mapAttrs (_: toString) (filterAttrs (_: v: v != null) (c.environment or { }));
                script = ''
                  set -eu
                  ${secretScript}
                  ${(spec.preScript or (_: "")) ctx}
                  exec ${c.program}${optionalString (secretFlags != "") " ${secretFlags}"}
                '';
                serviceConfig = removeAttrs config.systemd.services.${unit}.serviceConfig [ "ExecStartPost" ] // {
                  RuntimeDirectory = "${unit}-${suffix}";
                };
              }
            )
          ) ((spec.companions or (_: { })) ctx);
        }

        (mkIf cfg.openFirewall { networking.firewall.allowedTCPPorts = ports; })

        {
          services.atproto.listeners = map (l: l // { service = name; }) allListeners;
        }

        (mkIf (metrics != null && cfg.metrics.enable && cfg.metrics.scrape) {
          services.prometheus.scrapeConfigs = [
            {
              job_name = unit;
              metrics_path = metrics.path or "/metrics";
              static_configs = [ { targets = [ "127.0.0.1:${toString (metricsPort (metrics.port cfg))}" ]; } ];
            }
          ];
        })

        (mkIf (health != null && cfg.healthCheck.enable) {
          systemd.services."${unit}-health" = {
            description = "Health probe of ${unit}";
            after = [ "${unit}.service" ];
            requisite = [ "${unit}.service" ];
            serviceConfig = hardening // {
              Type = "oneshot";
              DynamicUser = true;
              # Only the probe's own connection to the service is allowed.
              IPAddressDeny = "any";
              IPAddressAllow = [ "localhost" ];
              ExecStart = "${pkgs.curl}/bin/curl --silent --show-error --fail-with-body --max-time 10 ${healthProbe}";
            };
          };
          systemd.timers."${unit}-health" = {
            description = "Periodic health probe of ${unit}";
            wantedBy = [ "timers.target" ];
            timerConfig = {
              OnActiveSec = cfg.healthCheck.interval;
              OnUnitActiveSec = cfg.healthCheck.interval;
            };
          };
        })

        (mkIf (database != null && (cfg.database.createLocally or false)) {
          services.postgresql = {
            enable = true;
            ensureDatabases = [ cfg.user ];
            ensureUsers = [
              {
                name = cfg.user;
                ensureDBOwnership = true;
              }
            ];
          };
          services.atproto.${name}.settings = lib.mapAttrs (_: mkDefault) (database.settings or { }) // {
            ${database.setting} = mkDefault (
            (database.url or ({ user, database }: "postgresql://${user}@/${database}?host=/run/postgresql"))
              {
                user = cfg.user;
                database = cfg.user;
              }
            );
          };
          systemd.services.${unit} = {
            after = [ "postgresql.service" ];
            requires = [ "postgresql.service" ];
          };
        })

        (mkIf cfg.backupOnUpgrade.enable (
          let
            version = cfg.package.version or cfg.package.name or "unknown";
            localDb = database != null && (cfg.database.createLocally or false);
            backup = pkgs.writeShellScript "${unit}-upgrade-backup" ''
              set -euo pipefail
              shopt -s globstar nullglob dotglob
              state=${stateDir}
              ${stateWriteCheck}
              current=${lib.escapeShellArg version}
              recorded=$(cat "$state/.atproto-version" 2>/dev/null || true)
              if [[ -n $recorded && $recorded != "$current" ]]; then
                dest="$state/.backups/$(date -u +%Y%m%dT%H%M%SZ)-from-$recorded"
                echo "${unit}: version $recorded -> $current, backing up to $dest"
                mkdir -p "$dest/sqlite"
                for f in "$state"/**; do
                  [[ -f $f && ! -L $f ]] || continue
                  case $f in "$state"/.backups/*) continue ;; esac
                  if [[ $(head -c 15 "$f" 2>/dev/null) == "SQLite format 3" ]]; then
                    rel=''${f#"$state"/}
                    mkdir -p "$dest/sqlite/$(dirname "$rel")"
                    ${pkgs.sqlite}/bin/sqlite3 "$f" ".backup '$dest/sqlite/$rel'"
                  fi
                done
                ${optionalString (backupFiles != [ ]) ''
                  for f in ${concatMapStringsSep " " (glob: ''"$state"/${glob}'') backupFiles}; do
                    [[ -f $f && ! -L $f ]] || continue
                    rel=''${f#"$state"/}
                    install -D --mode=0600 "$f" "$dest/files/$rel"
                  done
                ''}
                ${optionalString localDb ''${pgPackage}/bin/pg_dump --format=custom --file="$dest/postgres.dump" ${lib.escapeShellArg cfg.user}''}
                echo "$recorded" > "$dest/version"
                # Keep the newest backups only.
                backups=("$state"/.backups/*/)
                for ((i = 0; i < ''${#backups[@]} - ${toString cfg.backupOnUpgrade.keep}; i++)); do
                  rm -rf "''${backups[i]}"
                done
                # Going back to a version this host ran before: its data from
                # before that upgrade is in a backup. The program may refuse
                # the newer data, or not notice; either way, say what brings
                # the matching data back.
                earlier=("$state"/.backups/*-from-"$current"/)
                if [[ ''${#earlier[@]} -gt 0 ]]; then
                  name=$(basename "''${earlier[-1]}")
                  echo "${unit}: version $current ran here before; the data was last used by $recorded. If ${displayName} fails to start or misbehaves on that newer data, bring back its data from before the upgrade (writes since then are lost): ${unit}-restore $name"
                fi
              fi
              echo "$current" > "$state/.atproto-version"
            '';
            restore = pkgs.writeShellScriptBin "${unit}-restore" ''
              set -euo pipefail
              shopt -s globstar nullglob dotglob
              state=${stateDir}
              if [[ $# -eq 0 ]]; then
                echo "Upgrade backups of ${unit} (restore one with: ${unit}-restore NAME):"
                for b in "$state"/.backups/*/; do
                  echo "  $(basename "$b")  (data of version $(cat "$b/version"))"
                done
                echo "Data in $state was last started by version $(cat "$state/.atproto-version" 2>/dev/null || echo unknown)."
                exit 0
              fi
              backup="$state/.backups/$1"
              [[ -d $backup ]] || { echo "${unit}-restore: no backup named $1 in $state/.backups" >&2; exit 1; }
              [[ $(id -u) == 0 ]] || { echo "${unit}-restore: run as root (it stops and starts ${unit})" >&2; exit 1; }
              systemctl stop ${unit}.service
              for f in "$backup"/sqlite/**; do
                [[ -f $f ]] || continue
                rel=''${f#"$backup"/sqlite/}
                install -D --mode=0600 "$f" "$state/$rel"
                rm -f "$state/$rel-wal" "$state/$rel-shm"
              done
              for f in "$backup"/files/**; do
                [[ -f $f ]] || continue
                install -D --mode=0600 "$f" "$state/''${f#"$backup"/files/}"
              done
              ${optionalString localDb ''
                if [[ -f $backup/postgres.dump ]]; then
                  # The dump is opened here, as root: the postgres user
                  # cannot enter the service's state directory (mode 0700).
                  runuser -u postgres -- ${pgPackage}/bin/pg_restore --clean --if-exists --dbname=${lib.escapeShellArg cfg.user} < "$backup/postgres.dump"
                fi
              ''}
              cp "$backup/version" "$state/.atproto-version"
              chown -R --reference="$state" "$state"
              systemctl start ${unit}.service
              echo "${unit}: restored $1 (data of version $(cat "$backup/version"))"
            '';
          in
          {
            environment.systemPackages = [ restore ];
            systemd.services."${unit}-upgrade-backup" = {
              description = "Back up ${unit}'s databases before a new version starts";
              after = optional localDb "postgresql.service";
              serviceConfig = hardening // {
                Type = "oneshot";
                User = cfg.user;
                Group = cfg.user;
                DynamicUser = !(spec.staticUser or false);
                StateDirectory = unit;
                StateDirectoryMode = "0700";
                # Copying a large database may take long; the service waits.
                TimeoutStartSec = "infinity";
                # Local only: the PostgreSQL socket, no network.
                IPAddressDeny = "any";
                RestrictAddressFamilies = [ "AF_UNIX" ];
                ExecStart = backup;
              };
            };
            systemd.services.${unit} = {
              requires = [ "${unit}-upgrade-backup.service" ];
              after = [ "${unit}-upgrade-backup.service" ];
            };
          }
        ))

        (mkIf (spec.staticUser or false) {
          users.users.${cfg.user} = {
            isSystemUser = true;
            group = cfg.user;
            home = stateDir;
          };
          users.groups.${cfg.user} = { };
        })

        ((spec.config or (_: { })) ctx)
      ]);
    };
}
