# feed-generator: an unreleased upstream pinned by commit; the source and
# vendor hashes recorded for that commit must move with it.
{ lib, repo }:
let
  fg = repo.packages.feed-generator;

  # Per pinned commit: source hash (git archive + nix-hash) and vendor hash
  # (go mod vendor in go/ + nix-hash).
  pins = {
    "e4f3b822261eff6c7a133aeea40cc849869cff9f" = {
      src = "sha256-fG3LG3FFX+AG1OJHX2maACNSfWdCe+/uhENuTU9YkYY=";
      vendor = "sha256-TUH2PQ/9dCSNx8IGQWFXNO0fv/9cROlzGBSy+axUkj4=";
    };
  };
  recorded = field: map (p: p.${field}) (lib.attrValues pins);
  belongs =
    field: value:
    if pins ? ${fg.src.rev} then
      value == pins.${fg.src.rev}.${field}
    else
      !(lib.elem value (recorded field));
in
lib.runTests {
  testPinnedToAFullCommitNotABranch = {
    expr = builtins.match "[0-9a-f]{40}" (fg.src.rev or "") != null;
    expected = true;
  };

  testVersionIsUnstableWithADate = {
    expr = builtins.match "0-unstable-[0-9]{4}-[0-9]{2}-[0-9]{2}" fg.version != null;
    expected = true;
  };

  testHashesBelongToThisCommit = {
    expr = {
      src = belongs "src" fg.src.hash;
      vendor = belongs "vendor" fg.vendorHash;
    };
    expected = {
      src = true;
      vendor = true;
    };
  };
}
