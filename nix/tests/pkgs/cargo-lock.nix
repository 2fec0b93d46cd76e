# Helpers for the Rust package tests in this folder (not a test itself: the
# runner only executes *.test.nix and *.fail.nix).
#
# `specOf` calls a package.nix with a builder that hands back its spec, so a
# test sees exactly what the package gives buildRustApplication.
# `lockProblems` checks that spec's cargoLock against the copied Cargo.lock
# the way nixpkgs' importCargoLock does: every git revision a crate is locked
# to needs an outputHashes entry "<name>-<version>" of some crate at that
# revision, and every entry must name a git-sourced crate of the lock.
{ lib }:
rec {
  specOf =
    file: overrides:
    let
      f = import file;
      known = {
        inherit lib;
        atprotoLib.buildRustApplication = spec: spec;
        fetchFromGitHub = args: args;
      };
      required = lib.filterAttrs (_: hasDefault: !hasDefault) (builtins.functionArgs f);
    in
    f (lib.mapAttrs (name: _: known.${name} or { }) required // overrides);

  gitPackages =
    lockFile:
    lib.filter (p: lib.hasPrefix "git+" (p.source or "")) (
      builtins.fromTOML (builtins.readFile lockFile)
    ).package;

  # "git+https://host/repo.git?rev=abc#abc" -> "abc" (the locked commit).
  lockedRev = p: lib.last (lib.splitString "#" p.source);

  lockProblems =
    spec:
    let
      git = gitPackages spec.cargoLock.lockFile;
      hashes = spec.cargoLock.outputHashes or { };
      key = p: "${p.name}-${p.version}";
      coveredRevs = map lockedRev (lib.filter (p: hashes ? ${key p}) git);
      uncovered = lib.unique (lib.filter (rev: !lib.elem rev coveredRevs) (map lockedRev git));
      unknown = lib.filter (k: !lib.elem k (map key git)) (lib.attrNames hashes);
    in
    map (rev: "no outputHashes entry for git revision ${rev}") uncovered
    ++ map (k: "outputHashes.\"${k}\" names no git crate of the lock") unknown;
}
