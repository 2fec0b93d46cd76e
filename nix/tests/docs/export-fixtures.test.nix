# The docs export run on a fixture repository (nix/tests/docs/fixtures):
# option rendering, declarations, internal/hidden flags, repository-relative
# paths and the package <-> module links, checked value by value.
{ lib, repo }:
let
  fixturePackages = {
    tap = repo.callMetadataPackage ../lib/fixtures/go.nix;
    # A package that names its module itself (no `package` option links it).
    allegedly = repo.callMetadataPackage ../lib/fixtures/rust.nix // {
      passthru.atproto = {
        language = "rust";
        upstream = "at-microcosm/allegedly";
        module = "services.atproto.plc-mirror";
      };
    };
  };
  fixtureRepo = repo // {
    packages = fixturePackages;
    templates = { };
    modules = {
      example = ./fixtures/example.nix;
    };
    evalModules =
      { modules, ... }:
      repo.evalModules {
        inherit modules;
        specialArgs.pkgs = repo.atprotoLib.metadata.modulePkgs { atproto = fixturePackages; };
      };
  };
  d = import ../../docs {
    inherit lib;
    repo = fixtureRepo;
    revision = "0123abc";
  };
  o = d.options;
  file = "nix/tests/docs/fixtures/example.nix";
in
lib.runTests {
  testOptionNames = {
    expr = lib.attrNames o;
    expected = [
      "services.atproto.example.dataDir"
      "services.atproto.example.enable"
      "services.atproto.example.hidden"
      "services.atproto.example.instances"
      "services.atproto.example.instances.<name>.port"
      "services.atproto.example.internalKnob"
      "services.atproto.example.package"
    ];
  };

  testEnable = {
    expr = o."services.atproto.example.enable";
    expected = {
      loc = [
        "services"
        "atproto"
        "example"
        "enable"
      ];
      description = "Whether to enable the example service.";
      declarations = [
        {
          name = file;
          line = 10;
        }
      ];
      internal = false;
      visible = true;
      readOnly = false;
      type = "boolean";
      default = {
        _type = "literalExpression";
        text = "false";
      };
      example = {
        _type = "literalExpression";
        text = "true";
      };
    };
  };

  testPackageDefault = {
    expr = o."services.atproto.example.package".default;
    expected = {
      _type = "literalExpression";
      text = "pkgs.atproto.tap";
    };
  };

  testLiteralMD = {
    expr = o."services.atproto.example.dataDir".default;
    expected = {
      _type = "literalMD";
      text = "a directory under `/var/lib`";
    };
  };

  testSubOption = {
    expr = {
      inherit (o."services.atproto.example.instances.<name>.port") type default loc;
      line = (lib.head o."services.atproto.example.instances.<name>.port".declarations).line;
    };
    expected = {
      type = "16 bit unsigned integer; between 0 and 65535 (both inclusive)";
      default = {
        _type = "literalExpression";
        text = "3000";
      };
      loc = [
        "services"
        "atproto"
        "example"
        "instances"
        "<name>"
        "port"
      ];
      line = 20;
    };
  };

  testFlags = {
    expr = {
      internal = o."services.atproto.example.internalKnob".internal;
      hidden = o."services.atproto.example.hidden".visible;
    };
    expected = {
      internal = true;
      hidden = false;
    };
  };

  # Files under the checkout or in the store (a flake's source) lose the
  # prefix; "file:line" keeps its line; foreign files stay as they are.
  testRelativePaths =
    let
      # This checkout, wherever it is.
      root = toString ../../..;
      relative = import ../../docs/relative-path.nix { inherit lib root; };
    in
    {
      expr = map relative [
        "${root}/nix/modules/pds.nix"
        "${builtins.storeDir}/0123456789abcdfghijklmnpqrsvwxyz-source/nix/modules/pds.nix"
        "${root}/nix/pkgs/pds/package.nix:13"
        "/elsewhere/lib/modules.nix"
      ];
      expected = [
        "nix/modules/pds.nix"
        "nix/modules/pds.nix"
        "nix/pkgs/pds/package.nix:13"
        "/elsewhere/lib/modules.nix"
      ];
    };

  testModules = {
    expr = d.modules;
    expected = {
      example = {
        file = file;
        optionPrefix = "services.atproto.example";
        package = "tap";
        unpackaged = null;
      };
    };
  };

  testPackageModules = {
    expr = lib.mapAttrs (_: p: p.module) d.packages;
    expected = {
      tap = "services.atproto.example";
      allegedly = "services.atproto.plc-mirror";
    };
  };

  testPackageDoc = {
    expr = d.packages.tap;
    expected = {
      attr = "tap";
      pname = "tap";
      version = "0.1.10";
      name = "tap-0.1.10";
      description = "ATProto firehose sync utility";
      longDescription = "";
      homepage = "https://github.com/bluesky-social/indigo";
      changelog = null;
      license = [
        {
          spdxId = "MIT";
          fullName = "MIT License";
          url = "https://spdx.org/licenses/MIT.html";
          free = true;
        }
        {
          spdxId = "Apache-2.0";
          fullName = "Apache License 2.0";
          url = "https://spdx.org/licenses/Apache-2.0.html";
          free = true;
        }
      ];
      platforms = lib.platforms.linux;
      mainProgram = "tap";
      maintainers = [
        {
          name = "atproto-nur maintainers";
          github = "atproto-nur";
          email = null;
        }
      ];
      knownVulnerabilities = [ ];
      broken = false;
      position = "nix/tests/lib/fixtures/go.nix:10";
      module = "services.atproto.example";
      language = "go";
      upstream = "bluesky-social/indigo";
      src = {
        url = "https://github.com/bluesky-social/indigo";
        rev = "tap-v0.1.10";
        hash = "sha256-nDOLIRWTyj/R0h+70+bGi85RVe2OKLNbnSaKyyqc93Q=";
      };
    };
  };

  testMeta = {
    expr = d.meta.revision;
    expected = "0123abc";
  };
}
