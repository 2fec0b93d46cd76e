# Every NixOS module of this repository: `<app> = ./<app>.nix` for each file
# in this folder, plus `default`, which imports them all. Adding a file adds
# the module; nothing else lists them.
let
  files = builtins.readDir ./.;
  isModule =
    file: type:
    type == "regular" && file != "default.nix" && builtins.match ".*\\.nix" file != null;
  names = map (file: builtins.substring 0 (builtins.stringLength file - 4) file) (
    builtins.filter (file: isModule file files.${file}) (builtins.attrNames files)
  );
  modules = builtins.listToAttrs (
    map (name: {
      inherit name;
      value = ./. + "/${name}.nix";
    }) names
  );
in
modules
// {
  default = {
    imports = builtins.attrValues modules;
  };
}
