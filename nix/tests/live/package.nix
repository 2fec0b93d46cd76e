# What the live tests need to build one package of nix/pkgs as the package
# does: its source pin and the spec it hands to its builder (ldflags,
# postPatch, env, subPackages, ...), read by calling package.nix in metadata
# mode with builders that return their spec instead of a derivation.
#
#   nix-instantiate --eval --strict --json nix/tests/live/package.nix --argstr name relay
{ name }:
let
  lib = import <nixpkgs/lib>;
  repo = import ../../default.nix { inherit lib; };
  inherit (repo) atprotoLib;

  # Each builder returns its spec, tagged with the builder's name.
  recording = lib.mapAttrs (builder: _: spec: spec // { inherit builder; }) (
    lib.filterAttrs (n: _: lib.hasPrefix "build" n) atprotoLib
  );
  file = ../../pkgs + "/${name}/package.nix";
  spec = atprotoLib.metadata.callPackage (
    atprotoLib.metadata.knownArgs // repo.packages // { atprotoLib = atprotoLib // recording; }
  ) file { };

  # Only what a build reads; scripts and meta stay behind.
  json = v: if builtins.isString v || builtins.isBool v || builtins.isInt v || builtins.isNull v then v
    else if builtins.isList v then map json v
    else if builtins.isAttrs v && v ? outPath then toString v
    else if builtins.isAttrs v then lib.mapAttrs (_: json) v
    else toString v;
in
if !builtins.pathExists file then
  throw "nix/tests/live/package.nix: there is no nix/pkgs/${name}/package.nix"
else
  {
    inherit (spec) builder pname version;
    mainProgram = spec.meta.mainProgram or null;
    src = {
      inherit (spec.src) owner repo;
      rev = spec.src.rev or spec.src.tag or null;
      hash = spec.src.outputHash;
    };
  }
  // lib.mapAttrs (_: json) (
    lib.getAttrs (builtins.filter (k: spec ? ${k}) [
      "vendorHash"
      "subPackages"
      "ldflags"
      "tags"
      "env"
      "postPatch"
      "postInstall"
      "sourceRoot"
      "patches"
      # buildNodeApplication
      "packageManager"
      "entryPoints"
      "nativeModules"
      "postBuild"
      "pnpm"
      "nodejs"
      # packageManager = "yarn-berry"
      "yarnBerry"
      "yarnDeps"
      "assets"
      "runInAppDir"
      # buildRustApplication
      "cargoLock"
      "cargoGitPrune"
      "cargoBuildFlags"
      "binaries"
      "buildFeatures"
      "buildNoDefaultFeatures"
    ]) spec
  )
