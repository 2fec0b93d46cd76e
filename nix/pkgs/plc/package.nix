{
  lib,
  atprotoLib,
  fetchFromGitHub,
}:

atprotoLib.buildNodeApplication {
  pname = "plc";
  # did-method-plc publishes no releases or tags; this is the head of main.
  version = "0-unstable-2026-01-19";

  src = fetchFromGitHub {
    owner = "did-method-plc";
    repo = "did-method-plc";
    rev = "cc1bd183da1d4fb3649467eaf9c18afa1ba73f39";
    hash = "sha256-e80DOY2jTEVJ2auXgEwam5KsMU0K556FfWDhEsUEVgk=";
  };

  # A yarn v1 workspace (packages/lib and packages/server) with one root
  # yarn.lock. packages/server/service has a second lockfile, but it only adds
  # the Datadog tracer for Bluesky's own deployment and is not used here.
  packageManager = "yarn";
  # fetchYarnDeps over the root yarn.lock: the 1135 registry tarballs plus the
  # lockfile itself, NAR-hashed (see the commit message for the recipe).
  depsHash = "sha256-Pbu/BdI/zqTxN9ktmTy39C4J39SNkVpEci+TovC3lOM=";
  # The root `build` script runs `lerna run build` over the workspace: esbuild
  # bundles packages/lib and packages/server into their dist/ folders, then
  # tsc emits the type declarations. The builder runs postBuild after the
  # offline install.
  postBuild = ''
    yarn --offline build
  '';

  # src/bin.ts: migrates the database named by DATABASE_URL, runs the
  # sequencer and serves the directory on PORT (default 2582).
  entryPoints = {
    plc = "packages/server/dist/bin.js";
  };

  # The server has no --version flag; it starts serving immediately.
  versionCheck = null;

  meta = {
    description = "Directory server for the did:plc DID method used by AT Protocol identities";
    longDescription = ''
      The reference implementation of the PLC ("Public Ledger of
      Credentials") directory: it validates signed `did:plc` operations,
      keeps the per-DID operation log in PostgreSQL and serves DID documents,
      audit logs and the `/export` stream. This is the software behind
      `plc.directory`; run it for a private AT Protocol network or tests.

      Configuration is read from the environment: `DATABASE_URL`
      (PostgreSQL; without it an in-memory mock database is used),
      `PORT` (default 2582) and `ADMIN_SECRET`. Migrations run at start-up.

      Unversioned upstream: the package follows the default branch.
    '';
    homepage = "https://web.plc.directory";
    # LICENSE: MIT or Apache-2.0, at the user's option.
    license = with lib.licenses; [
      mit
      asl20
    ];
    mainProgram = "plc";
    platforms = lib.platforms.linux;
    # Runtime dependencies pinned by yarn.lock at this revision (esbuild
    # bundles them into packages/server/dist).
    knownVulnerabilities = [
      "CVE-2025-62718, CVE-2025-27152, CVE-2024-39338 (axios 1.3.4)"
      "CVE-2024-43796, CVE-2024-29041 (express 4.18.2)"
      "CVE-2024-45590 (body-parser 1.20.1)"
      "CVE-2024-45296 (path-to-regexp 0.1.7)"
      "CVE-2024-28849 (follow-redirects 1.15.2)"
      "CVE-2025-7783 (form-data 4.0.0)"
      "CVE-2025-15284 (qs 6.11.0)"
    ];
  };
}
