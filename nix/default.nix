# The one definition of this repository's package set, modules, overlay and
# templates. default.nix (NUR), flake.nix and the docs export all read it;
# nothing here is listed by hand:
#   - every nix/pkgs/<name>/package.nix is package <name> (names starting
#     with "_" hold shared pins, not packages);
#   - nix/modules/default.nix lists the modules (from its own readDir);
#   - every nix/templates/<name>/flake.nix is template <name>.
#
#   import ./nix { inherit lib pkgs; }   real packages (derivations)
#   import ./nix { inherit lib; }        metadata mode: nixpkgs lib only
{
  lib,
  pkgs ? null,
}:
let
  atprotoLib = import ./lib { inherit lib pkgs; };
  inherit (atprotoLib) metadata;

  # Attribute names NUR gives a meaning of its own in default.nix.
  reserved = [
    "lib"
    "modules"
    "overlays"
  ];

  subdirs =
    dir:
    if builtins.pathExists dir then
      lib.attrNames (lib.filterAttrs (_: type: type == "directory") (builtins.readDir dir))
    else
      [ ];

  packageFiles = lib.listToAttrs (
    map (name: lib.nameValuePair name (./pkgs + "/${name}/package.nix")) (
      lib.filter (
        name: !lib.hasPrefix "_" name && builtins.pathExists (./pkgs + "/${name}/package.nix")
      ) (subdirs ./pkgs)
    )
  );

  checkedPackageFiles =
    let
      clashes = lib.filter (n: packageFiles ? ${n}) reserved;
    in
    lib.throwIf (clashes != [ ])
      "atproto-nur: nix/pkgs/${lib.head clashes} uses a name reserved by the NUR entry point (${lib.concatStringsSep ", " reserved}); rename the folder"
      packageFiles;

  # Packages see nixpkgs, each other and atprotoLib (callPackage semantics).
  packages =
    if pkgs == null then
      lib.fix (
        self:
        lib.mapAttrs (
          _: file:
          metadata.callPackage (metadata.knownArgs // self // { inherit atprotoLib; }) file { }
        ) checkedPackageFiles
      )
    else
      lib.fix (
        self:
        lib.mapAttrs (
          _: file: lib.callPackageWith (pkgs // self // { inherit atprotoLib; }) file { }
        ) checkedPackageFiles
      );

  modules =
    let
      file = ./modules/default.nix;
      value = if builtins.pathExists file then import file else { };
    in
    if lib.isFunction value then value { inherit lib; } else value;

  templateNames = lib.filter (name: builtins.pathExists (./templates + "/${name}/flake.nix")) (
    subdirs ./templates
  );

  templates = lib.genAttrs templateNames (name: {
    path = ./templates + "/${name}";
    inherit (import (./templates + "/${name}/flake.nix")) description;
  });

  overlay = final: prev: {
    atproto = (import ./. { inherit (prev) lib; pkgs = final; }).packages;
  };
in
{
  inherit
    atprotoLib
    modules
    overlay
    packages
    packageFiles
    templates
    ;
  mode = atprotoLib.mode;

  # The repository root, for turning evaluated file names into
  # repository-relative ones.
  root = toString ../.;

  # Evaluates NixOS modules with lib alone: the option stubs from
  # nix/lib/nixos-stubs.nix, and a `pkgs` whose `atproto` is the metadata
  # package set (see nix/lib/metadata-pkgs.nix). Used by the docs export and
  # the module tests.
  evalModules =
    {
      modules ? [ ],
      specialArgs ? { },
    }:
    let
      metadataPackages = if pkgs == null then packages else (import ./. { inherit lib; }).packages;
    in
    lib.evalModules {
      modules = lib.optional (atprotoLib.nixosStubs != null) atprotoLib.nixosStubs ++ modules;
      specialArgs = {
        pkgs = metadata.modulePkgs { atproto = metadataPackages; };
      }
      // specialArgs;
    };
}
