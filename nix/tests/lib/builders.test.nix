# Metadata mode of every builder: the shape docs and modules rely on, filled
# the same way for Go, Rust, Node.js and script bundles.
{ lib, repo }:
let
  call = repo.callMetadataPackage;
  go = call ./fixtures/go.nix;
  rust = call ./fixtures/rust.nix;
  node = call ./fixtures/node.nix;
  script = call ./fixtures/script.nix;
  all = [
    go
    rust
    node
    script
  ];
  repoMaintainers = lib.attrValues (import ../../lib/maintainers.nix);
in
lib.runTests {
  testIdentity = {
    expr = map (p: [
      p.pname
      p.version
      p.name
      p.type
    ]) all;
    expected = [
      [
        "tap"
        "0.1.10"
        "tap-0.1.10"
        "derivation"
      ]
      [
        "allegedly"
        "0-unstable-2026-01-02"
        "allegedly-0-unstable-2026-01-02"
        "derivation"
      ]
      [
        "pds"
        "0.4.208"
        "pds-0.4.208"
        "derivation"
      ]
      [
        "pdsadmin"
        "0.4.208"
        "pdsadmin-0.4.208"
        "derivation"
      ]
    ];
  };

  testLanguageAndUpstream = {
    expr = map (p: p.passthru.atproto) all;
    expected = [
      {
        language = "go";
        upstream = "bluesky-social/indigo";
        module = null;
      }
      {
        language = "rust";
        upstream = "at-microcosm/allegedly";
        module = null;
      }
      {
        language = "node";
        upstream = "bluesky-social/pds";
        module = null;
      }
      {
        language = "shell";
        upstream = "bluesky-social/pds";
        module = null;
      }
    ];
  };

  # finalAttrs-style specs see their own version (tag = "tap-v${version}").
  testFinalAttrsSpec = {
    expr = go.src.tag;
    expected = "tap-v0.1.10";
  };

  testMetaDefaults = {
    expr = map (p: {
      inherit (p.meta) maintainers platforms longDescription;
    }) [ go ];
    expected = [
      {
        maintainers = repoMaintainers;
        platforms = lib.platforms.linux;
        longDescription = "";
      }
    ];
  };

  testMetaGivenWins = {
    expr = rust.meta.knownVulnerabilities;
    expected = [ "a pinned dependency is vulnerable (test entry)" ];
  };

  # meta.position points at the spec in the package file, like stdenv's.
  testPosition = {
    expr = map (p: lib.last (lib.splitString "/" p.meta.position)) all;
    expected = [
      "go.nix:10"
      "rust.nix:11"
      "node.nix:10"
      "script.nix:10"
    ];
  };

  testVersionTest = {
    expr = map (p: p.passthru.tests.version or null) all;
    expected = [
      {
        type = "versionCheck";
        command = "tap --version";
        version = "0.1.10";
      }
      null
      {
        type = "versionCheck";
        command = "pds --version";
        version = "0.4.208";
      }
      null
    ];
  };

  # nix-update by default; unstable versions follow the branch; extra
  # arguments are appended.
  testUpdateScripts = {
    expr = map (p: p.passthru.updateScript.command) all;
    expected = [
      [
        "nix-update"
        "--version-regex=tap-v(.*)"
      ]
      [
        "nix-update"
        "--version=branch"
      ]
      [ "nix-update" ]
      [ "nix-update" ]
    ];
  };

  testPassthruAlsoTopLevel = {
    expr = go.updateScript == go.passthru.updateScript && go.atproto == go.passthru.atproto;
    expected = true;
  };

  testGoSpec = {
    expr = {
      inherit (go) vendorHash subPackages;
    };
    expected = {
      vendorHash = "sha256-s1S+b+QbptqJ2mxqkvsn7M5VWfLrlwpWgRjg6lq2WVE=";
      subPackages = [ "cmd/tap" ];
    };
  };

  testRustSpec = {
    expr = {
      inherit (rust) binaries buildFeatures buildNoDefaultFeatures;
    };
    expected = {
      binaries = [ "allegedly" ];
      buildFeatures = [ "s3" ];
      buildNoDefaultFeatures = false;
    };
  };

  testNodeSpec = {
    expr = {
      inherit (node)
        packageManager
        entryPoints
        nativeModules
        assets
        ;
    };
    expected = {
      packageManager = "pnpm";
      entryPoints.pds = "index.js";
      nativeModules = [ "better-sqlite3" ];
      assets = {
        builder = "vite";
        command = "pnpm run build";
        dir = "dist";
      };
    };
  };

  testScriptSpec = {
    expr = {
      inherit (script) scripts extraFiles;
    };
    expected = {
      scripts.pdsadmin = "pdsadmin.sh";
      extraFiles = [ "pdsadmin" ];
    };
  };

  # Modules interpolate "${package}/bin/x" and call lib.getExe on metadata
  # packages; both must evaluate, and building must say why it cannot.
  testInterpolation = {
    expr = lib.getExe go;
    expected = "${builtins.storeDir}/metadata-only-tap-0.1.10/bin/tap";
  };

  testDrvPathExplains = {
    expr = (builtins.tryEval go.drvPath).success;
    expected = false;
  };

  testSourceRecorded = {
    expr = {
      inherit (node.src) url tag outputHash;
    };
    expected = {
      url = "https://github.com/bluesky-social/pds";
      tag = "v0.4.208";
      outputHash = "sha256-/porufe1XVtjEFMOv40+1G1n5WgaAJIvOv/KWkKgxuQ=";
    };
  };

  testMode = {
    expr = repo.atprotoLib.mode;
    expected = "metadata";
  };
}
