{
  lib,
  atprotoLib,
  fetchFromGitHub,
  pkg-config,
  openssl,
}:

atprotoLib.buildRustApplication {
  pname = "allegedly";
  version = "0.3.2";

  # 0.3.1 and 0.3.2 were released on the default branch without git tags (the
  # newest tag is v0.3.0); this is the commit that set version 0.3.2 in
  # Cargo.toml.
  src = fetchFromGitHub {
    owner = "at-microcosm";
    repo = "allegedly";
    rev = "0a986b17d3ed8f3c0f0e115199f938e41edca1bf";
    hash = "sha256-0dpC2YLneoj9ylb+jkzzhvKH4ZbbBpLy0326pOeS2Qs=";
  };

  # 0.3.2 refuses to start unless the wrapped did-method-plc database holds
  # exactly the four migrations it knows; current did-method-plc has two more
  # (an admin_logs table; a nullable `seq` column on operations that the PLC
  # server's sequencer fills). Neither touches what allegedly writes (the
  # five operation columns, dids) nor the two indexes its backfill rebuilds,
  # so the patch accepts the four followed by those two known ones, in
  # order, and still stops on any other list. No newer upstream revision.
  patches = [ ./accept-plc-sequencing-migrations.patch ];

  # Upstream's Cargo.lock at that commit, unchanged; no git dependencies.
  cargoLock.lockFile = ./Cargo.lock;

  # src/bin/backfill.rs and src/bin/mirror.rs are modules of the `allegedly`
  # program that Cargo also discovers as stand-alone binaries; install only
  # the real entry point.
  binaries = [ "allegedly" ];

  # native-tls (reqwest, postgres-native-tls) links the system OpenSSL.
  nativeBuildInputs = [ pkg-config ];
  buildInputs = [ openssl ];

  # The clap parser has no `version` attribute: there is no --version flag.
  versionCheck = null;

  meta = {
    description = "Tools and mirror server for the did:plc public ledger (PLC directory)";
    longDescription = ''
      allegedly works with the PLC directory that resolves `did:plc`
      identities for the AT Protocol. Subcommands:

      - `tail`: poll an upstream PLC server and print new operations;
      - `bundle`: export operations into weekly gzipped bundles;
      - `backfill`: load bundled operations quickly (to stdout or to
        PostgreSQL with `--to-postgres`);
      - `mirror`: run in front of a reference PLC server (did-method-plc)
        and its PostgreSQL database, copying operations from upstream and
        serving reads, optionally forwarding writes upstream;
      - `wrap`: reverse-proxy any PLC server without syncing.

      The server modes can terminate TLS themselves with ACME certificates.

      This package carries one patch: upstream 0.3.2 accepts only the four
      did-method-plc database migrations it was written against, and the
      patch also accepts the two did-method-plc added later (admin logs,
      operation sequencing), so `mirror` and `backfill --to-postgres` work
      with a current PLC server's database.
      Every flag also has an `ALLEGEDLY_*` environment variable (for
      example `ALLEGEDLY_UPSTREAM`, `ALLEGEDLY_BIND`, `ALLEGEDLY_WRAP`,
      `ALLEGEDLY_WRAP_PG`), which keeps database passwords out of the
      process list.
    '';
    homepage = "https://github.com/at-microcosm/allegedly";
    # No changelog upstream; the commit history up to the pinned revision.
    changelog = "https://github.com/at-microcosm/allegedly/commits/0a986b17d3ed8f3c0f0e115199f938e41edca1bf";
    # Cargo.toml: license = "MIT OR Apache-2.0"; LICENSE.MIT, LICENSE.Apache-2.0.
    license = with lib.licenses; [
      mit
      asl20
    ];
    mainProgram = "allegedly";
    platforms = lib.platforms.linux;
  };
}
