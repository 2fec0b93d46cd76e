# The package set of nix/default.nix: discovered from nix/pkgs, evaluated in
# metadata mode with the stand-ins of nix/lib/metadata-pkgs.nix.
{ lib, repo }:
let
  inherit (repo.atprotoLib) metadata;
  pkgsDir = repo.rootPath + "/nix/pkgs";
  entries = builtins.readDir pkgsDir;
  # Independently of nix/default.nix: folders with a package.nix, minus "_*".
  expectedNames = lib.filter (
    n:
    entries.${n} == "directory"
    && builtins.pathExists (pkgsDir + "/${n}/package.nix")
    && builtins.substring 0 1 n != "_"
  ) (lib.attrNames entries);

  # A package function with every kind of argument metadata mode meets.
  probe = metadata.callPackage (metadata.knownArgs // { sibling = "the sibling"; }) (
    {
      lib,
      stdenv,
      fetchFromGitHub,
      sibling,
      openssl,
      withS3 ? true,
      nodejs ? null,
    }:
    {
      inherit sibling withS3 nodejs;
      binPath = lib.makeBinPath [ openssl ];
      exe = lib.getExe openssl;
      isLinux = stdenv.hostPlatform.isLinux;
      src = fetchFromGitHub {
        owner = "o";
        repo = "r";
        tag = "v1";
        hash = "sha256-nDOLIRWTyj/R0h+70+bGi85RVe2OKLNbnSaKyyqc93Q=";
      };
    }
  ) { withS3 = false; };

  modulePkgs = metadata.modulePkgs { atproto = { }; };
  jsonType = (modulePkgs.formats.json { }).type;
in
lib.runTests {
  testDiscovery = {
    expr = lib.attrNames repo.packages;
    expected = expectedNames;
  };

  testSharedPinsAreNotPackages = {
    expr = lib.filter (lib.hasPrefix "_") (lib.attrNames repo.packages);
    expected = [ ];
  };

  testEveryPackageIsMetadata = {
    expr = lib.attrNames (lib.filterAttrs (_: p: !(p.atprotoMetadataOnly or false)) repo.packages);
    expected = [ ];
  };

  testArguments = {
    expr = {
      inherit (probe)
        sibling
        withS3
        nodejs
        binPath
        exe
        isLinux
        ;
    };
    expected = {
      sibling = "the sibling";
      # overrides win; other defaulted arguments keep their defaults
      withS3 = false;
      nodejs = null;
      binPath = "${builtins.storeDir}/metadata-only-placeholder-openssl/bin";
      exe = "${builtins.storeDir}/metadata-only-placeholder-openssl/bin/openssl";
      isLinux = true;
    };
  };

  testFetcherRecords = {
    expr = {
      inherit (probe.src)
        url
        tag
        outputHash
        atprotoFetcher
        ;
      isDerivation = lib.isDerivation probe.src;
    };
    expected = {
      url = "https://github.com/o/r";
      tag = "v1";
      outputHash = "sha256-nDOLIRWTyj/R0h+70+bGi85RVe2OKLNbnSaKyyqc93Q=";
      atprotoFetcher = "fetchFromGitHub";
      isDerivation = true;
    };
  };

  testStdenvRefusesToBuild = {
    expr = (builtins.tryEval (metadata.stdenv.mkDerivation { })).success;
    expected = false;
  };

  testModulePkgsFormats = {
    expr = {
      description = jsonType.description;
      accepts = jsonType.check {
        a = [
          1
          "x"
          { b = null; }
        ];
      };
      rejects = jsonType.check (x: x);
      file = (modulePkgs.formats.toml { }).generate "config.toml" { };
    };
    expected = {
      description = "JSON value";
      accepts = true;
      rejects = false;
      file = "${builtins.storeDir}/metadata-only-config.toml";
    };
  };

  testReservedNames = {
    expr = lib.intersectLists [
      "lib"
      "modules"
      "overlays"
    ] (lib.attrNames repo.packages);
    expected = [ ];
  };
}
