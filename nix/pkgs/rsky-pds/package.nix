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
  pname = "rsky-pds";
  inherit (source) version src cargoLock patches;

  # One crate of the rsky workspace.
  cargoBuildFlags = [
    "-p"
    "rsky-pds"
  ];
  binaries = [ "rsky-pds" ];

  # reqwest's default TLS backend (native-tls) links the system OpenSSL;
  # SQLite is compiled in (rusqlite's `bundled` feature).
  nativeBuildInputs = [ pkg-config ];
  buildInputs = [ openssl ];

  # The server starts on launch and has no --version flag; the NixOS module's
  # VM test is the runtime check.
  versionCheck = null;

  meta = {
    description = "AT Protocol Personal Data Server (PDS) written in Rust, from Blacksky's rsky";
    longDescription = ''
      rsky-pds hosts AT Protocol accounts (signed data repositories, blobs,
      OAuth sessions and the event stream relays crawl). It is Blacksky's
      Rust implementation of the PDS, built on Rocket.

      All state lives in SQLite databases under `PDS_DATA_DIRECTORY`
      (accounts, sequencer, DID cache and one database per account); no
      external database server is needed. Blobs go to local disk
      (`PDS_BLOBSTORE_DISK_LOCATION`) or to S3 (`PDS_BLOBSTORE_S3_BUCKET`).
      It is configured through `PDS_*` environment variables; the listen
      address and port come from Rocket's `ROCKET_ADDRESS` and `ROCKET_PORT`.

      Built from a snapshot of the rsky workspace's default branch (rsky has
      no release tags).
    '';
    homepage = source.homepageOf "rsky-pds";
    changelog = source.changelogOf "rsky-pds";
    # LICENSE at the workspace root: Apache License 2.0.
    license = lib.licenses.asl20;
    mainProgram = "rsky-pds";
    platforms = lib.platforms.linux;
  };
}
