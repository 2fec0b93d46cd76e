# flake.nix evaluated with a lib-only stand-in for nixpkgs (see repo.nix):
# every output exists, is derived from nix/default.nix (no second list), and
# the parts that need no package set evaluate for real.
{ lib, repo }:
let
  inherit (repo) flake flakeAttrs;
  systems = [
    "aarch64-darwin"
    "aarch64-linux"
    "x86_64-darwin"
    "x86_64-linux"
  ];
  linuxPackages = lib.attrNames (
    lib.filterAttrs (_: p: lib.elem "x86_64-linux" p.meta.platforms) repo.packages
  );
  # An overlay applied to a package set that has only lib: attribute names
  # of pkgs.atproto need nothing else.
  overlaid = flake.overlays.default { inherit lib; } { inherit lib; };
in
lib.runTests {
  testInputs = {
    expr = lib.attrNames flakeAttrs.inputs;
    expected = [ "nixpkgs" ];
  };

  testDescription = {
    expr = lib.hasPrefix "atproto-nur" flakeAttrs.description;
    expected = true;
  };

  testOutputs = {
    expr = lib.attrNames flake;
    expected = [
      "apps"
      "checks"
      "devShells"
      "formatter"
      "lib"
      "nixosModules"
      "overlays"
      "packages"
      "templates"
    ];
  };

  testPerSystemOutputs = {
    expr = map (o: lib.attrNames flake.${o}) [
      "packages"
      "checks"
      "apps"
      "devShells"
      "formatter"
    ];
    expected = lib.replicate 5 systems;
  };

  # Every package of nix/pkgs for Linux, plus nurdocs and the site.
  testLinuxPackages = {
    expr = lib.attrNames flake.packages.x86_64-linux;
    expected = lib.sort lib.lessThan (
      linuxPackages
      ++ [
        "default"
        "docs"
        "nurdocs"
      ]
    );
  };

  # Packages are offered only where meta.platforms allows (Linux services).
  testDarwinPackages = {
    expr = lib.attrNames flake.packages.aarch64-darwin;
    expected = lib.sort lib.lessThan (
      lib.attrNames (lib.filterAttrs (_: p: lib.elem "aarch64-darwin" p.meta.platforms) repo.packages)
      ++ [
        "default"
        "docs"
        "nurdocs"
      ]
    );
  };

  testNixosModules = {
    expr = lib.attrNames flake.nixosModules;
    expected = lib.attrNames repo.modules;
  };

  testModulesBringOverlay = {
    expr = lib.all (m: map lib.isFunction m.nixpkgs.overlays == [ true ] && lib.length m.imports == 1) (
      lib.attrValues flake.nixosModules
    );
    expected = true;
  };

  testOverlay = {
    expr = lib.attrNames overlaid.atproto;
    expected = lib.attrNames repo.packageFiles;
  };

  testLib = {
    expr = {
      metadataMode = flake.lib.mode;
      builders = lib.all (b: lib.isFunction flake.lib.${b}) [
        "buildGoApplication"
        "buildRustApplication"
        "buildNodeApplication"
        "buildScriptBundle"
      ];
      realMode = (flake.lib.mkLib { inherit lib; }).mode;
    };
    expected = {
      metadataMode = "metadata";
      builders = true;
      realMode = "real";
    };
  };

  # A VM check boots a service's program, so there is one exactly for each
  # module whose program nix/pkgs packages for the system, and none on
  # Darwin (no KVM).
  testChecks = {
    expr = lib.attrNames flake.checks.x86_64-linux;
    expected = [
      "docs"
      "eval-tests"
      "formatting"
    ]
    ++ map (name: "vm-${name}") (
      lib.attrNames (builtins.intersectAttrs (removeAttrs repo.modules [ "default" ]) (lib.genAttrs linuxPackages (_: null)))
    );
  };
  testVmChecksOnlyForPackagedPrograms =
    let
      modules = lib.attrNames (removeAttrs repo.modules [ "default" ]);
      packaged = name: builtins.pathExists (repo.rootPath + "/nix/pkgs/${name}/package.nix");
      vmChecks = map (lib.removePrefix "vm-") (
        builtins.filter (lib.hasPrefix "vm-") (lib.attrNames flake.checks.x86_64-linux)
      );
    in
    {
      expr = {
        withoutPackage = builtins.filter (name: !packaged name) vmChecks;
        packagedWithoutCheck = builtins.filter (name: packaged name && !(builtins.elem name vmChecks)) modules;
        darwin = builtins.filter (lib.hasPrefix "vm-") (lib.attrNames flake.checks.aarch64-darwin);
      };
      expected = {
        withoutPackage = [ ];
        packagedWithoutCheck = [ ];
        darwin = [ ];
      };
    };

  testApps = {
    expr = lib.attrNames flake.apps.x86_64-linux;
    expected = [ "docs-serve" ];
  };

  # The NUR entry point exposes the same set.
  testDefaultNix = {
    expr =
      let
        nur = import (repo.rootPath + "/default.nix") { pkgs = { inherit lib; }; };
      in
      lib.attrNames (
        removeAttrs nur [
          "lib"
          "modules"
          "overlays"
        ]
      );
    expected = lib.attrNames repo.packageFiles;
  };
}
