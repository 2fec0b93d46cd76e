{
  lib,
  atprotoLib,
  fetchFromGitHub,
}:

let
  indigo = import ../_sources/indigo.nix { inherit lib fetchFromGitHub; };
  # The relay has no release tags; it follows indigo's main branch.
  version = indigo.unstableVersion;
in
atprotoLib.buildGoApplication {
  pname = "relay";
  inherit version;
  inherit (indigo) src vendorHash updateScript;

  subPackages = [ "cmd/relay" ];

  postPatch = indigo.versionPatch {
    program = "relay";
    inherit version;
  };

  # `relay --version` prints "relay version <version>" (urfave/cli).
  versionCheck = { };

  passthru.atproto.module = "services.atproto.relay";

  meta = {
    description = "AT Protocol relay: verifies many PDS hosts' repository streams and serves one combined firehose";
    longDescription = ''
      Bluesky's reference relay (formerly "BGS"/"bigsky"). It subscribes to
      the `com.atproto.sync.subscribeRepos` streams of PDS hosts, checks
      repository structure and identity signatures, and re-publishes one
      combined firehose for downstream services (AppViews, feed generators,
      `rainbow`, `jetstream`, `tap`). It does not validate records against
      Lexicon schemas. It runs on a single server and is meant to scale to
      the whole network.

      `relay serve` listens on `:2470` (metrics on `:2471`) and keeps its
      state in SQLite (`sqlite://data/relay/relay.sqlite` by default, relative
      to the working directory; SQLite is compiled in) or PostgreSQL
      (`--db-url` / `DATABASE_URL`), with the replay window on disk under
      `--persist-dir`. Admin endpoints need `RELAY_ADMIN_PASSWORD`; new hosts
      arrive through `requestCrawl` (limits: `--default-account-limit`,
      `--new-hosts-per-day-limit`, `--disable-request-crawl`). Optional:
      Slack alerts when a host nears its account limit, OpenTelemetry
      tracing. `relay pull-hosts` seeds the host list from another relay.

      Not included: the optional admin web dashboard (`cmd/relay/relay-admin-ui`,
      a Yarn/Vite project served from `public/` at `/dash`); the relay works
      without it.
    '';
    homepage = indigo.homepageOf "relay";
    changelog = indigo.changelogOf "relay";
    inherit (indigo) license;
    mainProgram = "relay";
    platforms = lib.platforms.linux;
  };
}
