{
  lib,
  atprotoLib,
  fetchFromGitHub,
  pkg-config,
  openssl,
}:

let
  source = import ../_sources/rsky.nix { inherit fetchFromGitHub; };
in
atprotoLib.buildRustApplication {
  pname = "rsky-firehose";
  inherit (source) version src cargoLock patches;

  # One crate of the rsky workspace.
  cargoBuildFlags = [
    "-p"
    "rsky-firehose"
  ];
  binaries = [ "rsky-firehose" ];

  # tokio-tungstenite's `native-tls` feature and reqwest 0.11's default TLS
  # backend link OpenSSL.
  nativeBuildInputs = [ pkg-config ];
  buildInputs = [ openssl ];

  # It connects on launch and has no --version flag.
  versionCheck = null;

  meta = {
    description = "AT Protocol firehose subscriber that feeds rsky-feedgen, from Blacksky's rsky";
    longDescription = ''
      rsky-firehose reads a relay's `com.atproto.sync.subscribeRepos` stream
      (or a labeler's `com.atproto.label.subscribeLabels`) and sends the
      posts, likes and follows created or deleted in it, in batches, to
      rsky-feedgen's `/queue` API, which indexes them into PostgreSQL; every
      20th sequence number it stores the cursor there too. It listens on
      nothing. Environment: `FEEDGEN_SUBSCRIPTION_PATH` (the relay's base URL,
      `wss://` or `ws://`; default `wss://bsky.network`),
      `FEEDGEN_SUBSCRIPTION_ENDPOINT`, `FEEDGEN_SUBSCRIPTION_CURSOR`,
      `FEEDGEN_QUEUE_ENDPOINT` (rsky-feedgen's base URL) and `RSKY_API_KEY`
      (the feed generator's API key, sent as `X-RSKY-KEY`).

      Built from a snapshot of the rsky workspace's default branch (rsky has
      no release tags).
    '';
    homepage = source.homepageOf "rsky-firehose";
    changelog = source.changelogOf "rsky-firehose";
    # LICENSE at the workspace root: Apache License 2.0.
    license = lib.licenses.asl20;
    mainProgram = "rsky-firehose";
    platforms = lib.platforms.linux;
    # Its lock pins tungstenite 0.18, below the fix of RUSTSEC-2023-0065
    # (0.20.1); that advisory is about parsing a client's handshake, which
    # only a WebSocket server does: this program is only a client.
  };
}
