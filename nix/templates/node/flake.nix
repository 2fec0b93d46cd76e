{
  description = "A Node.js application (npm, pnpm or yarn) packaged with atproto-nur's buildNodeApplication";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    atproto-nur = {
      url = "github:atproto-nur/atproto-nur";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      atproto-nur,
    }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: {
        default = pkgs.callPackage ./package.nix { atprotoLib = atproto-nur.lib.mkLib pkgs; };
      });
      checks = forAllSystems (pkgs: {
        version = self.packages.${pkgs.stdenv.hostPlatform.system}.default.passthru.tests.version;
      });
      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell { packages = [ pkgs.nodejs ]; };
      });
    };
}
