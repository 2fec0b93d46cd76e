# A NixOS VM test per service: boot a machine with the service enabled
# (minimal configuration from minimal.nix, test secrets written at boot),
# wait until the unit is active — its start already waits for the health
# endpoint — and run the periodic health probe once more.
#
# They need a real nixpkgs with this repository's overlay and KVM, so they
# run under `nix flake check` (wire them as checks) and never on the
# lib-only machines of the evaluation tests. `machineConfig` is exported so
# an evaluation test can check every VM configuration against the option
# stubs.
#
#   import ./vm.nix { pkgs = import nixpkgs { overlays = [ atproto-nur.overlays.default ]; }; }
{
  pkgs,
  lib ? pkgs.lib,
}:
let
  modules = import ../../modules;
  minimal = import ./minimal.nix;
  names = builtins.attrNames (removeAttrs modules [ "default" ]);

  # A fixed secp256k1 private key for tests only (a valid scalar).
  testK256 = "8b3c0f1e2d4a59687766554433221100ffeeddccbbaa99887766554433221101";

  # Test secrets: every /run/secrets/<file> path used in minimal.nix.
  secretValue =
    path:
    if lib.hasSuffix "-plc" path || lib.hasInfix "signing" path || lib.hasInfix "-jwt" path || lib.hasInfix "-repo" path then
      testK256
    else
      "test-secret-0123456789abcdef";
  secretPaths =
    name:
    builtins.filter (v: builtins.isString v && lib.hasPrefix "/run/secrets/" v) (
      builtins.attrValues minimal.${name}
    );

  # Per service: what the test adds to the minimal configuration.
  extra = {
    # cocoon makes its own key files.
    cocoon.systemd.services.atproto-test-cocoon-keys = {
      wantedBy = [ "multi-user.target" ];
      before = [ "atproto-cocoon.service" ];
      requiredBy = [ "atproto-cocoon.service" ];
      serviceConfig.Type = "oneshot";
      script = ''
        cocoon=${lib.getExe pkgs.atproto.cocoon}
        [ -e /run/secrets/cocoon-rotation ] || $cocoon create-rotation-key --out /run/secrets/cocoon-rotation
        [ -e /run/secrets/cocoon-jwk ] || $cocoon create-private-jwk --out /run/secrets/cocoon-jwk
      '';
    };
    # allegedly wraps a PLC server on the same machine.
    allegedly.services.atproto = {
      plc = {
        enable = true;
        database.createLocally = true;
      };
      allegedly.settings = lib.mkForce { };
    };
  };

  # The part of a VM's configuration that this repository's modules and the
  # option stubs understand (the evaluation test checks it).
  machineConfig = name: {
    imports = [
      {
        services.atproto.${name} = lib.mkMerge [
          minimal.${name}
          { enable = true; }
        ];
        systemd.tmpfiles.rules =
          [ "d /run/secrets 0700 root root -" ]
          ++ map (p: "f+ ${p} 0400 root root - ${secretValue p}") (
            builtins.filter (p: !(lib.hasPrefix "/run/secrets/cocoon-rotation" p || lib.hasPrefix "/run/secrets/cocoon-jwk" p)) (secretPaths name)
          );
      }
      (extra.${name} or { })
    ];
  };

  vmTest =
    name:
    pkgs.testers.runNixOSTest {
      name = "atproto-${name}";
      node.pkgs = pkgs;
      nodes.machine = {
        imports = [
          modules.default
          (machineConfig name)
        ];
        virtualisation.memorySize = 2048;
        virtualisation.diskSize = 4096;
      };
      testScript = ''
        machine.wait_for_unit("atproto-${name}.service")
        machine.succeed("systemctl start atproto-${name}-health.service")
        machine.succeed("test -s /var/lib/atproto-${name}/.atproto-version")
      '';
    };
in
{
  inherit machineConfig names;
  # Only services whose program nix/pkgs packages (as the modules' package
  # option decides): the others would fail on that option before booting.
  tests = lib.genAttrs (builtins.filter (name: builtins.pathExists (../../pkgs + "/${name}/package.nix")) names) vmTest;
}
