# plc: an unreleased upstream, so the pin is a commit; check it is one and
# that the hash recorded for it moves with it.
{ lib, repo }:
let
  plc = repo.packages.plc;

  # Source hashes recorded per pinned commit (git archive + nix-hash).
  srcHashes = {
    "cc1bd183da1d4fb3649467eaf9c18afa1ba73f39" = "sha256-e80DOY2jTEVJ2auXgEwam5KsMU0K556FfWDhEsUEVgk=";
  };

  advisoryId = s: builtins.match "(CVE-[0-9]{4}-[0-9]+|GHSA(-[0-9a-z]{4}){3}).*" s != null;
in
lib.runTests {
  testVersionIsUnstableWithADate = {
    expr = builtins.match "0-unstable-[0-9]{4}-[0-9]{2}-[0-9]{2}" plc.version != null;
    expected = true;
  };

  testPinnedToAFullCommitNotABranch = {
    expr = builtins.match "[0-9a-f]{40}" (plc.src.rev or "") != null;
    expected = true;
  };

  testSourceHashBelongsToThisCommit = {
    expr =
      if srcHashes ? ${plc.src.rev} then
        plc.src.hash == srcHashes.${plc.src.rev}
      else
        !(lib.elem plc.src.hash (lib.attrValues srcHashes));
    expected = true;
  };

  testRunsTheBundledServer = {
    expr = {
      inherit (plc) entryPoints packageManager;
      mainProgram = plc.meta.mainProgram;
    };
    expected = {
      entryPoints.plc = "packages/server/dist/bin.js";
      packageManager = "yarn";
      mainProgram = "plc";
    };
  };

  testEveryKnownVulnerabilityNamesAnAdvisory = {
    expr = lib.filter (v: !advisoryId v) plc.meta.knownVulnerabilities;
    expected = [ ];
  };
}
