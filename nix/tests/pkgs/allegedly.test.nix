# allegedly's src/bin holds modules that Cargo also finds as binaries
# (backfill, mirror, mod); only the `allegedly` program may be installed.
{ lib, repo }:
let
  helpers = import ./cargo-lock.nix { inherit lib; };
  spec = helpers.specOf ../../pkgs/allegedly/package.nix { };
in
lib.runTests {
  testOnlyTheCliIsInstalled = {
    expr = repo.packages.allegedly.binaries;
    expected = [ "allegedly" ];
  };
  testGitDependenciesHashed = {
    expr = helpers.lockProblems spec;
    expected = [ ];
  };
}
