# Evaluates this repository's NixOS modules the way the module tests and the
# docs export do: nixpkgs `lib`, the NixOS option stubs, and a stand-in
# `pkgs` whose only real content is names (no derivation is built).
#
#   eval = import ./eval.nix { inherit lib; };
#   (eval.system [ { services.atproto.pds = { enable = true; ... }; } ]).config
#   eval.checked [ ... ]   # like NixOS: throws "Failed assertions: ..." and prints warnings
{
  lib,
  # Metadata-mode packages (repo.packages) to use instead of the fakes where
  # they exist, so the tests see the real mainProgram of each package.
  packages ? { },
}:
let
  modules = import ../../modules;

  # A fake derivation: enough for types.package, lib.getExe and string
  # interpolation.
  fakePackage =
    name:
    {
      type = "derivation";
      inherit name;
      pname = name;
      version = "0";
      outPath = "/nix/store/00000000000000000000000000000000-${name}";
      meta.mainProgram = name;
    };

  # One fake per module and per package folder (a module may use packages
  # of other names, as rsky-feedgen's indexer uses rsky-firehose).
  packageNames = builtins.attrNames (
    lib.filterAttrs (name: type: type == "directory" && !lib.hasPrefix "_" name) (builtins.readDir ../../pkgs)
  );

  pkgs = {
    atproto =
      lib.genAttrs (lib.unique (builtins.attrNames (removeAttrs modules [ "default" ]) ++ packageNames)) fakePackage
      // packages;
    curl = fakePackage "curl";
    sqlite = fakePackage "sqlite";
    postgresql = fakePackage "postgresql";
    git = fakePackage "git";
    coreutils = fakePackage "coreutils";
    bash = fakePackage "bash";
    # Scripts keep their text so the tests can read what would run.
    writeShellScript = name: text: {
      outPath = "/nix/store/00000000000000000000000000000000-${name}";
      inherit text;
    };
    writeShellScriptBin = name: text: fakePackage name // { inherit text; };
  };

  system =
    extraModules:
    lib.evalModules {
      modules = [
        ../../lib/nixos-stubs.nix
        modules.default
      ]
      ++ extraModules;
      specialArgs = { inherit pkgs; };
    };

  # NixOS fails the build on a false assertion; the stubs only collect them,
  # so do the same check here.
  checked =
    extraModules:
    let
      result = system extraModules;
      failed = map (a: a.message) (builtins.filter (a: !a.assertion) result.config.assertions);
      warned = lib.foldr (w: acc: builtins.trace "warning: ${w}" acc) result result.config.warnings;
    in
    if failed != [ ] then
      throw "\nFailed assertions:\n${lib.concatMapStringsSep "\n" (m: "- ${m}") failed}"
    else
      warned;
in
{
  inherit
    modules
    pkgs
    fakePackage
    system
    checked
    ;
}
