# Loose stand-ins for the NixOS options the examples set that neither our
# modules nor nix/lib/nixos-stubs.nix declare (nginx, Caddy, ACME, Grafana,
# restic, nixpkgs.*), so that every examples/*.nix evaluates with nixpkgs'
# lib alone. Each subtree takes any value here; whether the option paths the
# examples set really exist in NixOS is checked against the NixOS option
# corpus by examples/nixos_options_test.go.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  loose =
    mkOption {
      type = types.lazyAttrsOf types.anything;
      default = { };
      internal = true;
      description = "NixOS option stub for the examples (nix/tests/examples/foreign-stubs.nix).";
    };
in
{
  options = {
    nixpkgs = {
      # Free-form like NixOS' nixpkgs.config, whose
      # permittedInsecurePackages lists from several files are joined.
      config = mkOption {
        type = types.submodule {
          freeformType = types.lazyAttrsOf types.anything;
          options.permittedInsecurePackages = mkOption {
            type = types.listOf types.str;
            default = [ ];
            description = "NixOS option stub for the examples.";
          };
        };
        default = { };
        internal = true;
        description = "NixOS option stub for the examples (nix/tests/examples/foreign-stubs.nix).";
      };
      overlays = mkOption {
        type = types.listOf types.anything;
        default = [ ];
        internal = true;
        description = "NixOS option stub for the examples.";
      };
      hostPlatform = mkOption {
        type = types.nullOr types.str;
        default = null;
        internal = true;
        description = "NixOS option stub for the examples.";
      };
    };
    networking.hostName = mkOption {
      type = types.str;
      default = "nixos";
      internal = true;
      description = "NixOS option stub for the examples.";
    };
    networking.hosts = mkOption {
      type = types.attrsOf (types.listOf types.str);
      default = { };
      internal = true;
      description = "NixOS option stub for the examples.";
    };
    security.acme = loose;
    security.pki = loose;
    services.nginx = loose;
    services.caddy = loose;
    services.grafana = loose;
    services.restic = loose;
    services.journald = loose;
    services.prometheus.globalConfig = loose;
    services.prometheus.rules = mkOption {
      type = types.listOf types.str;
      default = [ ];
      internal = true;
      description = "NixOS option stub for the examples.";
    };
    services.prometheus.retentionTime = mkOption {
      type = types.str;
      default = "15d";
      internal = true;
      description = "NixOS option stub for the examples.";
    };
    services.prometheus.listenAddress = mkOption {
      type = types.str;
      default = "0.0.0.0";
      internal = true;
      description = "NixOS option stub for the examples.";
    };
  };
}
