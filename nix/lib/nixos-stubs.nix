# Loose stand-ins for the NixOS options that the modules in nix/modules set or
# read, so those modules can be evaluated with nixpkgs' `lib` alone (docs
# export, evaluation tests) instead of a full NixOS evaluation.
#
# Types are deliberately permissive: these stubs only have to accept what
# NixOS would accept and merge it the same way (lists concatenate, attribute
# sets merge), not to validate it. Nothing here is rendered into the docs:
# every option is `internal`.
{ lib, pkgs, ... }:
let
  inherit (lib) mkOption types;

  stub =
    type: default:
    mkOption {
      inherit type default;
      internal = true;
      description = "NixOS option stub (see nix/lib/nixos-stubs.nix).";
    };

  # A systemd unit as NixOS declares it: the lists NixOS concatenates, the
  # attribute sets it merges, and anything else kept as given.
  unit = types.submodule {
    freeformType = types.lazyAttrsOf types.anything;
    options = {
      description = stub types.str "";
      enable = stub types.bool true;
      after = stub (types.listOf types.str) [ ];
      before = stub (types.listOf types.str) [ ];
      wants = stub (types.listOf types.str) [ ];
      requires = stub (types.listOf types.str) [ ];
      wantedBy = stub (types.listOf types.str) [ ];
      requiredBy = stub (types.listOf types.str) [ ];
      partOf = stub (types.listOf types.str) [ ];
      bindsTo = stub (types.listOf types.str) [ ];
      environment = stub (types.attrsOf (types.nullOr (types.oneOf [
        types.str
        types.path
        types.package
      ]))) { };
      path = stub (types.listOf types.anything) [ ];
      restartTriggers = stub (types.listOf types.anything) [ ];
      unitConfig = stub (types.attrsOf types.anything) { };
      serviceConfig = stub (types.attrsOf types.anything) { };
      timerConfig = stub (types.attrsOf types.anything) { };
      script = stub types.lines "";
      preStart = stub types.lines "";
      postStart = stub types.lines "";
      startAt = stub (types.either types.str (types.listOf types.str)) [ ];
    };
  };

  user = types.submodule {
    freeformType = types.lazyAttrsOf types.anything;
    options.extraGroups = stub (types.listOf types.str) [ ];
  };
in
{
  options = {
    assertions = stub (types.listOf (types.submodule {
      options = {
        assertion = stub types.bool true;
        message = stub types.str "";
      };
    })) [ ];
    warnings = stub (types.listOf types.str) [ ];

    environment.systemPackages = stub (types.listOf types.anything) [ ];
    environment.etc = stub (types.attrsOf (types.lazyAttrsOf types.anything)) { };

    users.users = stub (types.attrsOf user) { };
    users.groups = stub (types.attrsOf (types.lazyAttrsOf types.anything)) { };

    systemd.services = stub (types.attrsOf unit) { };
    systemd.timers = stub (types.attrsOf unit) { };
    systemd.targets = stub (types.attrsOf unit) { };
    systemd.tmpfiles.rules = stub (types.listOf types.str) [ ];

    networking.firewall.enable = stub types.bool true;
    networking.firewall.allowedTCPPorts = stub (types.listOf types.port) [ ];
    networking.firewall.allowedUDPPorts = stub (types.listOf types.port) [ ];

    services.postgresql = {
      enable = stub types.bool false;
      package = stub types.anything (pkgs.postgresql or null);
      ensureDatabases = stub (types.listOf types.str) [ ];
      ensureUsers = stub (types.listOf (types.lazyAttrsOf types.anything)) [ ];
      authentication = stub types.lines "";
    };

    services.prometheus = {
      enable = stub types.bool false;
      scrapeConfigs = stub (types.listOf (types.lazyAttrsOf types.anything)) [ ];
    };

    virtualisation.docker.enable = stub types.bool false;

    services.openssh = {
      enable = stub types.bool false;
      extraConfig = stub types.lines "";
      settings = stub (types.lazyAttrsOf types.anything) { };
    };
  };
}
