# The upgrade backup and restore scripts one module generates
# (backupOnUpgrade), as a host would have them: the ExecStart script of
# atproto-<module>-upgrade-backup and the atproto-<module>-restore command
# the module adds to environment.systemPackages. Evaluated like unit.nix
# (minimal.nix plus `extra`, the package a stand-in of version `version`).
#
#   nix-instantiate --eval --strict --json nix/tests/live/recovery.nix \
#     --argstr module pds --argstr exe /path/bin/pds --argstr version 1.0
{
  module,
  exe,
  version ? "live-test",
  extra ? { },
}:
let
  lib = import <nixpkgs/lib>;
  eval = import ../modules/eval.nix { inherit lib; };
  render = import ./render.nix { inherit lib eval; };
  minimal = import ../modules/minimal.nix;

  inherit
    (eval.checked [
      {
        services.atproto.${module} = lib.mkMerge (
          [
            (minimal.${module} or { })
            {
              enable = true;
              package = render.packageOf exe version;
            }
          ]
          ++ (if builtins.isList extra then extra else [ extra ])
        );
      }
    ])
    config
    ;
  unit = "atproto-${module}";
  backupUnit = config.systemd.services."${unit}-upgrade-backup" or (throw "services.atproto.${module} has no ${unit}-upgrade-backup unit (is backupOnUpgrade.enable false?)");
  restore = lib.findFirst (p: (p.name or "") == "${unit}-restore") (throw "services.atproto.${module} puts no ${unit}-restore command in environment.systemPackages") config.environment.systemPackages;
in
{
  backup = backupUnit.serviceConfig.ExecStart.text;
  restore = restore.text;
}
