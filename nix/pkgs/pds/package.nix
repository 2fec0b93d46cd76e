{
  lib,
  atprotoLib,
  fetchFromGitHub,
  nodejs_22,
  pnpm_9,
}:

let
  version = "0.4.208";
in
atprotoLib.buildNodeApplication {
  pname = "pds";
  inherit version;

  src = fetchFromGitHub {
    owner = "bluesky-social";
    repo = "pds";
    tag = "v${version}";
    hash = "sha256-/porufe1XVtjEFMOv40+1G1n5WgaAJIvOv/KWkKgxuQ=";
  };
  # The repository root holds the installer and docs; the service itself is
  # a tiny pnpm project depending on @atproto/pds.
  sourceRoot = "service";

  packageManager = "pnpm";
  # fetchPnpmDeps output as computed by nixpkgs for this same version
  # (pkgs/by-name/bl/bluesky-pds, pnpm_9, fetcherVersion 3). The store layout,
  # and so the hash, depends on the pnpm major version: keep pnpm_9.
  depsHash = "sha256-TZ+lUdICkLZfHPvU1qEUeB3wasBKJpGo2lMk4eeyjas=";
  pnpmFetcherVersion = 3;
  pnpm = pnpm_9;

  # better-sqlite3 10.1.0 does not build against newer Node majors; upstream's
  # container uses Node 20, nixpkgs settled on 22.
  nodejs = nodejs_22;
  # The only native addon in the 0.4.208 lockfile (sharp left @atproto/pds's
  # dependency tree before this release).
  nativeModules = [ "better-sqlite3" ];

  entryPoints = {
    pds = "index.js";
  };

  passthru.atproto.module = "services.atproto.pds";

  # index.js starts the server unconditionally and has no --version flag; the
  # NixOS module's VM test is the runtime check.
  versionCheck = null;

  meta = {
    description = "Bluesky's reference AT Protocol Personal Data Server (PDS)";
    longDescription = ''
      The PDS hosts AT Protocol accounts: their signed data repositories,
      blobs, OAuth sessions and the account's event stream, which relays crawl.
      This is the distribution published in `bluesky-social/pds`: a small
      entry point (`index.js`) around the `@atproto/pds` library, run with
      the packaged Node.js.

      It is configured entirely through `PDS_*` environment variables
      (hostname, data directory, JWT secret, PLC rotation key, SMTP URL,
      optional S3 blob storage); see `services.atproto.pds` for a typed
      module. Accounts are administered with `goat` (or `pdsadmin`).

      Native addon: `better-sqlite3` is compiled against the packaged Node.js
      at build time; no prebuilt binaries are downloaded.
    '';
    homepage = "https://github.com/bluesky-social/pds";
    changelog = "https://github.com/bluesky-social/atproto/blob/main/packages/pds/CHANGELOG.md";
    # LICENSE.txt: "MIT license ... or the Apache License, Version 2.0"
    license = with lib.licenses; [
      mit
      asl20
    ];
    mainProgram = "pds";
    platforms = lib.platforms.linux;
    # Versions pinned by service/pnpm-lock.yaml at v0.4.208; all are fixed in
    # the lockfile of v0.4.219 except nodemailer.
    knownVulnerabilities = [
      "CVE-2025-62718 (axios 1.13.5: fixed in 1.15.0)"
      "CVE-2026-40175 (axios 1.13.5: fixed in 1.15.0)"
      "CVE-2026-33937 (handlebars 4.7.8: fixed in 4.7.9)"
      "CVE-2026-25896 (fast-xml-parser 5.3.4: fixed in 5.3.5)"
      "CVE-2026-2391 (qs 6.14.1: fixed in 6.14.2)"
      "CVE-2025-13033 (nodemailer 6.10.1: fixed in 7.0.7)"
    ];
  };
}
