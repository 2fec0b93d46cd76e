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
    ) "`binaries` must be a list of binary names like [ \"rsky-pds\" ]";

  extra = spec: {
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
    // (if spec ? cargoLock then { inherit (spec) cargoLock; } else { inherit (spec) cargoHash; });
}
