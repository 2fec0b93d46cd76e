# The docs export of options renamed and removed with nixpkgs' migration
# helpers: the old names are exported invisible, an alias described
# "Alias of {option}`new`" and a removal without description, and no
# declaration points outside the repository (the helpers' stubs are
# declared in nixpkgs' lib, whose path on the evaluating machine the
# export drops).
{ lib, repo }:
let
  fixtureRepo = repo // {
    packages = { };
    templates = { };
    modules.migrated = ./fixtures/migrations.nix;
  };
  o = (import ../../docs { inherit lib; repo = fixtureRepo; }).options;
in
lib.runTests {
  testRenamedIsAnInvisibleAlias = {
    expr = {
      inherit (o."services.atproto.migrated.oldPort") visible description;
    };
    expected = {
      visible = false;
      description = "Alias of {option}`services.atproto.migrated.port`.";
    };
  };

  testRemovedIsAnInvisibleStub = {
    expr = {
      inherit (o."services.atproto.migrated.legacy") visible description;
      hasDefault = o."services.atproto.migrated.legacy" ? default;
    };
    expected = {
      visible = false;
      description = null;
      hasDefault = false;
    };
  };

  testNoDeclarationOutsideTheRepository = {
    expr = lib.filter (n: lib.hasPrefix "/" n) (
      lib.concatMap (opt: map (d: d.name) opt.declarations) (lib.attrValues o)
    );
    expected = [ ];
  };
}
