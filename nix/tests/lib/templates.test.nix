# The flake templates: registered with a description, and their package.nix
# evaluates with this repository's builders (metadata mode).
{ lib, repo }:
let
  dir = repo.rootPath + "/nix/templates";
  package = name: repo.callMetadataPackage (dir + "/${name}/package.nix");
  go = package "go";
  rust = package "rust";
in
lib.runTests {
  testRegistered = {
    expr = lib.attrNames repo.templates;
    expected = [
      "go"
      "node"
      "rust"
    ];
  };

  testFlakeTemplatesMatch = {
    expr = lib.mapAttrs (_: t: toString t.path) repo.flake.templates;
    expected = lib.mapAttrs (name: _: toString (dir + "/${name}")) repo.templates;
  };

  testDescriptions = {
    expr = lib.mapAttrs (_: t: lib.hasInfix "atproto-nur's build" t.description) repo.templates;
    expected = {
      go = true;
      node = true;
      rust = true;
    };
  };

  testGoTemplate = {
    expr = {
      inherit (go) name vendorHash;
      inherit (go.passthru.atproto) language;
      inherit (go.meta) mainProgram;
    };
    expected = {
      name = "hello-atproto-0.1.0";
      vendorHash = null;
      language = "go";
      mainProgram = "hello-atproto";
    };
  };

  testRustTemplate = {
    expr = {
      inherit (rust) name binaries;
      inherit (rust.passthru.atproto) language;
    };
    expected = {
      name = "hello-atproto-0.1.0";
      binaries = [ "hello-atproto" ];
      language = "rust";
    };
  };

  # Each template flake takes nixpkgs and this repository as inputs and
  # builds its package with atproto-nur.lib.mkLib.
  testTemplateFlakes = {
    expr = lib.mapAttrs (
      name: _:
      let
        flake = import (dir + "/${name}/flake.nix");
      in
      lib.attrNames flake.inputs
    ) repo.templates;
    expected = lib.mapAttrs (_: _: [
      "atproto-nur"
      "nixpkgs"
    ]) repo.templates;
  };
}
