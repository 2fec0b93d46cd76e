# Renders an evaluated `systemd.services.<name>` entry to the text of a
# .service file, close to what NixOS writes, so that `systemd-analyze security
# --offline=true` can score it. A `script` becomes an ExecStart of a
# placeholder store path, as NixOS makes it a separate script file.
{ lib }:
name: unit:
let
  render =
    v:
    if builtins.isBool v then
      (if v then "true" else "false")
    else
      toString v;
  lines =
    key: v:
    if builtins.isList v then
      (if v == [ ] then [ ] else map (x: "${key}=${render x}") v)
    else
      [ "${key}=${render v}" ];
  section = attrs: lib.concatLists (lib.mapAttrsToList lines attrs);
  unitSection =
    {
      Description = unit.description;
      After = unit.after;
      Wants = unit.wants;
      Requires = unit.requires;
    }
    // unit.unitConfig;
  env = lib.mapAttrsToList (k: v: "Environment=\"${k}=${toString v}\"") (
    lib.filterAttrs (_: v: v != null) unit.environment
  );
  execStart = lib.optional (unit.script != "") "ExecStart=/nix/store/00000000000000000000000000000000-${name}-start";
in
''
  [Unit]
  ${lib.concatStringsSep "\n" (section unitSection)}

  [Service]
  ${lib.concatStringsSep "\n" (env ++ execStart ++ section unit.serviceConfig)}

  [Install]
  WantedBy=${lib.concatStringsSep " " unit.wantedBy}
''
