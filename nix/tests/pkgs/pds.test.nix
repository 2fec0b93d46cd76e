# pds: facts about the pin that a metadata evaluation can check and that a
# version bump is likely to get wrong.
{ lib, repo }:
let
  pds = repo.packages.pds;

  # Source hashes recorded per pinned version (git archive + nix-hash, equal
  # to nixpkgs' bluesky-pds for the same tag). A bump must add its own entry:
  # a new version still carrying an old hash is a stale pin.
  srcHashes = {
    "0.4.208" = "sha256-/porufe1XVtjEFMOv40+1G1n5WgaAJIvOv/KWkKgxuQ=";
  };

  advisoryId = s: builtins.match "(CVE-[0-9]{4}-[0-9]+|GHSA(-[0-9a-z]{4}){3}).*" s != null;
in
lib.runTests {
  testSourceIsTheReleaseTag = {
    expr = pds.src.tag or null;
    expected = "v${pds.version}";
  };

  testSourceHashBelongsToThisVersion = {
    expr =
      if srcHashes ? ${pds.version} then
        pds.src.hash == srcHashes.${pds.version}
      else
        !(lib.elem pds.src.hash (lib.attrValues srcHashes));
    expected = true;
  };

  testBuildsTheServiceFolderEntryPoint = {
    expr = {
      inherit (pds) entryPoints packageManager;
      rebuildsSqlite = lib.elem "better-sqlite3" pds.nativeModules;
    };
    expected = {
      entryPoints.pds = "index.js";
      packageManager = "pnpm";
      rebuildsSqlite = true;
    };
  };

  testModuleItNamesExists = {
    expr = pds.passthru.atproto.module;
    expected = if repo.modules ? pds then "services.atproto.pds" else null;
  };

  testEveryKnownVulnerabilityNamesAnAdvisory = {
    expr = lib.filter (v: !advisoryId v) pds.meta.knownVulnerabilities;
    expected = [ ];
  };
}
