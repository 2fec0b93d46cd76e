# What every builder in this folder shares: reading the spec, checking it,
# filling `meta` and `passthru` the same way for every language, and the two
# modes a builder runs in.
#
# - Real mode (`pkgs` is a nixpkgs package set): the language builder hands a
#   nixpkgs builder (buildGoModule, buildRustPackage, stdenv.mkDerivation)
#   the attributes returned by `prepare`.
# - Metadata mode (`pkgs == null`): no stdenv is touched; the builder returns
#   a plain attribute set shaped like a derivation (pname, version, name,
#   src, meta, passthru, outPath) so docs and tests evaluate with `lib` alone.
{
  lib,
  pkgs ? null,
}:
let
  inherit (lib)
    attrValues
    concatMapStringsSep
    filter
    hasInfix
    hasPrefix
    isAttrs
    isFunction
    isString
    optional
    optionalAttrs
    optionalString
    ;

  repoMaintainers = attrValues (import ./maintainers.nix);

  # Keys every builder reads itself; all other keys of a spec are handed to
  # the nixpkgs builder unchanged in real mode (patches, postPatch, env, ...).
  commonKeys = [
    "meta"
    "passthru"
    "pos"
    "sourceRoot"
    "updateScript"
    "upstream"
    "versionCheck"
  ];

  # The place a spec was written, for errors and meta.position.
  specPosition = spec: spec.pos or (builtins.unsafeGetAttrPos "pname" spec);

  showPosition = pos: if pos == null then null else "${pos.file}:${toString pos.line}";

  describe =
    builder: spec:
    let
      where = showPosition (specPosition spec);
    in
    "${builder} `${spec.pname or "<missing pname>"}`" + optionalString (where != null) " (${where})";

  # Hashes must be real: an SRI string, never empty and never lib.fakeHash.
  hashErrors =
    {
      name,
      value,
      nullable ? false,
    }:
    if value == null then
      optional (!nullable) "`${name}` is null; give the real hash"
    else if !isString value then
      [ "`${name}` must be an SRI hash string (\"sha256-...\"), not a ${builtins.typeOf value}" ]
    else if value == "" || value == lib.fakeHash || value == lib.fakeSha256 then
      [
        "`${name}` is a placeholder hash; compute the real one (recipes in nix/lib/README.md, \"Computing hashes\")"
      ]
    else if !(hasPrefix "sha256-" value || hasPrefix "sha512-" value) then
      [ "`${name}` = \"${value}\" is not an SRI hash (expected \"sha256-<base64>\")" ]
    else
      [ ];

  missing = spec: names: map (n: "missing required attribute `${n}`") (filter (n: !(spec ? ${n})) names);

  # Checks shared by every language: identity, a pinned source, the meta
  # fields the docs site and `nix search` rely on.
  commonErrors =
    spec:
    let
      meta = spec.meta or { };
      src = spec.src or null;
      srcHash = src.outputHash or src.hash or null;
    in
    missing spec [
      "pname"
      "version"
      "src"
    ]
    ++ optional (spec ? pname && !isString spec.pname) "`pname` must be a string"
    ++ optional (spec ? version && !isString spec.version) "`version` must be a string"
    ++ optional (
      spec ? src && isAttrs src && !(src ? outPath)
    ) "`src` must be a fetcher result (fetchFromGitHub, fetchurl, ...)"
    # Fetched sources (derivations) must be pinned; local ones (./., a
    # lib.fileset.toSource result) are content-addressed by Nix already.
    ++ optional (
      spec ? src && lib.isDerivation src && srcHash == null
    ) "`src` is not pinned by a hash"
    ++ lib.concatMap (f: optional (!(meta ? ${f})) "missing `meta.${f}`") [
      "description"
      "homepage"
      "license"
      "mainProgram"
    ]
    ++ optional (meta ? description && !isString meta.description) "`meta.description` must be a string"
    ++ optional (
      meta ? homepage && !(isString meta.homepage && builtins.match "https?://.+" meta.homepage != null)
    ) "`meta.homepage` must be an http(s) URL string"
    # The docs list licenses by SPDX id, so they must be lib.licenses entries.
    ++ optional (
      meta ? license && !(lib.all (l: isAttrs l && l ? shortName) (lib.toList meta.license))
    ) "`meta.license` must be lib.licenses.<name> or a list of them"
    ++ optional (
      meta ? mainProgram && !isString meta.mainProgram
    ) "`meta.mainProgram` must be the name of a program in $out/bin"
    ++ optional (
      spec ? versionCheck && spec.versionCheck != null && !isAttrs spec.versionCheck
    ) "`versionCheck` must be an attribute set { command ? ...; version ? ...; } or null"
    ++ optional (
      spec ? sourceRoot && spec.sourceRoot != null && !isString spec.sourceRoot
    ) "`sourceRoot` must be a path inside the source, as a string (e.g. \"service\")";

  # Throws one error listing everything wrong with a spec, naming the
  # builder, the package and the file:line of the spec.
  check =
    builder: spec: errors: value:
    if errors == [ ] then
      value
    else
      throw (
        "atproto-nur ${describe builder spec}: invalid spec:\n"
        + concatMapStringsSep "\n" (e: "  - ${e}") errors
      );

  # "owner/repo" for GitHub sources (from the fetcher's arguments).
  upstreamOf =
    spec:
    let
      src = spec.src or { };
    in
    if spec ? upstream then
      spec.upstream
    else if isAttrs src && src ? owner && src ? repo then
      "${src.owner}/${src.repo}"
    else
      null;

  mkMeta =
    spec:
    let
      given = spec.meta or { };
    in
    {
      longDescription = "";
      platforms = lib.platforms.linux;
      knownVulnerabilities = [ ];
      maintainers = repoMaintainers;
    }
    // given;

  # nix-update arguments: unstable versions follow the default branch.
  defaultUpdateArgs = spec: optional (hasInfix "-unstable-" (spec.version or "")) "--version=branch";

  updateScriptFor =
    spec:
    let
      given = spec.updateScript or null;
      nixUpdate =
        extraArgs:
        if pkgs != null then
          pkgs.nix-update-script { inherit extraArgs; }
        else
          {
            command = [ "nix-update" ] ++ extraArgs;
            supportedFeatures = [ "commit" ];
          };
    in
    if given == false then
      null
    else if given == null then
      nixUpdate (defaultUpdateArgs spec)
    else if isAttrs given && !(given ? command) && !(lib.isDerivation given) then
      nixUpdate (defaultUpdateArgs spec ++ given.extraArgs or [ ])
    else
      given;

  versionTestFor =
    {
      spec,
      finalPackage ? null,
    }:
    let
      vc = spec.versionCheck or { };
      command = vc.command or "${spec.meta.mainProgram} --version";
      version = vc.version or spec.version;
    in
    if vc == null then
      null
    else if pkgs != null then
      pkgs.testers.testVersion {
        package = finalPackage;
        inherit command version;
      }
    else
      {
        type = "versionCheck";
        inherit command version;
      };

  mkPassthru =
    {
      language,
      spec,
      finalPackage ? null,
    }:
    let
      given = spec.passthru or { };
      versionTest = versionTestFor { inherit spec finalPackage; };
      updateScript = updateScriptFor spec;
      # The NixOS VM test of the package's module ("services.atproto.<app>"),
      # when the package set is one the modules can use (it has the overlay).
      module = (given.atproto or { }).module or null;
      moduleTest =
        if pkgs != null && pkgs ? atproto && module != null then
          { nixos = (import ../tests/modules/vm.nix { inherit pkgs; }).tests.${lib.last (lib.splitString "." module)}; }
        else
          { };
    in
    removeAttrs given [
      "tests"
      "atproto"
    ]
    // optionalAttrs (updateScript != null && !(given ? updateScript)) { inherit updateScript; }
    // {
      tests = optionalAttrs (versionTest != null) { version = versionTest; } // moduleTest // given.tests or { };
      atproto = {
        inherit language;
        upstream = upstreamOf spec;
        module = null;
      }
      // given.atproto or { };
    };

  specOf = specArg: if isFunction specArg then specArg else (_: specArg);

  metadataPackage =
    {
      builder,
      language,
      spec,
      extra ? { },
    }:
    let
      meta = mkMeta spec // {
        position = showPosition (specPosition spec);
      };
      passthru = mkPassthru { inherit language spec; };
      name = "${spec.pname}-${spec.version}";
    in
    lib.fix (
      self:
      passthru
      // extra
      // {
        type = "derivation";
        inherit name meta passthru;
        inherit (spec) pname version src;
        outputs = [ "out" ];
        outputName = "out";
        out = self;
        # A recognisable path so modules evaluated against metadata packages
        # can interpolate "${package}/bin/..." in tests; nothing exists there.
        outPath = "${builtins.storeDir}/metadata-only-${name}";
        drvPath = throw (
          "atproto-nur ${describe builder spec}: metadata-only package (evaluated with nixpkgs lib alone); "
          + "build it through default.nix or the flake"
        );
        atprotoMetadataOnly = true;
      }
    );
