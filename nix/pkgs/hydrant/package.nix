{
  lib,
  atprotoLib,
  fetchFromGitHub,
  cmake,
  # "indexer" (upstream's default build: stores and serves records, with an
  # ordered event stream) or "relay" (re-serves `subscribeRepos`). Upstream's
  # `indexer` and `relay` Cargo features exclude each other.
  mode ? "indexer",
  # Cargo feature `backlinks`: reverse index of record references with the
  # `blue.microcosm.links.*` XRPC endpoints (indexer mode only).
  withBacklinks ? false,
  # Cargo feature `jetstream`: Jetstream-compatible `GET /subscribe` stream.
  withJetstream ? false,
  # Cargo feature `firehose-diagnostics`: in-process firehose counters in
  # the firehose management API, for debugging ingestion.
  withFirehoseDiagnostics ? false,
}:

assert lib.assertOneOf "mode" mode [
  "indexer"
  "relay"
];
assert lib.assertMsg (
  withBacklinks -> mode == "indexer"
) "hydrant: withBacklinks needs mode = \"indexer\"";

atprotoLib.buildRustApplication {
  pname = "hydrant";
  version = "0-unstable-2026-07-13";

  # No release tags upstream; default branch.
  src = fetchFromGitHub {
    owner = "90-008";
    repo = "hydrant";
    rev = "f5eb80790988904e013b129eebb0893eaee60ed9";
    hash = "sha256-+qM6pOnQY5z8gv1tY3xmNnhSH5OmEGkvhg7Pm/7D/ek=";
  };

  # Upstream's Cargo.lock at that revision, unchanged. Its git dependencies
  # are upstream forks; one hash per repository (rmp-serde shares rmp's).
  cargoLock = {
    lockFile = ./Cargo.lock;
    outputHashes = {
      # 90-008/fjall @ aee642660079ec0a0f70f2f1fb45b8fa71fa4322: value from
      # upstream's own default.nix, set in the commit that moved to this rev.
      "fjall-3.1.4" = "sha256-SgEFQFDWRO29oLux+KItmpGVIS82hwRY6PVOh+xf7Uc=";
      # 90-008/lsm-tree @ bff28391c95d708c68805188c36c6654cdb7d9cd: computed
      # here (git archive + nix-hash), equal to upstream's default.nix.
      "lsm-tree-3.1.4" = "sha256-6fhVvfuZQXeUIXmDAaHpEDLZwZsMTLCMNQAAac3/WkM=";
      # 90-008/msgpack-rust @ 19c54a922301d06310a816c3a6a097aeb73ea3ae:
      # value from upstream's own default.nix, set in commit 34489a4 right
      # after the lock moved to this rev (unchanged since).
      "rmp-0.8.15" = "sha256-0VATbSR2lGiCJ8Ww4a5pkOHSRUjoysnFonpKS/oMzgU=";
    };
  };

  # Upstream's .cargo/config.toml links with clang and the `wild` linker on
  # x86_64 Linux, neither of which the Nix build provides; upstream's own
  # Nix build leaves that file out of its source too.
  postPatch = ''
    rm .cargo/config.toml
  '';

  buildNoDefaultFeatures = mode == "relay";
  buildFeatures =
    lib.optional (mode == "relay") "relay"
    ++ lib.optional withBacklinks "backlinks"
    ++ lib.optional withJetstream "jetstream"
    ++ lib.optional withFirehoseDiagnostics "firehose-diagnostics";

  # Leave out the benchmark binaries (replay_bench, backfill_strategy_bench).
  binaries = [ "hydrant" ];

  # aws-lc-sys (rustls' crypto provider); upstream builds with cmake present.
  nativeBuildInputs = [ cmake ];

  # Configured only through HYDRANT_* environment variables; no --version flag.
  versionCheck = null;

  meta = {
    description = "Flexible AT Protocol indexer on the fjall database, with XRPC queries and a cursor-based event stream";
    longDescription = ''
      hydrant follows a relay's firehose, backfills repositories from their
      PDS and stores records in an embedded fjall database. It can index the
      whole network or only the accounts and collections selected by a
      filter (changeable at run time through `PATCH /filter`), answers
      `com.atproto.repo.getRecord`/`listRecords` over XRPC, and streams an
      ordered event log (`/stream`) that clients resume with a cursor.

      Configuration is through `HYDRANT_*` environment variables, for example
      `HYDRANT_DATABASE_PATH` (default `./hydrant.db`), `HYDRANT_RELAY_HOST`,
      `HYDRANT_PLC_URL`, `HYDRANT_FULL_NETWORK` and `HYDRANT_API_BIND`
      (default `0.0.0.0:3000,[::]:3000`).

      Package parameters (upstream Cargo features):

      - `mode` (default `"indexer"`): `"relay"` builds hydrant as a relay
        (feature `relay`) instead of an indexer (features `indexer`,
        `indexer_stream`).
      - `withBacklinks` (default `false`): backlinks index and
        `blue.microcosm.links.*` endpoints (feature `backlinks`; indexer
        mode only).
      - `withJetstream` (default `false`): Jetstream-compatible
        `GET /subscribe` websocket (feature `jetstream`).
      - `withFirehoseDiagnostics` (default `false`): firehose ingestion
        counters in the management API (feature `firehose-diagnostics`).
    '';
    homepage = "https://github.com/90-008/hydrant";
    # No changelog upstream; the commit history up to the pinned revision.
    changelog = "https://github.com/90-008/hydrant/commits/f5eb80790988904e013b129eebb0893eaee60ed9";
    # LICENSE: MIT License.
    license = lib.licenses.mit;
    mainProgram = "hydrant";
    platforms = lib.platforms.linux;
  };
}
