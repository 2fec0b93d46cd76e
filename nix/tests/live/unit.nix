# The systemd units one module generates, as the live tests run them
# (nix/tests/live/unit.go): the module enabled with its minimal configuration
# (nix/tests/modules/minimal.nix) plus `extra`, evaluated with the project's
# stand-in NixOS (nix/tests/modules/eval.nix), its package replaced by a
# stand-in whose `lib.getExe` is the locally built program.
#
#   nix-instantiate --eval --strict --json nix/tests/live/unit.nix \
#     --argstr module relay --argstr exe /path/bin/relay --arg extra '{ }'
#
# `exe` must end in /bin/<program>, the shape lib.getExe gives. `extra` is
# an attribute set of the module's options, or a list of them (merged).
{
  module,
  exe,
  version ? "live-test",
  extra ? { },
}:
let
  lib = import <nixpkgs/lib>;
  eval = import ../modules/eval.nix { inherit lib; };
  minimal = import ../modules/minimal.nix;

  binDir = dirOf exe;
  package = eval.fakePackage (baseNameOf exe) // {
    outPath = dirOf binDir;
    inherit version;
  };

  result = eval.checked [
    {
      services.atproto.${module} = lib.mkMerge (
        [
          (minimal.${module} or { })
          { enable = true; inherit package; }
        ]
        ++ (if builtins.isList extra then extra else [ extra ])
      );
    }
  ];
  inherit (result) config;
  cfg = config.services.atproto.${module};
  name = "atproto-${module}";

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
  };

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
  logFormat = cfg.logFormat;
  logLevel = cfg.logLevel;
  healthCheck = cfg.healthCheck.enable;
  postgresql = {
    inherit (config.services.postgresql) enable ensureDatabases ensureUsers;
  };
}
