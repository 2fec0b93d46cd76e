# Real mode of the builders, evaluated against a recording stand-in for
# nixpkgs: each nixpkgs builder returns the attributes it was given (after
# the finalAttrs fixpoint, as stdenv does), so these tests check what
# buildGoModule, buildRustPackage and mkDerivation would receive.
{ lib, repo }:
let
  drv = name: {
    type = "derivation";
    inherit name;
    outPath = "/recorded/${name}";
    meta.mainProgram = name;
  };
  recordingBuilder =
    builtWith: fn:
    let
      attrs = fn (attrs // { finalPackage = result; });
      result = attrs // {
        inherit builtWith;
        src = attrs.src // { name = "source"; };
      };
    in
    result;
  recordingFetcher = fetcher: args: args // { inherit fetcher; };
  # importCargoLock as nixpkgs has it, reduced to what the builders rely on:
  # `.override { fetchgit; }`, and one fetchgit call per git revision of the
  # lock, with that revision's outputHashes entry.
  importCargoLockWith =
    fetchgit: args:
    let
      git = lib.filter (p: lib.hasPrefix "git+" (p.source or "")) (
        builtins.fromTOML (builtins.readFile args.lockFile)
      ).package;
    in
    {
      importCargoLock = args;
      fetched = map (
        p:
        fetchgit {
          url = builtins.head (builtins.match "git\\+([^?#]+).*" p.source);
          rev = lib.last (lib.splitString "#" p.source);
          sha256 = args.outputHashes."${p.name}-${p.version}";
        }
      ) git;
    };
  pkgs = {
    inherit lib;
    buildGoModule = recordingBuilder "buildGoModule";
    rustPlatform.buildRustPackage = recordingBuilder "buildRustPackage";
    rustPlatform.importCargoLock = {
      __functor = _: importCargoLockWith pkgs.fetchgit;
      override = { fetchgit }: importCargoLockWith fetchgit;
    };
    fetchgit = recordingFetcher "fetchgit";
    # What the Yarn 4 route of buildNodeApplication uses (nix/pkgs/ozone).
    nodejs_20 = drv "nodejs_20";
    autoPatchelfHook = drv "auto-patchelf-hook";
    fetchurl =
      args:
      recordingFetcher "fetchurl" args
      // {
        outPath = "/recorded/${baseNameOf args.url}";
      };
    linkFarm = name: entries: {
      inherit name entries;
      outPath = "/recorded/${name}";
    };
    runtimeShell = "/recorded/bash/bin/bash";
    stdenv = {
      mkDerivation = recordingBuilder "stdenv.mkDerivation";
      hostPlatform = {
        system = "x86_64-linux";
        isx86_64 = true;
        isAarch64 = false;
        isMusl = false;
      };
      cc.cc.lib = drv "gcc-lib";
    };
    stdenvNoCC.mkDerivation = recordingBuilder "stdenvNoCC.mkDerivation";
    fetchPnpmDeps = recordingFetcher "fetchPnpmDeps";
    fetchNpmDeps = recordingFetcher "fetchNpmDeps";
    fetchYarnDeps = recordingFetcher "fetchYarnDeps";
    npmHooks.npmConfigHook = drv "npm-config-hook";
    testers.testVersion = args: { testVersion = args; };
    nix-update-script = args: { nixUpdate = args; };
    srcOnly = p: drv "${p.name}-source";
  }
  // lib.genAttrs [
    "bash"
    "makeBinaryWrapper"
    "nodejs"
    "pkg-config"
    "pnpm"
    "pnpmConfigHook"
    "python3"
    "removeReferencesTo"
    "yarn"
    "yarnConfigHook"
  ] drv;

  realLib = import ../../lib { inherit lib pkgs; };
  known = pkgs // {
    atprotoLib = realLib;
    inherit (repo.atprotoLib.metadata.fetchers) fetchFromGitHub;
    curl = drv "curl";
    jq = drv "jq";
    openssl = drv "openssl";
    vips = drv "vips";
  };
  call = file: lib.callPackageWith known file { };
  go = call ./fixtures/go.nix;
  rust = call ./fixtures/rust.nix;
  node = call ./fixtures/node.nix;
  script = call ./fixtures/script.nix;
  ozone = call ../../pkgs/ozone/package.nix;
  ozoneDeps = import ../../pkgs/ozone/deps.nix;
  # Phases mention store paths; compare their text only.
  has =
    needle: haystack:
    lib.hasInfix (builtins.unsafeDiscardStringContext needle) (
      builtins.unsafeDiscardStringContext haystack
    );
