{
  lib,
  atprotoLib,
  fetchFromGitHub,
  pkg-config,
  openssl,
  libpq,
}:

let
  source = import ../_sources/rsky.nix { inherit fetchFromGitHub; };
in
atprotoLib.buildRustApplication {
  pname = "rsky-feedgen";
  inherit (source) version src cargoLock patches;

  # One crate of the rsky workspace.
  cargoBuildFlags = [
    "-p"
    "rsky-feedgen"
  ];
  binaries = [ "rsky-feedgen" ];

  # Diesel's PostgreSQL backend links libpq (pq-sys); reqwest's default TLS
  # backend links OpenSSL.
  nativeBuildInputs = [ pkg-config ];
  buildInputs = [
    openssl
    libpq
  ];
  # pq-sys otherwise looks for pg_config, which libpq's main output lacks.
  env.PQ_LIB_DIR = "${lib.getLib libpq}/lib";

  # The program applies no migrations: the module does, from here, before
  # each start (as Diesel's CLI would, recording them the same way).
  postInstall = ''
    mkdir -p $out/share/rsky-feedgen
    cp -r rsky-feedgen/migrations $out/share/rsky-feedgen/
  '';

  # The server starts on launch and has no --version flag.
  versionCheck = null;

  meta = {
    description = "AT Protocol feed generator framework and server in Rust, from Blacksky's rsky";
    longDescription = ''
      rsky-feedgen serves custom Bluesky feeds (`app.bsky.feed.getFeedSkeleton`)
      from a PostgreSQL database. A firehose subscriber (rsky-firehose) sends
      it the records to index through an API guarded by `RSKY_API_KEY`.
      It is a Rocket server configured through environment variables:
      `DATABASE_URL` (and optional read replicas `READ_REPLICA_URL_1`,
      `READ_REPLICA_URL_2`), `FEEDGEN_HOSTNAME`, `FEEDGEN_SERVICE_DID`, plus
      Rocket's `ROCKET_ADDRESS` and `ROCKET_PORT`. The database schema is
      defined by the Diesel migrations in upstream's `rsky-feedgen/migrations`.

      Built from a snapshot of the rsky workspace's default branch (rsky has
      no release tags).
    '';
    homepage = source.homepageOf "rsky-feedgen";
    changelog = source.changelogOf "rsky-feedgen";
    # LICENSE at the workspace root: Apache License 2.0.
    license = lib.licenses.asl20;
    mainProgram = "rsky-feedgen";
    platforms = lib.platforms.linux;
    # RustSec advisories (advisory-db as of 2026-08-21) against the crates
    # rsky-feedgen itself depends on, kept where the affected code is used:
    # records from the ingest API are written through Diesel's PostgreSQL
    # backend. (Its COPY and SQLite advisories do not apply: unused here.)
    knownVulnerabilities = [
      "RUSTSEC-2024-0365 (diesel 2.2.0: oversized values overflow PostgreSQL protocol length prefixes; fixed in 2.2.3)"
    ];
  };
}
