# relay, rainbow, tap and hepa are programs of one repository
# (bluesky-social/indigo): they must build from the same pinned commit with
# the same vendor hash, each from its own cmd/ folder, and their versions
# must carry that commit's date.
{ lib, repo }:
let
  programs = [
    "relay"
    "rainbow"
    "tap"
    "hepa"
  ];
  pkgs = lib.getAttrs programs repo.packages;
  pin = import (repo.rootPath + "/nix/pkgs/_sources/indigo.nix") {
    inherit lib;
    fetchFromGitHub = args: args;
  };

  # Per pinned commit: source hash (git archive + nix-hash) and vendor hash
  # (go mod vendor + nix-hash). A new pin needs its own entry.
  pins = {
    "4b983a7e86c859af7b44f5f9fc8eda5d0e62b3ce" = {
      src = "sha256-Ui8u1KIKNdoqh7Q9TNwOz7N6LBLKVy+qqsPDGsEnV5Y=";
      vendor = "sha256-+iNsUcCvH8/SrbmpMY0tNJA/QrKtQLvpHAevEsDcotY=";
    };
  };
  recorded = field: map (p: p.${field}) (lib.attrValues pins);
  belongs =
    field: value:
    if pins ? ${pin.rev} then
      value == pins.${pin.rev}.${field}
    else
      !(lib.elem value (recorded field));

  each = f: lib.mapAttrs (_: f) pkgs;
  same = v: lib.genAttrs programs (_: v);
in
lib.runTests {
  testOneSourceForAll = {
    expr = each (p: {
      inherit (p.src) owner repo rev hash;
    });
    expected = same {
      owner = "bluesky-social";
      repo = "indigo";
      inherit (pin) rev;
      inherit (pin.src) hash;
    };
  };

  testOneVendorHashForAll = {
    expr = each (p: p.vendorHash);
    expected = same pin.vendorHash;
  };

  testEachBuildsItsOwnCommand = {
    expr = lib.mapAttrs (_: p: p.subPackages) pkgs;
    expected = lib.genAttrs programs (name: [ "cmd/${name}" ]);
  };

  testPinnedToAFullCommit = {
    expr = builtins.match "[0-9a-f]{40}" pin.rev != null;
    expected = true;
  };

  testVersionsCarryThePinDate = {
    expr = each (p: lib.hasSuffix "-unstable-${pin.date}" p.version);
    expected = same true;
  };

  testHashesBelongToThisCommit = {
    expr = {
      src = belongs "src" pin.src.hash;
      vendor = belongs "vendor" pin.vendorHash;
    };
    expected = {
      src = true;
      vendor = true;
    };
  };

  # Updating any of them must move the shared pin, not one package.nix.
  testOneUpdaterForAll = {
    expr = each (p: lib.sublist 1 4 p.passthru.updateScript.command);
    expected = same [
      "--version=branch"
      "relay"
      "--override-filename"
      "nix/pkgs/_sources/indigo.nix"
    ];
  };

  # The programs print their version through a source patch (see
  # _sources/indigo.nix); the check must look for the package's version.
  testVersionChecksUseThePackageVersion = {
    expr = each (p: {
      inherit (p.passthru.tests.version) command version;
    });
    expected = lib.mapAttrs (name: p: {
      command = "${name} --version";
      inherit (p) version;
    }) pkgs;
  };
}
