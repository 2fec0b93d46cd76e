# Stand-ins for nixpkgs used in metadata mode (nixpkgs `lib` only, nothing
# built or fetched): the fetchers a package.nix pins its source with, a
# callPackage that gives every other argument a placeholder, and a small
# `pkgs` for evaluating NixOS modules against metadata packages.
{ lib }:
let
  storePath = name: "${builtins.storeDir}/metadata-only-${name}";

  # A fetcher that records its arguments: enough for the docs (url, rev,
  # hash) and for checks that a source is pinned.
  recordingFetcher =
    fetcher: urlOf: args:
    args
    // {
      type = "derivation";
      name = args.name or "source";
      outPath = storePath (args.name or "source");
      url = urlOf args;
      outputHash = args.hash or args.sha256 or null;
      atprotoFetcher = fetcher;
    };

  # Anything a package.nix takes from nixpkgs besides lib, the fetchers and
  # our builders: a derivation-shaped value whose name says what it stands
  # for, so `lib.makeBinPath [ curl jq ]` or "${openssl}/bin" still evaluate.
  placeholder =
    name:
    lib.fix (self: {
      type = "derivation";
      inherit name;
      pname = name;
      version = "0";
      outPath = storePath "placeholder-${name}";
      outputs = [ "out" ];
      out = self;
      meta.mainProgram = name;
      atprotoPlaceholder = true;
      override = _: self;
      overrideAttrs = _: self;
      withPackages = _: self;
    });

  fetchers = {
    fetchFromGitHub = recordingFetcher "fetchFromGitHub" (a: "https://github.com/${a.owner}/${a.repo}");
    fetchFromGitLab = recordingFetcher "fetchFromGitLab" (
      a: "https://${a.domain or "gitlab.com"}/${a.owner}/${a.repo}"
    );
    fetchgit = recordingFetcher "fetchgit" (a: a.url);
    fetchurl = recordingFetcher "fetchurl" (a: a.url or (builtins.head a.urls));
    fetchzip = recordingFetcher "fetchzip" (a: a.url or (builtins.head a.urls));
  };

  # The host platform metadata-mode evaluation pretends to build for.
  hostPlatform = lib.systems.elaborate "x86_64-linux";

  stdenv = placeholder "stdenv" // {
    inherit hostPlatform;
    buildPlatform = hostPlatform;
    targetPlatform = hostPlatform;
    isLinux = true;
    isDarwin = false;
    mkDerivation = throw "atproto-nur: stdenv.mkDerivation is not available in metadata mode; call an atprotoLib builder instead";
  };
in
{
  inherit
    fetchers
    hostPlatform
    placeholder
    stdenv
    ;

  # callPackage for metadata mode: the function's arguments come from
  # `known` (lib, atprotoLib, fetchers, sibling packages); every other
  # argument without a default becomes a placeholder.
  callPackage =
    known: fn: overrides:
    let
      f = if lib.isFunction fn then fn else import fn;
      args = lib.functionArgs f;
      given = known // overrides;
      supplied = lib.mapAttrs (name: hasDefault: given.${name} or (placeholder name)) (
        lib.filterAttrs (name: hasDefault: given ? ${name} || !hasDefault) args
      );
    in
    f supplied;

  # Values every metadata-mode call sees, besides the caller's own.
  knownArgs = fetchers // {
    inherit lib stdenv;
    stdenvNoCC = stdenv;
  };

  # A `pkgs` for evaluating our NixOS modules with lib alone: `atproto` is
  # the metadata package set; writers return store-like paths; `formats`
  # offers the common settings formats with loose value types.
  modulePkgs =
    { atproto }:
    let
      writer = name: _: storePath name;
      format =
        description: _:
        {
          type =
            let
              valueType =
                lib.types.nullOr (
                  lib.types.oneOf [
                    lib.types.bool
                    lib.types.int
                    lib.types.float
                    lib.types.str
                    lib.types.path
                    (lib.types.attrsOf valueType)
                    (lib.types.listOf valueType)
                  ]
                )
                // {
                  inherit description;
                };
            in
            valueType;
          generate = name: _: storePath name;
        };
    in
    {
      inherit lib atproto stdenv;
      system = hostPlatform.system;
      writeText = writer;
      writeTextFile = args: storePath args.name;
      writeShellScript = writer;
      writeShellScriptBin = writer;
      writeShellApplication = args: placeholder args.name;
      writeScript = writer;
      formats = {
        json = format "JSON value";
        yaml = format "YAML value";
        toml = format "TOML value";
        ini = format "INI value";
        keyValue = format "key-value pairs";
      };
    }
    // lib.genAttrs [
      "bash"
      "coreutils"
      "curl"
      "git"
      "jq"
      "openssl"
      "postgresql"
      "sqlite"
      "systemd"
      "util-linux"
    ] placeholder;
}
