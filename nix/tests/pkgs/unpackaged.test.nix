# nix/pkgs/_unpackaged.nix names exactly the programs that have a module but
# no package, and the docs export carries each reason to its module's page.
{ lib, repo }:
let
  reasons = import (repo.rootPath + "/nix/pkgs/_unpackaged.nix");
  modules = repo.docs.modules;
  missing = lib.filter (attr: attr != null && !(repo.packages ? ${attr})) (
    lib.mapAttrsToList (_: m: m.package) modules
  );
in
lib.runTests {
  testReasonsNameExactlyTheMissingPackages = {
    expr = lib.sort lib.lessThan (lib.attrNames reasons);
    expected = lib.sort lib.lessThan (lib.unique missing);
  };

  testExportCarriesTheReasons = {
    expr = lib.filterAttrs (_: r: r != null) (lib.mapAttrs (_: m: m.unpackaged) modules);
    expected = reasons;
  };
}
