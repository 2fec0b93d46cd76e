# hydrant's Cargo features are package parameters; its copied Cargo.lock
# pins three forked git dependencies that all need outputHashes.
{ lib, repo }:
let
  helpers = import ./cargo-lock.nix { inherit lib; };
  specWith = helpers.specOf ../../pkgs/hydrant/package.nix;
  features = s: { inherit (s) buildNoDefaultFeatures buildFeatures; };
in
lib.runTests {
  testDefaultIsUpstreamIndexer = {
    expr = features (specWith { });
    expected = {
      buildNoDefaultFeatures = false;
      buildFeatures = [ ];
    };
  };
  testRelayDropsIndexerDefaults = {
    expr = features (specWith {
      mode = "relay";
      withJetstream = true;
    });
    expected = {
      buildNoDefaultFeatures = true;
      buildFeatures = [
        "relay"
        "jetstream"
      ];
    };
  };
  testIndexerExtras = {
    expr = features (specWith {
      withBacklinks = true;
      withJetstream = true;
      withFirehoseDiagnostics = true;
    });
    expected = {
      buildNoDefaultFeatures = false;
      buildFeatures = [
        "backlinks"
        "jetstream"
        "firehose-diagnostics"
      ];
    };
  };
  testGitDependenciesHashed = {
    expr = helpers.lockProblems (specWith { });
    expected = [ ];
  };
  testThreeGitRepositories = {
    expr = lib.length (
      lib.unique (map helpers.lockedRev (helpers.gitPackages ../../pkgs/hydrant/Cargo.lock))
    );
    expected = 3;
  };
  testOnlyTheServerIsInstalled = {
    expr = repo.packages.hydrant.binaries;
    expected = [ "hydrant" ];
  };
}
