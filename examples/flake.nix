{
  description = "A NixOS host running AT Protocol services from atproto-nur";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    atproto-nur = {
      url = "github:atproto-nur/atproto-nur";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    { nixpkgs, atproto-nur, ... }:
    {
      nixosConfigurations.pds = nixpkgs.lib.nixosSystem {
        modules = [
          # Every services.atproto.* module, and the overlay that puts the
          # packages under pkgs.atproto.
          atproto-nur.nixosModules.default
          { nixpkgs.hostPlatform = "x86_64-linux"; }
          ./pds.nix
        ];
      };
    };
}
