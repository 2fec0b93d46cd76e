# The documentation export: every option under services.atproto, every
# package's metadata and every flake template, as one JSON document for
# nurdocs. Evaluates with nixpkgs lib alone. The shape is specified in
# nix/docs/README.md.
#
#   nix-instantiate --eval --strict --json nix/docs/default.nix \
#     --argstr revision "$(git rev-parse HEAD)"
{
  lib ? import <nixpkgs/lib>,
  revision ? null,
  # The repository as nix/default.nix defines it (metadata mode); tests pass
  # a modified one.
  repo ? import ../. { inherit lib; },
}:
let
  inherit (lib)
    collect
    concatMap
    filter
    hasPrefix
    isBool
    isList
    isOption
    isString
    mapAttrs
    optionalAttrs
    optionals
    removePrefix
    showOption
    ;

  relative = import ./relative-path.nix {
    inherit lib;
    inherit (repo) root;
  };

  toList = x: if isList x then x else [ x ];

  # ---- options --------------------------------------------------------

  moduleList =
    if repo.modules ? default then
      [ repo.modules.default ]
    else
      lib.attrValues repo.modules;

  evaluated = repo.evalModules { modules = moduleList; };

  # Where an option is declared: file and line from the module system's
  # declarationPositions (files only when a module was generated).
  declarationsOf =
    opt:
    let
      positions =
        opt.declarationPositions or (map (file: {
          inherit file;
          line = null;
        }) opt.declarations);
    in
    # Files outside the repository are left out: a migration helper's stub
    # (mkRemovedOptionModule) is declared inside nixpkgs' lib, whose path
    # on the evaluating machine means nothing to a reader.
    filter (d: !(lib.hasPrefix "/" d.name)) (
      map (pos: {
        name = relative pos.file;
        line = pos.line or null;
      }) (filter (pos: pos.file != "<unknown-file>") positions)
    );

  # Nix 2.8 shows addErrorContext only with --show-trace, so an option whose
  # documentation throws also gets a trace line naming it, before the
  # original error is raised again. (Errors tryEval cannot catch, like a
  # missing attribute, already point at the module's file and line.)
  withOptionContext =
    name: opt: doc:
    let
      attempt = builtins.tryEval (builtins.deepSeq doc doc);
      where = lib.concatMapStringsSep ", " (d: "${d.name}:${toString d.line}") (declarationsOf opt);
    in
    if attempt.success then
      attempt.value
    else
      builtins.trace "atproto-nur docs export: option `${name}' (${where}) does not evaluate; a default that needs a real package set must come with defaultText" doc;

  # Types with an empty value (lists, attrsets) document it as the default,
  # except submodules, whose sub-options are documented one by one.
  hasEmptyValueDefault =
    opt:
    ((opt.type or { }).emptyValue or { }) ? value && (opt.type or { }).getSubModules or null == null;

  # Like lib.optionAttrSetToDocList (what nixosOptionsDoc uses), plus
  # declaration lines and kept internal/visible flags. The module system's
  # own `_module.*` options of submodules are machinery, not documentation.
  optionDocs =
    options:
    concatMap (
      opt:
      let
        name = showOption opt.loc;
        visible = opt.visible or true;
        doc = builtins.addErrorContext "while exporting option `${name}'" (
          {
            inherit (opt) loc;
            description = opt.description or null;
            declarations = declarationsOf opt;
            internal = opt.internal or false;
            visible = if isBool visible then visible else visible == "shallow";
            readOnly = opt.readOnly or false;
            type = opt.type.description or "unspecified";
          }
          // optionalAttrs (opt ? example) { example = lib.options.renderOptionValue opt.example; }
          //
            optionalAttrs
              (
                opt ? defaultText
                || opt ? default
                || hasEmptyValueDefault opt
              )
              {
                default = lib.options.renderOptionValue (
                  opt.defaultText or opt.default or opt.type.emptyValue.value
                );
              }
          // optionalAttrs (opt ? relatedPackages && opt.relatedPackages != null) {
            inherit (opt) relatedPackages;
          }
        );
        subOptions =
          let
            ss = opt.type.getSubOptions opt.loc;
          in
          if ss != { } then optionDocs ss else [ ];
        subOptionsVisible = if isBool visible then visible else visible == "transparent";
      in
      [
        {
          inherit name;
          value = withOptionContext name opt doc;
        }
      ]
      ++ optionals subOptionsVisible subOptions
    ) (filter (opt: !(lib.elem "_module" opt.loc)) (collect isOption options));

  options = lib.listToAttrs (optionDocs (evaluated.options.services.atproto or { }));

  # services.atproto.<app>.package defaulting to pkgs.atproto.<attr> ties
  # package <attr> to module prefix services.atproto.<app>.
  packageOption =
    name: opt:
    let
      text = opt.default.text or null;
    in
    lib.length opt.loc == 4
    && lib.last opt.loc == "package"
    && (opt.default._type or null) == "literalExpression"
    && isString text
    && hasPrefix "pkgs.atproto." text;

  moduleOfPackage = lib.listToAttrs (
    lib.mapAttrsToList (name: opt: {
      name = removePrefix "pkgs.atproto." opt.default.text;
      value = showOption (lib.init opt.loc);
    }) (lib.filterAttrs packageOption options)
  );

  packageOfModule = lib.listToAttrs (
    lib.mapAttrsToList (attr: prefix: {
      name = prefix;
      value = attr;
    }) moduleOfPackage
  );

  # Why a module's program has no package yet (nix/pkgs/_unpackaged.nix).
  unpackagedReasons = import ../pkgs/_unpackaged.nix;

  modules = mapAttrs (
    name: value:
    let
      prefix = "services.atproto.${name}";
      package = packageOfModule.${prefix} or null;
    in
    {
      file = if lib.isPath value || isString value then relative value else null;
      optionPrefix = prefix;
      inherit package;
      unpackaged =
        if package != null && !(repo.packages ? ${package}) then unpackagedReasons.${package} or null else null;
    }
  ) (removeAttrs repo.modules [ "default" ]);

  # ---- packages -------------------------------------------------------

  licenseDoc =
    l:
    if isString l then
      {
        spdxId = null;
        fullName = l;
        url = null;
        free = null;
      }
    else
      {
        spdxId = l.spdxId or null;
        fullName = l.fullName or l.shortName or null;
        url = l.url or null;
        free = l.free or true;
      };

  maintainerDoc = m: {
    name = m.name or m.github or null;
    github = m.github or null;
    email = m.email or null;
  };

  packageDoc =
    attr: p:
    let
      meta = p.meta or { };
      atproto = p.passthru.atproto or { };
      src = p.src or { };
      homepage = meta.homepage or null;
    in
    builtins.addErrorContext "while exporting package `${attr}' (nix/pkgs/${attr}/package.nix)" {
      inherit attr;
      pname = p.pname or null;
      version = p.version or null;
      name = p.name or null;
      description = meta.description or null;
      longDescription = meta.longDescription or "";
      homepage = if isList homepage then lib.head homepage else homepage;
      changelog = meta.changelog or null;
      license = map licenseDoc (toList (meta.license or [ ]));
      platforms = map (pl: if isString pl then pl else builtins.toJSON pl) (meta.platforms or [ ]);
      mainProgram = meta.mainProgram or null;
      maintainers = map maintainerDoc (meta.maintainers or [ ]);
      knownVulnerabilities = meta.knownVulnerabilities or [ ];
      broken = meta.broken or false;
      position = if meta.position or null == null then null else relative meta.position;
      module = moduleOfPackage.${attr} or atproto.module or null;
      language = atproto.language or null;
      upstream = atproto.upstream or null;
      src = {
        url = src.url or null;
        rev = src.tag or src.rev or null;
        hash = src.outputHash or src.hash or null;
      };
    };

  packages = mapAttrs packageDoc repo.packages;

  # ---- templates ------------------------------------------------------

  templates = mapAttrs (_: t: {
    path = relative t.path;
    inherit (t) description;
  }) repo.templates;
in
{
  meta = {
    schemaVersion = 1;
    generatedBy = "atproto-nur nix/docs";
    # --argstr revision "" (how callers without a revision still make
    # nix-instantiate call this function) means unknown.
    revision = if revision == "" then null else revision;
    nixpkgsLibVersion = lib.version;
  };
  inherit
    options
    packages
    modules
    templates
    ;
}