in
{
  inherit
    check
    commonErrors
    commonKeys
    describe
    hashErrors
    missing
    mkMeta
    mkPassthru
    showPosition
    specPosition
    upstreamOf
    ;

  realMode = pkgs != null;

  # The one entry point the language builders use.
  #   builder:   name for messages ("buildGoApplication")
  #   language:  "go" | "rust" | "node" | "shell"
  #   specArg:   the spec, or a function finalAttrs -> spec
  #   errors:    spec -> list of language-specific problems
  #   keys:      spec keys the language builder translates (not passed through)
  #   extra:     spec -> attributes added to the metadata-mode result
  #   real:      { spec, passthrough, meta, passthru, pos, sourceRootIn } -> attrs
  #              for the nixpkgs builder; `mkDerivation` receives the
  #              finalAttrs function built here.
  #   mkDerivation: the nixpkgs builder (real mode only)
  build =
    {
      builder,
      language,
      specArg,
      errors ? _: [ ],
      keys ? [ ],
      extra ? _: { },
      real ? null,
      mkDerivation ? null,
    }:
    let
      specFn = specOf specArg;
      validate = spec: check builder spec (commonErrors spec ++ errors spec);
    in
    if pkgs == null then
      let
        spec = lib.fix specFn;
      in
      validate spec (metadataPackage {
        inherit builder language spec;
        extra = extra spec;
      })
    else
      mkDerivation (
        finalAttrs:
        let
          spec = specFn finalAttrs;
          sourceRoot = spec.sourceRoot or null;
        in
        validate spec (real {
          inherit spec;
          passthrough = removeAttrs spec (commonKeys ++ keys);
          meta = mkMeta spec;
          passthru = mkPassthru {
            inherit language spec;
            inherit (finalAttrs) finalPackage;
          };
          pos = specPosition spec;
          # sourceRoot as stdenv wants it ("source/service"), or {} when unset.
          sourceRootAttrs = optionalAttrs (sourceRoot != null) {
            sourceRoot = "${finalAttrs.src.name}/${sourceRoot}";
          };
        })
      );
}
