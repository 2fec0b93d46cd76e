# buildNodeApplication: a Node.js server (and optionally its web front end)
# from a pinned source and the dependency hash of its lockfile (pnpm, npm or
# yarn). Real mode uses nixpkgs' fetchPnpmDeps/pnpmConfigHook,
# fetchNpmDeps/npmConfigHook or fetchYarnDeps/yarnConfigHook on
# stdenv.mkDerivation; metadata mode needs only `lib`.
#
# Layout of the result: the application with its node_modules in
# $out/lib/<pname>, one wrapper per entry point in $out/bin (running the
# script with the packaged node, NODE_ENV=production by default), and built
# static assets (vite, static) in $out/share/<pname>/www.
# Spec, examples and the shared keys: nix/lib/README.md.
{
  lib,
  pkgs ? null,
  support ? import ./build-support.nix { inherit lib pkgs; },
}:
specArg:
let
  packageManagers = [
    "pnpm"
    "npm"
    "yarn"
  ];
  assetBuilders = {
    # default command run after dependencies are installed; default output dir
    vite = {
      command = pm: "${pm} run build";
      dir = "dist";
    };
    next = {
      command = pm: "${pm} run build";
      dir = ".next";
    };
    static = {
      command = _: "";
      dir = null;
    };
  };

  assetsOf =
    spec:
    let
      a = spec.assets or null;
      kind = assetBuilders.${a.builder} or null;
    in
    if a == null || kind == null then
      null
    else
      {
        inherit (a) builder;
        command = a.command or (kind.command spec.packageManager);
        dir = a.dir or kind.dir;
      };
