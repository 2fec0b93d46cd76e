{
  lib,
  atprotoLib,
  fetchFromGitHub,
}:

let
  indigo = import ../_sources/indigo.nix { inherit lib fetchFromGitHub; };
  # Newest tag of its own is tap-v0.1.10; the shared indigo pin is later.
  version = "0.1.10-unstable-${indigo.date}";
in
atprotoLib.buildGoApplication {
  pname = "tap";
  inherit version;
  inherit (indigo) src vendorHash updateScript;

  subPackages = [ "cmd/tap" ];

  # util.go builds the User-Agent from the same version string.
  postPatch = indigo.versionPatch {
    program = "tap";
    inherit version;
    files = [
      "main.go"
      "util.go"
    ];
  };

  # `tap --version` prints "tap version <version>" (urfave/cli).
  versionCheck = { };

  passthru.atproto.module = "services.atproto.tap";

  meta = {
    description = "AT Protocol sync utility delivering filtered, verified repository events as JSON";
    longDescription = ''
      Tap follows a relay firehose for the repositories and collections an
      application cares about, verifies repository structure, MST integrity
      and identity signatures, backfills a repository's full history from its
      PDS when it is added, and hands the application plain JSON events.
      Live events for a repository wait until its backfill is done.

      Events are delivered over a WebSocket with acknowledgements, as
      fire-and-forget messages, or to a webhook. State lives in SQLite
      (the default, `sqlite://./tap.db`; SQLite is compiled in) or
      PostgreSQL (`--db-url postgres://...`). Repositories can be selected
      by DID list, by collection (`--signal-collection`) or the whole
      network (`--full-network`). Every flag has a `TAP_*` environment
      variable; the HTTP API listens on `:2480` by default.

      Built from the shared bluesky-social/indigo pin (the same commit as
      `relay`, `rainbow` and `hepa`).
    '';
    homepage = indigo.homepageOf "tap";
    changelog = indigo.changelogOf "tap";
    inherit (indigo) license;
    mainProgram = "tap";
    platforms = lib.platforms.linux;
  };
}
