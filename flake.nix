{
  description = "atproto-nur: AT Protocol (Bluesky ecosystem) services for Nix and NixOS, and nurdocs, their documentation site";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;

      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});

      # The one package-set definition, in metadata mode: names, platforms
      # and modules need no package set.
      metadataRepo = import ./nix { inherit lib; };
      repoFor = pkgs: import ./nix { inherit lib pkgs; };

      # Packages whose meta.platforms include the system (decided from
      # metadata, so listing them builds nothing).
      availableOn =
        system:
        lib.filterAttrs (
          _: p: lib.meta.availableOn (lib.systems.elaborate system) p
        ) metadataRepo.packages;

      revision = self.rev or self.dirtyRev or null;
      docsData = import ./nix/docs { inherit lib revision; };

      nurdocsFor =
        pkgs:
        pkgs.callPackage ./nix/docs/nurdocs.nix {
          version = "0-unstable-" + lib.substring 0 8 (self.lastModifiedDate or "19700101");
        };
    in
    {
      packages = forAllSystems (
        system: pkgs:
        let
          nurdocs = nurdocsFor pkgs;
          docs = pkgs.callPackage ./nix/docs/site.nix { inherit nurdocs docsData revision; };
        in
        builtins.intersectAttrs (availableOn system) (repoFor pkgs).packages
        // {
          inherit nurdocs docs;
          default = docs;
        }
      );

      # Each service alone, and `default` with all of them; each brings the
      # overlay so `pkgs.atproto.<attr>` (the modules' package defaults) exists.
      nixosModules = lib.mapAttrs (name: module: {
        _file = "${toString ./flake.nix}#nixosModules.${name}";
        imports = [ module ];
        nixpkgs.overlays = [ self.overlays.default ];
      }) metadataRepo.modules;

      overlays.default = metadataRepo.overlay;

      # Builders without a package set (metadata mode), and
      # `mkLib pkgs` for the real ones:
      #   atprotoLib = atproto-nur.lib.mkLib pkgs;
      #   atprotoLib.buildGoApplication { ... }
      lib = metadataRepo.atprotoLib // {
        mkLib = pkgs: import ./nix/lib { inherit (pkgs) lib; inherit pkgs; };
      };

      templates = lib.mapAttrs (_: t: { inherit (t) path description; }) metadataRepo.templates;

      checks = forAllSystems (
        system: pkgs: {
          # The Nix evaluation tests, as ./scripts/test runs them.
          eval-tests = pkgs.callPackage ./nix/tests/check.nix {
            src = ./.;
            nixpkgsPath = nixpkgs.outPath;
          };
          docs = self.packages.${system}.docs;
          formatting = pkgs.runCommand "atproto-nur-formatting" { nativeBuildInputs = [ pkgs.nixfmt ]; } ''
            cd ${./.}
            find . -name '*.nix' -print0 | xargs -0 nixfmt --check
            touch $out
          '';
        }
        # One NixOS VM test per service whose program this repository
        # packages for the system (they need KVM, so Linux hosts only); a
        # module whose program is not packaged has nothing to boot.
        // lib.optionalAttrs (lib.hasSuffix "-linux" system) (
          let
            vmTests = (import ./nix/tests/modules/vm.nix { pkgs = pkgs.extend self.overlays.default; }).tests;
          in
          # Names come from the module list and package metadata so that
          # listing checks builds nothing.
          lib.mapAttrs' (name: _: lib.nameValuePair "vm-${name}" vmTests.${name}) (
            builtins.intersectAttrs (availableOn system) (removeAttrs metadataRepo.modules [ "default" ])
          )
        )
      );

      apps = forAllSystems (
        system: pkgs:
        let
          serve = pkgs.writeShellApplication {
            name = "docs-serve";
            runtimeInputs = [
              (nurdocsFor pkgs)
              pkgs.nix
            ];
            text = ''
              # Live preview of the documentation site; run it in a checkout.
              export NIX_PATH="nixpkgs=${nixpkgs.outPath}''${NIX_PATH:+:$NIX_PATH}"
              exec nurdocs serve "$@"
            '';
          };
        in
        {
          docs-serve = {
            type = "app";
            program = lib.getExe serve;
            meta.description = "Preview the documentation site with live reload (run in a checkout)";
          };
        }
      );

      formatter = forAllSystems (_: pkgs: pkgs.nixfmt-tree);

      devShells = forAllSystems (
        _: pkgs: {
          default = pkgs.mkShell {
            packages = [
              # go.mod asks for Go 1.26.
              (pkgs.go_1_26 or pkgs.go)
              pkgs.gopls
              pkgs.nix
              pkgs.nixfmt
            ]
            ++ lib.optional pkgs.stdenv.hostPlatform.isLinux pkgs.chromium;
            # Turns on the Nix evaluation tests of ./scripts/test.
            shellHook = ''
              export NIX_PATH="nixpkgs=${nixpkgs.outPath}''${NIX_PATH:+:$NIX_PATH}"
            '';
          };
        }
      );
    };
}
