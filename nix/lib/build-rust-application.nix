# buildRustApplication: a Rust program (or some binaries of a Cargo
# workspace) from a pinned source and a Cargo.lock. Real mode wraps nixpkgs'
# rustPlatform.buildRustPackage; metadata mode needs only `lib`.
# Spec, examples and the shared keys: nix/lib/README.md.
{
  lib,
  pkgs ? null,
  support ? import ./build-support.nix { inherit lib pkgs; },
}:
specArg:
let
  # `cargoGitPrune = { "<crate>-<version>" = [ "path/in/checkout" ... ]; }`:
  # files removed from that git dependency's checkout inside its fetch, so
  # its `cargoLock.outputHashes` entry is the hash of the checkout without
  # them. For git dependencies whose repository holds large files the crate
  # does not use (test data, example corpora) that no copy of the repository
  # at hand includes: what the build needs can still be hashed exactly.
  gitCrates =
    lockFile:
    lib.filter (p: lib.hasPrefix "git+" (p.source or "")) (
      builtins.fromTOML (builtins.readFile lockFile)
    ).package;
  crateKey = p: "${p.name}-${p.version}";
  lockedRev = p: lib.last (lib.splitString "#" p.source);

  pruneErrors =
    spec:
    let
      prune = spec.cargoGitPrune or { };
      lockFile = spec.cargoLock.lockFile or null;
      keys = if lockFile == null then [ ] else map crateKey (gitCrates lockFile);
      badPath = p: !lib.isString p || p == "" || lib.hasPrefix "/" p || lib.elem ".." (lib.splitString "/" p);
    in
    if prune == { } then
      [ ]
    else if !lib.isAttrs prune then
      [ "`cargoGitPrune` must be an attribute set { \"<crate>-<version>\" = [ \"path\" ]; }" ]
    else
      lib.optional (lockFile == null) "`cargoGitPrune` needs `cargoLock.lockFile`"
      ++ lib.concatLists (
        lib.mapAttrsToList (
          key: paths:
          lib.optional (
            lockFile != null && !lib.elem key keys
          ) "`cargoGitPrune.\"${key}\"` names no git dependency of the Cargo.lock"
          ++ lib.optional (
            !(spec.cargoLock.outputHashes or { } ? ${key})
          ) "`cargoGitPrune.\"${key}\"` needs `cargoLock.outputHashes.\"${key}\"` (the hash of the pruned checkout)"
          ++ lib.optional (
            !lib.isList paths || paths == [ ] || lib.any badPath paths
          ) "`cargoGitPrune.\"${key}\"` must be a non-empty list of relative paths inside the checkout"
        ) prune
      );

  # importCargoLock whose fetchgit removes the pruned paths of each pruned
  # revision before the output is hashed; every other dependency is fetched
  # as importCargoLock always does.
  prunedCargoDeps =
    spec:
    let
      revOf = lib.listToAttrs (
        map (p: lib.nameValuePair (crateKey p) (lockedRev p)) (gitCrates spec.cargoLock.lockFile)
      );
      byRev = lib.mapAttrs' (key: paths: lib.nameValuePair revOf.${key} paths) spec.cargoGitPrune;
      fetchgit =
        args:
        pkgs.fetchgit (
          args
          // lib.optionalAttrs (byRev ? ${args.rev}) {
            postFetch =
              (args.postFetch or "")
              + lib.concatMapStrings (path: ''
                rm -r -- "$out"/${lib.escapeShellArg path}
              '') byRev.${args.rev};
          }
        );
    in
    (pkgs.rustPlatform.importCargoLock.override { inherit fetchgit; }) spec.cargoLock;
in
support.build {
  builder = "buildRustApplication";
  language = "rust";
  inherit specArg;

  keys = [
    "binaries"
    "buildFeatures"
    "buildNoDefaultFeatures"
    "cargoBuildFlags"
    "cargoLock"
    "cargoHash"
    "cargoGitPrune"
    "doCheck"
    "postPatch"
  ];

  errors =
    spec:
    lib.optional (
      !(spec ? cargoLock || spec ? cargoHash)
    ) "missing `cargoLock = { lockFile = ./Cargo.lock; }` (or `cargoHash`)"
    ++ lib.optional (
      spec ? cargoLock && !(spec.cargoLock ? lockFile)
    ) "`cargoLock` needs `lockFile` (copy upstream's Cargo.lock next to package.nix)"
    ++ lib.optionals (spec ? cargoHash) (
      support.hashErrors {
        name = "cargoHash";
        value = spec.cargoHash;
      }
    )
    ++ lib.concatLists (
      lib.mapAttrsToList (
        dep: hash:
        support.hashErrors {
          name = "cargoLock.outputHashes.\"${dep}\"";
          value = hash;
        }
      ) (spec.cargoLock.outputHashes or { })
    )
    ++ lib.optional (
      !(lib.isList (spec.binaries or [ ]))
    ) "`binaries` must be a list of binary names like [ \"rsky-pds\" ]"
    ++ pruneErrors spec;

  extra = spec: {
    cargoGitPrune = spec.cargoGitPrune or { };
    binaries = spec.binaries or [ ];
    buildFeatures = spec.buildFeatures or [ ];
    buildNoDefaultFeatures = spec.buildNoDefaultFeatures or false;
  };

  mkDerivation = if pkgs == null then null else pkgs.rustPlatform.buildRustPackage;

  real =
    {
      spec,
      passthrough,
      meta,
      passthru,
      pos,
      sourceRootAttrs,
    }:
    let
      binaries = spec.binaries or [ ];
      lockFile = spec.cargoLock.lockFile or null;
    in
    passthrough
    // sourceRootAttrs
    // {
      inherit (spec) pname version src;
      cargoBuildFlags = spec.cargoBuildFlags or [ ] ++ lib.concatMap (b: [ "--bin=${b}" ]) binaries;
      buildFeatures = spec.buildFeatures or [ ];
      buildNoDefaultFeatures = spec.buildNoDefaultFeatures or false;
      doCheck = spec.doCheck or false;
      # Upstreams that do not commit Cargo.lock get the copy next to
      # package.nix, which is also what importCargoLock reads.
      postPatch =
        lib.optionalString (lockFile != null) ''
          if [ ! -e Cargo.lock ]; then
            cp ${lockFile} Cargo.lock
            chmod u+w Cargo.lock
          fi
        ''
        + spec.postPatch or "";
      inherit meta passthru pos;
    }
    // (
      if (spec.cargoGitPrune or { }) != { } then
        { cargoDeps = prunedCargoDeps spec; }
      else if spec ? cargoLock then
        { inherit (spec) cargoLock; }
      else
        { inherit (spec) cargoHash; }
    );
}