in
support.build {
  builder = "buildNodeApplication";
  language = "node";
  inherit specArg;

  keys = [
    "assets"
    "depsHash"
    "entryPoints"
    "nativeModules"
    "nodejs"
    "packageManager"
    "pnpm"
    "pnpmFetcherVersion"
    "pnpmWorkspaces"
    "nativeBuildInputs"
  ];

  errors =
    spec:
    let
      pm = spec.packageManager or null;
      assets = spec.assets or null;
      entryPoints = spec.entryPoints or { };
    in
    support.missing spec [
      "packageManager"
      "depsHash"
      "entryPoints"
    ]
    ++ lib.optional (
      pm != null && !(lib.elem pm packageManagers)
    ) "`packageManager` = ${builtins.toJSON pm}; expected one of \"pnpm\", \"npm\", \"yarn\""
    ++ lib.optionals (spec ? depsHash) (
      support.hashErrors {
        name = "depsHash";
        value = spec.depsHash;
      }
    )
    ++ lib.optional (
      !(lib.isAttrs entryPoints) || (spec ? entryPoints && entryPoints == { })
    ) "`entryPoints` must map each program name to its script, e.g. { pds = \"index.js\"; }"
    ++ lib.optional (
      spec ? meta.mainProgram && lib.isAttrs entryPoints && entryPoints != { } && !(entryPoints ? ${spec.meta.mainProgram})
    ) "`meta.mainProgram` = \"${spec.meta.mainProgram}\" is not one of `entryPoints` (${lib.concatStringsSep ", " (lib.attrNames entryPoints)})"
    ++ lib.optional (
      spec ? pnpmFetcherVersion && pm != "pnpm"
    ) "`pnpmFetcherVersion` only applies to packageManager = \"pnpm\""
    ++ lib.optional (
      assets != null && !(lib.isAttrs assets && assetBuilders ? ${assets.builder or ""})
    ) "`assets.builder` must be \"vite\", \"next\" or \"static\""
    ++ lib.optional (
      assets != null && (assets.builder or null) == "static" && !(assets ? dir)
    ) "`assets` with builder \"static\" needs `dir`, the folder of files to publish";

  extra = spec: {
    inherit (spec) packageManager entryPoints;
    nativeModules = spec.nativeModules or [ ];
    assets = assetsOf spec;
  };

  mkDerivation = if pkgs == null then null else pkgs.stdenv.mkDerivation;

  real =
    {
      spec,
      passthrough,
      meta,
      passthru,
      pos,
      sourceRootAttrs,
    }:
    let
      inherit (spec) pname version src;
      pm = spec.packageManager;
      nodejs = if spec.nodejs or null != null then spec.nodejs else pkgs.nodejs;
      pnpm = if spec.pnpm or null != null then spec.pnpm else pkgs.pnpm;
      nativeModules = spec.nativeModules or [ ];
      assets = assetsOf spec;
      # node's headers for node-gyp, kept out of the closure afterwards.
      nodeSources = pkgs.srcOnly nodejs;
      appDir = "$out/lib/${pname}";
      sourceRootPath = if spec.sourceRoot or null != null then "/${spec.sourceRoot}" else "";

      deps =
        {
          pnpm = {
            pnpmDeps = pkgs.fetchPnpmDeps (
              {
                inherit pname version src pnpm;
                fetcherVersion = spec.pnpmFetcherVersion or 3;
                hash = spec.depsHash;
                pnpmWorkspaces = spec.pnpmWorkspaces or [ ];
              }
              // sourceRootAttrs
            );
            pnpmWorkspaces = spec.pnpmWorkspaces or [ ];
          };
          npm = {
            npmDeps = pkgs.fetchNpmDeps (
              {
                name = "${pname}-${version}-npm-deps";
                inherit src;
                hash = spec.depsHash;
              }
              // sourceRootAttrs
            );
          };
          yarn = {
            yarnOfflineCache = pkgs.fetchYarnDeps {
              yarnLock = "${src}${sourceRootPath}/yarn.lock";
              hash = spec.depsHash;
            };
          };
        }
        .${pm};

      hooks =
        {
          pnpm = [
            pkgs.pnpmConfigHook
            pnpm
          ];
          npm = [ pkgs.npmHooks.npmConfigHook ];
          yarn = [
            pkgs.yarnConfigHook
            pkgs.yarn
          ];
        }
        .${pm};

      # npmConfigHook already runs `npm rebuild` for every package; pnpm and
      # yarn installs skip install scripts, so native modules are built here
      # against the packaged node.
      rebuildNative = lib.optionalString (nativeModules != [ ] && pm != "npm") ''
        export npm_config_nodedir=${nodeSources}
        ${if pm == "pnpm" then "pnpm rebuild" else "npm rebuild --offline"} ${lib.escapeShellArgs nativeModules}
        find node_modules -name '*.node' -type f \
          -exec remove-references-to -t ${nodeSources} {} \;
      '';

      buildAssets = lib.optionalString (assets != null && assets.command != "") ''
        echo "building ${assets.builder} assets: ${assets.command}"
        ${assets.command}
      '';

      installAssets = lib.optionalString (assets != null && assets.builder != "next") ''
        mkdir -p $out/share/${pname}
        cp -r ${lib.escapeShellArg assets.dir} $out/share/${pname}/www
      '';

      wrappers = lib.concatStrings (
        lib.mapAttrsToList (bin: script: ''
          makeWrapper ${lib.getExe nodejs} $out/bin/${lib.escapeShellArg bin} \
            --add-flags --enable-source-maps \
            --add-flags ${appDir}/${lib.escapeShellArg script} \
            --set-default NODE_ENV production
        '') spec.entryPoints
      );
    in
    passthrough
    // sourceRootAttrs
    // deps
    // {
      inherit pname version src;
      nativeBuildInputs = [
        nodejs
        pkgs.makeBinaryWrapper
        pkgs.removeReferencesTo
      ]
      ++ hooks
      ++ lib.optionals (nativeModules != [ ]) [
        pkgs.python3
        pkgs.pkg-config
      ]
      ++ spec.nativeBuildInputs or [ ];

      buildPhase = ''
        runHook preBuild
        ${rebuildNative}
        ${buildAssets}
        runHook postBuild
      '';

      installPhase = ''
        runHook preInstall
        mkdir -p ${appDir} $out/bin
        ${installAssets}
        cp -r . ${appDir}
        ${wrappers}
        runHook postInstall
      '';

      passthru = passthru // {
        inherit nodejs;
      };
      inherit meta pos;
    };
}
