# The flake's nurdocs and docs packages (nix/docs/nurdocs.nix, site.nix),
# evaluated with recording stand-ins for buildGoModule and runCommand: what
# they would build from, and with which hash and command.
{ lib, repo }:
let
  root = toString repo.rootPath;
  nurdocs = import ../../docs/nurdocs.nix {
    inherit lib;
    buildGoModule = attrs: attrs // { builtWith = "buildGoModule"; };
    version = "0-unstable-19700101";
  };
  site = import ../../docs/site.nix {
    inherit lib;
    runCommand = name: env: script: { inherit name env script; };
    nurdocs = {
      type = "derivation";
      name = "nurdocs";
      outPath = "/recorded/nurdocs";
    };
    docsData = repo.docs;
    revision = "abc123";
    baseUrl = "/atproto-nur/";
  };
  inSource = src: rel: type: src.filter "${root}/${rel}" type;
  has = needle: haystack: lib.hasInfix needle (builtins.unsafeDiscardStringContext haystack);
in
lib.runTests {
  testNurdocsBuild = {
    expr = {
      inherit (nurdocs) pname subPackages builtWith;
      inherit (nurdocs.meta) mainProgram;
      vendorHashIsSRI = lib.hasPrefix "sha256-" nurdocs.vendorHash;
    };
    expected = {
      pname = "nurdocs";
      subPackages = [ "cmd/nurdocs" ];
      builtWith = "buildGoModule";
      mainProgram = "nurdocs";
      vendorHashIsSRI = true;
    };
  };

  # The Go build sees go.mod and the Go folders, not nix/ or content/.
  testNurdocsSource = {
    expr = map (rel: inSource nurdocs.src rel "regular") [
      "go.mod"
      "go.sum"
      "cmd/nurdocs/main.go"
      "indexer/document.go"
      "nix/default.nix"
      "content/index.md"
      "README.md"
    ];
    expected = [
      true
      true
      true
      true
      false
      false
      false
    ];
  };

  # The site build sees the guides and theme; Nix data comes as JSON.
  testSiteSource = {
    expr = map (rel: inSource site.env.sources rel "regular") [
      "content/index.md"
      "themes/default/page.html"
      "nix/default.nix"
      "go.mod"
    ];
    expected = [
      true
      true
      false
      false
    ];
  };

  testSiteCommand = {
    expr = {
      copies = has "cp -r --no-preserve=mode \"$sources\" repo" site.script;
      snapshot = has "cp \"$docsJSONPath\" repo/site/data/atproto.json" site.script;
      build = has "nurdocs build --repo repo --source snapshot" site.script;
      baseUrl = has "--base-url /atproto-nur/" site.script;
      revision = has "--revision abc123" site.script;
    };
    expected = {
      copies = true;
      snapshot = true;
      build = true;
      baseUrl = true;
      revision = true;
    };
  };

  # The data handed to the build is the docs export itself.
  testSiteData = {
    expr = builtins.fromJSON site.env.docsJSON == repo.docs;
    expected = true;
  };
}
