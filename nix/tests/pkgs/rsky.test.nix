# The rsky-* packages are one Cargo workspace: they must stay on one pin and
# one copied Cargo.lock, and each must build and install its own crate.
{ lib, repo }:
let
  helpers = import ./cargo-lock.nix { inherit lib; };
  names = [
    "rsky-pds"
    "rsky-relay"
    "rsky-feedgen"
  ];
  file = name: ../../pkgs + "/${name}/package.nix";
  specs = lib.genAttrs names (name: helpers.specOf (file name) { });
  packages = lib.genAttrs names (name: repo.packages.${name});
  distinct = f: lib.length (lib.unique (map f (lib.attrValues packages)));
  labeler = helpers.specOf (file "rsky-relay") { withLabeler = true; };
in
lib.runTests {
  testOneSourcePin = {
    expr = distinct (p: "${p.src.owner}/${p.src.repo}@${p.src.rev}:${p.src.hash}");
    expected = 1;
  };
  testOneVersion = {
    expr = distinct (p: p.version);
    expected = 1;
  };
  testOneLockFile = {
    expr = lib.length (lib.unique (map (s: toString s.cargoLock.lockFile) (lib.attrValues specs)));
    expected = 1;
  };
  testEachBuildsItsOwnCrate = {
    expr = lib.mapAttrs (_: s: {
      inherit (s) cargoBuildFlags binaries;
      inherit (s.meta) mainProgram;
    }) specs;
    expected = lib.genAttrs names (name: {
      cargoBuildFlags = [
        "-p"
        name
      ];
      binaries = [ name ];
      mainProgram = name;
    });
  };
  testLabelerFeature = {
    expr = {
      inherit (labeler) buildFeatures binaries;
      inherit (labeler.meta) mainProgram;
    };
    expected = {
      buildFeatures = [ "labeler" ];
      binaries = [ "rsky-relay-labeler" ];
      mainProgram = "rsky-relay-labeler";
    };
  };
  testGitDependenciesHashed = {
    expr = helpers.lockProblems specs.rsky-pds;
    expected = [ ];
  };
}
