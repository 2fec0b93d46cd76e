# Shared by unit.nix and system.nix: the stand-in package of a locally built
# program, and what the live tests read of one module in an evaluated system
# (its units, listeners, metrics endpoint, log format, PostgreSQL wishes).
{ lib, eval }:
rec {
  # A package whose lib.getExe is `exe` (which must end in /bin/<program>).
  packageOf =
    exe: version:
    eval.fakePackage (baseNameOf exe)
    // {
      outPath = dirOf (dirOf exe);
      inherit version;
    };

  # A script from the stand-in pkgs.writeShellScript keeps its text; a unit
  # runs that text, as NixOS would run the script file.
  value =
    v:
    if builtins.isAttrs v && v ? text then
      { script = v.text; }
    else if builtins.isList v then
      map value v
    else if builtins.isAttrs v && v ? outPath then
      toString v
    else
      v;

  unitOf = u: {
    inherit (u) description after requires wants;
    environment = lib.mapAttrs (_: toString) (lib.filterAttrs (_: v: v != null) u.environment);
    inherit (u) script preStart postStart;
    serviceConfig = lib.mapAttrs (_: value) u.serviceConfig;
    inherit (u) unitConfig;
  };

  module =
    config: module:
    let
      cfg = config.services.atproto.${module};
      name = "atproto-${module}";
      ownUnits = lib.filterAttrs (n: _: n == name || lib.hasPrefix "${name}-" n) config.systemd.services;
      scrape = lib.findFirst (s: s.job_name == name) null config.services.prometheus.scrapeConfigs;
    in
    {
      inherit name;
      units = lib.mapAttrs (_: unitOf) ownUnits;
      listeners = builtins.filter (l: l.service == module) config.services.atproto.listeners;
      metrics =
        if scrape == null then
          null
        else
          {
            path = scrape.metrics_path;
            targets = lib.concatMap (s: s.targets) scrape.static_configs;
          };
      # The evaluation warnings about this module's options.
      warnings = builtins.filter (w: lib.hasPrefix "services.atproto.${module}." w) config.warnings;
      logFormat = cfg.logFormat;
      logLevel = cfg.logLevel;
      healthCheck = cfg.healthCheck.enable;
      postgresql = {
        inherit (config.services.postgresql) enable ensureDatabases ensureUsers;
      };
    };
}
