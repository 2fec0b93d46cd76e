{
  lib,
  atprotoLib,
  fetchFromGitHub,
  # Build the labeler relay instead of the repository relay: upstream's
  # `labeler` Cargo feature, which yields the `rsky-relay-labeler` binary.
  withLabeler ? false,
}:

let
  source = import ../_sources/rsky.nix { inherit fetchFromGitHub; };
  program = if withLabeler then "rsky-relay-labeler" else "rsky-relay";
in
atprotoLib.buildRustApplication {
  pname = "rsky-relay";
  inherit (source) version src cargoLock patches;

  # One crate of the rsky workspace. Both of its binaries come from the same
  # main.rs; the `labeler` feature switches the whole crate into labeler mode.
  cargoBuildFlags = [
    "-p"
    "rsky-relay"
  ];
  buildFeatures = lib.optional withLabeler "labeler";
  binaries = [ program ];

  # No system libraries: TLS is rustls, SQLite is compiled in (rusqlite's
  # `bundled` feature), fjall is pure Rust and mimalloc is built by cc.

  # clap parser without a `version` attribute: there is no --version flag.
  versionCheck = null;

  meta = {
    description = "AT Protocol relay (firehose aggregator) written in Rust, from Blacksky's rsky";
    longDescription = ''
      rsky-relay crawls PDS hosts, validates their `com.atproto.sync.subscribeRepos`
      streams and re-serves one aggregated firehose to consumers. It keeps
      its host list and PLC mirror in SQLite files (`relay.db`,
      `plc_directory.db`) and its event backlog in a fjall store, all in the
      working directory, and writes a rotated JSON log (`rsky-relay.log`)
      there too. It listens on port 9000 (9001 for the labeler build);
      `-c`/`-p` give a TLS certificate and key, `--no-plc-export` skips the
      initial PLC directory export. Environment: `RELAY_ADMIN_PASSWORD`,
      `RELAY_METRICS_LISTEN` (Prometheus listener address),
      `RELAY_DISCOVERY_UPSTREAMS`, `RELAY_LENIENT_VALIDATION`.

      Package parameter: `withLabeler` (default `false`) builds the labeler
      relay (Cargo feature `labeler`, program `rsky-relay-labeler`), which
      aggregates label streams instead of repository streams.

      Built from a snapshot of the rsky workspace's default branch (rsky has
      no release tags).
    '';
    homepage = source.homepageOf "rsky-relay";
    changelog = source.changelogOf "rsky-relay";
    # LICENSE at the workspace root: Apache License 2.0.
    license = lib.licenses.asl20;
    mainProgram = program;
    platforms = lib.platforms.linux;
  };
}
