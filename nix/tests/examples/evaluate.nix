# Evaluates the files of examples/ the way a NixOS host uses them, with
# nixpkgs' lib alone: our modules, the NixOS option stubs
# (nix/lib/nixos-stubs.nix), loose stubs for the other NixOS options the
# examples set (./foreign-stubs.nix) and the metadata-mode package set as
# `pkgs.atproto`.
#
#   ex = import ./evaluate.nix { inherit lib repo; };
#   (ex.module "pds-nginx.nix").config.services.nginx
#   (ex.flake "flake.nix").nixosConfigurations.pds.config
{ lib, repo }:
let
  dir = repo.rootPath + "/examples";

  # `<atproto>` in an example is the channel of the getting-started guide:
  # this checkout (./channel). Other `<…>` paths resolve as usual.
  scope = {
    __nixPath = [
      {
        prefix = "atproto";
        path = ./channel;
      }
    ]
    ++ builtins.nixPath;
  };
  importExample = name: builtins.scopedImport scope (dir + "/${name}");

  # The docs export's `pkgs`, except that generated scripts keep their text,
  # so tests can read what a unit would run.
  pkgs =
    let
      base = repo.atprotoLib.metadata.modulePkgs { atproto = repo.packages; };
      script = name: text: {
        type = "derivation";
        inherit name text;
        outPath = "${builtins.storeDir}/00000000000000000000000000000000-${name}";
      };
    in
    base
    // {
      writeShellScript = script;
      writeShellScriptBin = script;
    };

  # nixpkgs.lib.nixosSystem as far as the stubs allow: the given modules,
  # evaluated like a NixOS configuration.
  nixosSystem =
    {
      modules,
      specialArgs ? { },
      ...
    }:
    repo.evalModules {
      modules = [ ./foreign-stubs.nix ] ++ modules;
      specialArgs = {
        inherit pkgs;
      }
      // specialArgs;
    };

  # What NixOS would refuse or print for a configuration.
  problems = result: {
    failedAssertions = map (a: a.message) (builtins.filter (a: !a.assertion) result.config.assertions);
    inherit (result.config) warnings;
  };

  # Every services.atproto.<app> the configuration enables, and whether its
  # unit atproto-<app> was generated.
  enabledApps =
    result:
    builtins.filter (app: result.config.services.atproto.${app}.enable) (
      builtins.attrNames (removeAttrs repo.modules [ "default" ])
    );
  missingUnits =
    result:
    builtins.filter (app: !(result.config.systemd.services ? "atproto-${app}")) (enabledApps result);

  # Enabled services whose package has published advisories but which
  # the example does not accept by name: a real NixOS would refuse to build
  # them (nixpkgs.config.permittedInsecurePackages).
  insecureNotPermitted =
    result:
    let
      permitted = result.config.nixpkgs.config.permittedInsecurePackages or [ ];
    in
    builtins.filter (
      app:
      let
        pkg = result.config.services.atproto.${app}.package;
      in
      (pkg.meta.knownVulnerabilities or [ ]) != [ ] && !(builtins.elem pkg.name permitted)
    ) (enabledApps result);

  # Forces every generated unit completely (environment, scripts, service
  # settings), so an error anywhere in them fails the test.
  unitsJSON = result: builtins.toJSON result.config.systemd.services;
in
{
  inherit
    dir
    pkgs
    importExample
    nixosSystem
    problems
    enabledApps
    missingUnits
    insecureNotPermitted
    unitsJSON
    ;

  # The top-level examples that are NixOS modules (all but the flake).
  moduleNames = builtins.filter (n: lib.hasSuffix ".nix" n && n != "flake.nix") (
    builtins.attrNames (lib.filterAttrs (_: type: type == "regular") (builtins.readDir dir))
  );

  # An example NixOS module on its own, with our modules imported as the
  # flake's nixosModules.default would.
  module =
    name:
    nixosSystem {
      modules = [
        repo.modules.default
        (importExample name)
      ];
    };

  # A flake example's outputs, with inputs standing in for nixpkgs (its lib,
  # with nixosSystem above) and atproto-nur (this checkout's flake).
  flake =
    name:
    let
      outputs = (importExample name).outputs inputs;
      inputs = {
        self = outputs // {
          outPath = dir;
        };
        nixpkgs = {
          lib = lib // {
            inherit nixosSystem;
          };
          outPath = "/nixpkgs-stand-in";
        };
        atproto-nur = repo.flake // {
          outPath = repo.rootPath;
        };
      };
    in
    outputs;
}
