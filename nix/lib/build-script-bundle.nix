# buildScriptBundle: shell scripts from a pinned source installed as
# programs whose tools (curl, jq, openssl, ...) are on PATH, e.g. pdsadmin.
# The scripts and any files they read go to $out/libexec/<pname>; each
# program in $out/bin is a wrapper that puts `runtimeInputs` first on PATH.
# Real mode uses stdenvNoCC.mkDerivation; metadata mode needs only `lib`.
# Spec, examples and the shared keys: nix/lib/README.md.
{
  lib,
  pkgs ? null,
  support ? import ./build-support.nix { inherit lib pkgs; },
}:
specArg:
support.build {
  builder = "buildScriptBundle";
  language = "shell";
  inherit specArg;

  keys = [
    "scripts"
    "extraFiles"
    "runtimeInputs"
    "nativeBuildInputs"
    "buildInputs"
  ];

  errors =
    spec:
    let
      scripts = spec.scripts or { };
    in
    support.missing spec [ "scripts" ]
    ++ lib.optional (
      !(lib.isAttrs scripts) || (spec ? scripts && scripts == { })
    ) "`scripts` must map each program name to its script in the source, e.g. { pdsadmin = \"pdsadmin.sh\"; }"
    ++ lib.optional (
      spec ? meta.mainProgram && lib.isAttrs scripts && scripts != { } && !(scripts ? ${spec.meta.mainProgram})
    ) "`meta.mainProgram` = \"${spec.meta.mainProgram}\" is not one of `scripts`"
    ++ lib.optional (!(lib.isList (spec.extraFiles or [ ]))) "`extraFiles` must be a list of paths in the source";

  extra = spec: {
    inherit (spec) scripts;
    extraFiles = spec.extraFiles or [ ];
  };

  mkDerivation = if pkgs == null then null else pkgs.stdenvNoCC.mkDerivation;

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
      libexec = "$out/libexec/${spec.pname}";
      path = lib.makeBinPath (spec.runtimeInputs or [ ]);
      copyExtra = lib.concatMapStrings (f: ''
        cp -r ${lib.escapeShellArg f} ${libexec}/
      '') (spec.extraFiles or [ ]);
      installScripts = lib.concatStrings (
        lib.mapAttrsToList (bin: script: ''
          install -Dm755 ${lib.escapeShellArg script} ${libexec}/${lib.escapeShellArg bin}
          makeWrapper ${libexec}/${lib.escapeShellArg bin} $out/bin/${lib.escapeShellArg bin} \
            --prefix PATH : ${lib.escapeShellArg path}
        '') spec.scripts
      );
    in
    passthrough
    // sourceRootAttrs
    // {
      inherit (spec) pname version src;
      nativeBuildInputs = [ pkgs.makeBinaryWrapper ] ++ spec.nativeBuildInputs or [ ];
      # patchShebangs resolves `#!/usr/bin/env bash` against the host's bash.
      buildInputs = [ pkgs.bash ] ++ spec.buildInputs or [ ];
      dontConfigure = true;
      dontBuild = true;
      installPhase = ''
        runHook preInstall
        mkdir -p ${libexec} $out/bin
        ${copyExtra}
        ${installScripts}
        runHook postInstall
      '';
      passthru = passthru // {
        runtimeInputs = spec.runtimeInputs or [ ];
      };
      inherit meta pos;
    };
}
