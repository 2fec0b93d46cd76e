# The docs export (nix/docs/default.nix) covers every package, module and
# template of the repository, in the shape nix/docs/README.md specifies.
{ lib, repo }:
let
  d = repo.docs;
  packageKeys = [
    "attr"
    "broken"
    "changelog"
    "description"
    "homepage"
    "knownVulnerabilities"
    "language"
    "license"
    "longDescription"
    "mainProgram"
    "maintainers"
    "module"
    "name"
    "platforms"
    "pname"
    "position"
    "src"
    "upstream"
    "version"
  ];
  optionKeys = [
    "declarations"
    "description"
    "internal"
    "loc"
    "readOnly"
    "type"
    "visible"
  ];
  modules = removeAttrs repo.modules [ "default" ];
  isRelative = s: lib.isString s && !lib.hasPrefix "/" s;
  bad = pred: lib.attrNames (lib.filterAttrs (_: v: !(pred v)) d.options);
  badPackages = pred: lib.attrNames (lib.filterAttrs (_: v: !(pred v)) d.packages);
in
lib.runTests {
  testEveryPackage = {
    expr = lib.attrNames d.packages;
    expected = lib.attrNames repo.packageFiles;
  };

  testPackageShape = {
    expr = badPackages (p: lib.attrNames p == packageKeys);
    expected = [ ];
  };

  testPackagePositionsRelative = {
    expr = badPackages (p: p.position == null || isRelative p.position && lib.hasPrefix "nix/pkgs/" p.position);
    expected = [ ];
  };

  testLicensesHaveSpdx = {
    expr = badPackages (p: p.license != [ ] && lib.all (l: l.spdxId != null && l ? free) p.license);
    expected = [ ];
  };

  testLanguages = {
    expr = badPackages (p: lib.elem p.language [ "go" "rust" "node" "shell" ]);
    expected = [ ];
  };

  testEveryModuleHasOptions = {
    expr = lib.filter (
      m: !(lib.any (lib.hasPrefix "services.atproto.${m}.") (lib.attrNames d.options))
    ) (lib.attrNames modules);
    expected = [ ];
  };

  testModulesListed = {
    expr = lib.attrNames d.modules;
    expected = lib.attrNames modules;
  };

  testOnlyOurOptions = {
    expr = bad (o: lib.take 2 o.loc == [ "services" "atproto" ] && !(lib.elem "_module" o.loc));
    expected = [ ];
  };

  testOptionShape = {
    expr = bad (o: lib.all (k: o ? ${k}) optionKeys);
    expected = [ ];
  };

  testDeclarationsRelative = {
    expr = bad (o: o.declarations != [ ] && lib.all (x: isRelative x.name && lib.hasPrefix "nix/" x.name) o.declarations);
    expected = [ ];
  };

  testDefaultsRendered = {
    expr = bad (o: !(o ? default) || lib.elem (o.default._type or null) [ "literalExpression" "literalMD" ]);
    expected = [ ];
  };

  # A module's package option ties it to the package, both ways. (A module
  # whose package folder has not landed yet is the module tests' concern.)
  testPackageModuleLinks = {
    expr = lib.filter (
      m:
      m.package != null && d.packages ? ${m.package} && d.packages.${m.package}.module != m.optionPrefix
    ) (lib.attrValues d.modules);
    expected = [ ];
  };

  testTemplates = {
    expr = lib.mapAttrs (_: t: t.path) d.templates;
    expected = lib.mapAttrs (name: _: "nix/templates/${name}") repo.templates;
  };

  testTemplatesDescribed = {
    expr = lib.filter (t: !(lib.isString t.description && t.description != "")) (lib.attrValues d.templates);
    expected = [ ];
  };

  # Everything is plain data: JSON round-trips unchanged.
  testJSONRoundTrip = {
    expr = builtins.fromJSON (builtins.toJSON d) == d;
    expected = true;
  };

  testMeta = {
    expr = {
      inherit (d.meta) schemaVersion generatedBy revision;
      emptyRevision = (import ../../docs { inherit lib; revision = ""; }).meta.revision;
    };
    expected = {
      schemaVersion = 1;
      generatedBy = "atproto-nur nix/docs";
      revision = null;
      emptyRevision = null;
    };
  };
}
