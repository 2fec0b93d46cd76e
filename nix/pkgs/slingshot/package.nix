{
  lib,
  atprotoLib,
  fetchFromGitHub,
  cmake,
  openssl,
  pkg-config,
  rustPlatform,
}:

let
  microcosm = import ../_sources/microcosm.nix { inherit fetchFromGitHub; };
  crate = microcosm.crate { inherit cmake openssl pkg-config rustPlatform; };
in
atprotoLib.buildRustApplication (
  crate {
    pname = "slingshot";

    meta = {
      description = "Edge cache for AT Protocol records and identities, fed by the firehose";
      longDescription = ''
        slingshot, from microcosm, is an edge cache for AT Protocol records and
        identities. It pre-caches every record it sees on a Jetstream and keeps
        the records and identities clients ask for in memory and on disk, and
        answers `com.atproto.repo.getRecord`, identity resolution and related
        XRPC queries from there.

        Configuration is by flags or their `SLINGSHOT_*` environment variables:
        `SLINGSHOT_JETSTREAM` (a `wss://` URL or a region shorthand such as
        `us-east-1`) and `SLINGSHOT_CACHE_DIR` are required; `SLINGSHOT_BIND`
        (default `0.0.0.0:8080`), the memory and disk sizes of the record and
        identity caches, Prometheus metrics (`SLINGSHOT_COLLECT_METRICS`,
        `SLINGSHOT_BIND_METRICS`) and a healthcheck URL pinged about every
        minute are optional. With `SLINGSHOT_ACME_DOMAIN` it serves HTTPS
        itself with a Let's Encrypt certificate (kept under
        `SLINGSHOT_ACME_CACHE_PATH`) and a did:web document, instead of
        listening on `SLINGSHOT_BIND`.
      '';
      homepage = microcosm.homepageOf "slingshot";
      changelog = microcosm.changelogOf "slingshot";
      # slingshot/LICENSE.MIT and slingshot/LICENSE.Apache-2.0.
      license = with lib.licenses; [
        mit
        asl20
      ];
      mainProgram = "slingshot";
      platforms = lib.platforms.linux;
    };
  }
)
