# configuration.nix of a host that follows atproto-nur as a channel:
#   sudo nix-channel --add https://github.com/atproto-nur/atproto-nur/archive/main.tar.gz atproto
#   sudo nix-channel --update
{ pkgs, ... }:
let
  atproto = import <atproto> { };
in
{
  imports = [ atproto.modules.default ];
  # Puts the packages under pkgs.atproto, where the modules look for them.
  nixpkgs.overlays = [ atproto.overlays.default ];

  environment.systemPackages = [ pkgs.atproto.goat ];
}
