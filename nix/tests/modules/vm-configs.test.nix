# The configurations of the VM tests (vm.nix) pass every module assertion and
# write every secret file they reference, so a VM test fails only on what it
# checks at run time. (The VM tests themselves need KVM and a full nixpkgs.)
{ lib, repo }:
let
  eval = import ./eval.nix {
    inherit lib;
    packages = repo.packages or { };
  };
  vm = import ./vm.nix {
    inherit lib;
    inherit (eval) pkgs;
  };
  check =
    name:
    let
      config = (eval.system [ (vm.machineConfig name) ]).config;
      credentials = lib.concatMap (u: u.serviceConfig.LoadCredential or [ ]) (
        builtins.attrValues config.systemd.services
      );
      sources = map (c: lib.concatStringsSep ":" (builtins.tail (lib.splitString ":" c))) credentials;
      written = map (r: builtins.elemAt (lib.splitString " " r) 1) config.systemd.tmpfiles.rules;
      made = lib.concatMapStrings (u: u.script) (builtins.attrValues config.systemd.services);
    in
    {
      "test${name}VmConfigPassesAssertions" = {
        expr = map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
        expected = [ ];
      };
      "test${name}VmConfigProvidesEverySecret" = {
        expr = builtins.filter (s: !(builtins.elem s written) && !(lib.hasInfix "--out ${s}" made)) sources;
        expected = [ ];
      };
    };
in
lib.runTests (
  lib.foldl' (acc: name: acc // check name) {
    # A VM test exists only for a service whose program the package set has.
    testVmTestsOnlyForPackagedPrograms = {
      expr = lib.attrNames vm.tests;
      expected = builtins.filter (name: repo.packages ? ${name}) vm.names;
    };
  } vm.names
)
