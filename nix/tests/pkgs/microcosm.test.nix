# constellation, slingshot, spacedust and ufos are one Cargo workspace
# (at-microcosm/microcosm-rs): one pin, one copied Cargo.lock whose git
# dependencies all have hashes, each package building its own crate.
{ lib, repo }:
let
  helpers = import ./cargo-lock.nix { inherit lib; };
  names = [
    "constellation"
    "slingshot"
    "spacedust"
    "ufos"
  ];
  file = name: ../../pkgs + "/${name}/package.nix";
  specs = lib.genAttrs names (name: helpers.specOf (file name) { });
  packages = lib.genAttrs names (name: repo.packages.${name});
  distinct = f: lib.length (lib.unique (map f (lib.attrValues packages)));
  spec = specs.ufos;
  git = helpers.gitPackages spec.cargoLock.lockFile;
  byKey = lib.listToAttrs (map (p: lib.nameValuePair "${p.name}-${p.version}" p) git);
in
lib.runTests {
  testOnePin = {
    expr = {
      sources = distinct (p: "${p.src.owner}/${p.src.repo}@${p.src.rev}:${p.src.hash}");
      versions = distinct (p: p.version);
      lockFiles = lib.length (lib.unique (map (s: toString s.cargoLock.lockFile) (lib.attrValues specs)));
    };
    expected = {
      sources = 1;
      versions = 1;
      lockFiles = 1;
    };
  };

  # importCargoLock needs a hash for every git revision of the lock.
  testEveryGitRevisionHasAHash = {
    expr = helpers.lockProblems spec;
    expected = [ ];
  };

  # The pruned fetch is fjall at the revision ufos pins, and only that.
  testPrunedDependency = {
    expr = lib.mapAttrs (key: paths: {
      rev = helpers.lockedRev byKey.${key};
      inherit paths;
    }) spec.cargoGitPrune;
    expected."fjall-2.11.2" = {
      rev = "fb229572bb7d1d6966a596994dc1708e47ec57d8";
      paths = [
        "examples/suffix-search/english_words.txt"
        "test_fixture/v2_keyspace_corrupt_journal/journals/2"
      ];
    };
  };

  testEachBuildsItsOwnCrate = {
    expr = lib.mapAttrs (_: s: {
      inherit (s) cargoBuildFlags;
      inherit (s.meta) mainProgram;
    }) specs;
    expected = lib.genAttrs names (name: {
      cargoBuildFlags = [
        "-p"
        name
      ];
      mainProgram = name;
    });
  };

  # constellation's server is the crate's `main` binary; the package
  # installs it under the program's name.
  testConstellationBinaryName = {
    expr = {
      inherit (specs.constellation) binaries;
      renamed = lib.hasInfix "mv $out/bin/main $out/bin/constellation" specs.constellation.postInstall;
    };
    expected = {
      binaries = [ "main" ];
      renamed = true;
    };
  };

  # jetstream asks openssl-sys for a vendored OpenSSL build; every package
  # links nixpkgs' OpenSSL instead.
  testSystemOpenssl = {
    expr = lib.mapAttrs (_: s: s.env.OPENSSL_NO_VENDOR or null) specs;
    expected = lib.genAttrs names (_: "1");
  };

  testModulesUseThem = {
    expr = lib.mapAttrs (_: p: p.passthru.atproto.module) packages;
    expected = lib.genAttrs names (name: "services.atproto.${name}");
  };
}