in
lib.runTests {
  testBuilders = {
    expr = map (p: p.builtWith) [
      go
      rust
      node
      script
    ];
    expected = [
      "buildGoModule"
      "buildRustPackage"
      "stdenv.mkDerivation"
      "stdenvNoCC.mkDerivation"
    ];
  };

  testGoAttrs = {
    expr = {
      inherit (go)
        pname
        version
        vendorHash
        subPackages
        ldflags
        modRoot
        doCheck
        ;
      nativeCheckInputs = map (d: d.name) go.nativeCheckInputs;
      pos = lib.last (lib.splitString "/" go.pos.file);
    };
    expected = {
      pname = "tap";
      version = "0.1.10";
      vendorHash = "sha256-s1S+b+QbptqJ2mxqkvsn7M5VWfLrlwpWgRjg6lq2WVE=";
      subPackages = [ "cmd/tap" ];
      ldflags = [
        "-s"
        "-w"
      ];
      modRoot = "./";
      doCheck = false;
      nativeCheckInputs = [ "curl" ];
      pos = "go.nix";
    };
  };

  # Spec-only keys stay out of the attributes handed to nixpkgs.
  testNoSpecKeysLeak = {
    expr = lib.filter (k: go ? ${k} || node ? ${k}) [
      "versionCheck"
      "updateScript"
      "packageManager"
      "depsHash"
      "entryPoints"
      "nativeModules"
      "assets"
    ];
    expected = [ ];
  };

  testVersionTestUsesFinalPackage = {
    expr = {
      inherit (go.passthru.tests.version.testVersion) command version;
      package = go.passthru.tests.version.testVersion.package.builtWith;
    };
    expected = {
      command = "tap --version";
      version = "0.1.10";
      package = "buildGoModule";
    };
  };

  testUpdateScript = {
    expr = go.passthru.updateScript;
    expected.nixUpdate.extraArgs = [ "--version-regex=tap-v(.*)" ];
  };

  testMetaReal = {
    expr = {
      inherit (go.meta) mainProgram maintainers;
      hasPosition = go.meta ? position;
    };
    expected = {
      mainProgram = "tap";
      maintainers = lib.attrValues (import ../../lib/maintainers.nix);
      # stdenv computes meta.position from `pos` in real mode.
      hasPosition = false;
    };
  };

  testRustAttrs = {
    expr = {
      inherit (rust) cargoBuildFlags buildFeatures cargoLock;
      copiesLock = has "cp ${./fixtures/fixture.Cargo.lock} Cargo.lock" rust.postPatch;
    };
    expected = {
      cargoBuildFlags = [ "--bin=allegedly" ];
      buildFeatures = [ "s3" ];
      cargoLock.lockFile = ./fixtures/fixture.Cargo.lock;
      copiesLock = true;
    };
  };

  # Yarn 4: no aggregate fetcher; the tarballs this platform fetches, each a
  # fetchurl pinned by the registry's sha512, served to the lockfile's own
  # Yarn release, after the lockfiles are checked against the list's.
  testNodeYarnBerry =
    let
      entries = ozone.passthru.yarnTarballs.entries;
      onlyOn = os: builtins.filter (p: (p.conditions.os or [ ]) == [ os ]) ozoneDeps.packages;
      names = map (e: e.name) entries;
    in
    {
      expr = {
        inherit (ozone) builtWith patches;
        fetchers = lib.unique (map (e: e.path.fetcher) entries);
        pinned = lib.all (e: lib.hasPrefix "sha512-" e.path.hash) entries;
        # every unconditional package and the linux x64 glibc ones, no other
        ozoneServer = builtins.elem "@atproto/ozone/-/ozone-0.1.169.tgz" names;
        swc = builtins.elem "@next/swc-linux-x64-gnu/-/swc-linux-x64-gnu-15.5.18.tgz" names;
        darwin = lib.any (p: builtins.elem (lib.removePrefix "https://registry.npmjs.org/" p.url) names) (onlyOn "darwin");
        count = builtins.length entries < builtins.length ozoneDeps.packages;
        checksLockfiles = lib.all (sum: has sum ozone.configurePhase) (lib.attrValues ozoneDeps.lockfiles);
        installs = has "yarn install --immutable --mode=skip-build" ozone.configurePhase;
        yarnRelease = has "cli-dist-4.8.1.tgz" ozone.configurePhase || has "yarn-cli/package/bin/yarn.js" ozone.configurePhase;
        builds = has "yarn run build" ozone.buildPhase;
        stopsRegistry = has "kill \"$yarnRegistryPid\"" ozone.buildPhase;
        chdir = has "--chdir $out/lib/ozone" ozone.installPhase;
        noFetcherDeps = ozone ? yarnOfflineCache || ozone ? pnpmDeps;
      };
      expected = {
        builtWith = "stdenv.mkDerivation";
        patches = [ ../../pkgs/ozone/ozone-0.1.169.patch ];
        fetchers = [ "fetchurl" ];
        pinned = true;
        ozoneServer = true;
        swc = true;
        darwin = false;
        count = true;
        checksLockfiles = true;
        installs = true;
        yarnRelease = true;
        builds = true;
        stopsRegistry = true;
        chdir = true;
        noFetcherDeps = false;
      };
    };

  testNodePnpm = {
    expr = {
      deps = {
        inherit (node.pnpmDeps)
          fetcher
          hash
          fetcherVersion
          sourceRoot
          ;
      };
      inherit (node) sourceRoot;
      hooks = map (d: d.name) node.nativeBuildInputs;
    };
    expected = {
      deps = {
        fetcher = "fetchPnpmDeps";
        hash = "sha256-TZ+lUdICkLZfHPvU1qEUeB3wasBKJpGo2lMk4eeyjas=";
        fetcherVersion = 3;
        sourceRoot = "source/service";
      };
      sourceRoot = "source/service";
      hooks = [
        "nodejs"
        "makeBinaryWrapper"
        "removeReferencesTo"
        "pnpmConfigHook"
        "pnpm"
        "python3"
        "pkg-config"
      ];
    };
  };

  testNodePhases = {
    expr = {
      rebuild = has "pnpm rebuild better-sqlite3" node.buildPhase;
      nodedir = has "export npm_config_nodedir=/recorded/nodejs-source" node.buildPhase;
      assets = has "pnpm run build" node.buildPhase;
      installAssets = has "cp -r dist $out/share/pds/www" node.installPhase;
      wrapper = has "makeWrapper /recorded/nodejs/bin/nodejs $out/bin/pds" node.installPhase;
      entry = has "--add-flags $out/lib/pds/index.js" node.installPhase;
    };
    expected = {
      rebuild = true;
      nodedir = true;
      assets = true;
      installAssets = true;
      wrapper = true;
      entry = true;
    };
  };

  testNodeNpmAndYarn =
    let
      variant =
        pm:
        realLib.buildNodeApplication {
          pname = "web";
            version = "1.0.0";
            src = known.fetchFromGitHub {
              owner = "o";
              repo = "r";
              rev = "v1";
              hash = "sha256-TZ+lUdICkLZfHPvU1qEUeB3wasBKJpGo2lMk4eeyjas=";
            };
            packageManager = pm;
            depsHash = "sha256-TZ+lUdICkLZfHPvU1qEUeB3wasBKJpGo2lMk4eeyjas=";
            entryPoints.web = "server.js";
            meta = {
              description = "Web";
              homepage = "https://example.org";
              license = lib.licenses.mit;
              mainProgram = "web";
            };
          };
      npm = variant "npm";
      yarn = variant "yarn";
    in
    {
      expr = {
        npm = npm.npmDeps.fetcher;
        npmHook = lib.elem "npm-config-hook" (map (d: d.name) npm.nativeBuildInputs);
        yarn = yarn.yarnOfflineCache.fetcher;
        yarnLock = yarn.yarnOfflineCache.yarnLock;
      };
      expected = {
        npm = "fetchNpmDeps";
        npmHook = true;
        yarn = "fetchYarnDeps";
        yarnLock = "${builtins.storeDir}/metadata-only-source/yarn.lock";
      };
    };

  testScriptBundle = {
    expr = {
      wraps = has "--prefix PATH : /recorded/curl/bin:/recorded/jq/bin" script.installPhase;
      installs = has "install -Dm755 pdsadmin.sh $out/libexec/pdsadmin/pdsadmin" script.installPhase;
      extra = has "cp -r pdsadmin $out/libexec/pdsadmin/" script.installPhase;
    };
    expected = {
      wraps = true;
      installs = true;
      extra = true;
    };
  };

  # In a package set that has the overlay (pkgs.atproto), a package tied to
  # a module carries that module's NixOS VM test; without it, none.
  testModuleVmTest =
    let
      withOverlay = pkgs // {
        atproto = { };
        testers = pkgs.testers // {
          runNixOSTest = args: { vmTest = args.name; };
        };
      };
      overlayLib = import ../../lib {
        inherit lib;
        pkgs = withOverlay;
      };
      tapWith = atprotoLib: lib.callPackageWith (known // { inherit atprotoLib; }) ../../pkgs/tap/package.nix { };
    in
    {
      expr = {
        withOverlay = (tapWith overlayLib).passthru.tests.nixos.vmTest;
        without = (tapWith realLib).passthru.tests ? nixos;
      };
      expected = {
        withOverlay = "atproto-tap";
        without = false;
      };
    };

  testMode = {
    expr = realLib.mode;
    expected = "real";
  };

  # cargoGitPrune: buildRustPackage gets cargoDeps from an importCargoLock
  # whose fetchgit deletes the pruned paths of that revision only, before
  # the output is hashed against its outputHashes entry.
  testRustGitPrune =
    let
      pruned = realLib.buildRustApplication {
        pname = "app";
        version = "0.1.0";
        src = rust.src;
        cargoLock = {
          lockFile = ./fixtures/git.Cargo.lock;
          outputHashes = {
            "big-1.0.0" = "sha256-YmlnYmlnYmlnYmlnYmlnYmlnYmlnYmlnYmlnYmlnYmk=";
            "small-2.0.0" = "sha256-c21hbGxzbWFsbHNtYWxsc21hbGxzbWFsbHNtYWxsc20=";
          };
        };
        cargoGitPrune."big-1.0.0" = [
          "data/huge file.txt"
          "fixtures"
        ];
        meta = rust.meta // {
          mainProgram = "app";
        };
      };
    in
    {
      expr = {
        hasCargoLock = pruned ? cargoLock;
        lock = pruned.cargoDeps.importCargoLock.lockFile;
        fetched = map (f: {
          inherit (f) url rev sha256;
          postFetch = f.postFetch or null;
        }) pruned.cargoDeps.fetched;
      };
      expected = {
        hasCargoLock = false;
        lock = ./fixtures/git.Cargo.lock;
        fetched = [
          {
            url = "https://example.invalid/big.git";
            rev = "1111111111111111111111111111111111111111";
            sha256 = "sha256-YmlnYmlnYmlnYmlnYmlnYmlnYmlnYmlnYmlnYmlnYmk=";
            postFetch = ''
              rm -r -- "$out"/'data/huge file.txt'
              rm -r -- "$out"/fixtures
            '';
          }
          {
            url = "https://example.invalid/small.git";
            rev = "2222222222222222222222222222222222222222";
            sha256 = "sha256-c21hbGxzbWFsbHNtYWxsc21hbGxzbWFsbHNtYWxsc20=";
            postFetch = null;
          }
        ];
      };
    };
}
