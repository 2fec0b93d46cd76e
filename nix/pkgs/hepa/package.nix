{
  lib,
  atprotoLib,
  fetchFromGitHub,
}:

let
  indigo = import ../_sources/indigo.nix { inherit lib fetchFromGitHub; };
  # hepa has no release tags; it follows indigo's main branch.
  version = indigo.unstableVersion;
in
atprotoLib.buildGoApplication {
  pname = "hepa";
  inherit version;
  inherit (indigo) src vendorHash updateScript;

  subPackages = [ "cmd/hepa" ];

  postPatch = indigo.versionPatch {
    program = "hepa";
    inherit version;
  };

  # `hepa --version` prints "hepa version <version>" (urfave/cli).
  versionCheck = { };

  passthru.atproto.module = "services.atproto.hepa";

  meta = {
    description = "AT Protocol auto-moderation daemon running indigo's automod rules over a relay firehose";
    longDescription = ''
      hepa consumes a relay firehose, runs the rules of indigo's `automod`
      package on each record and identity event, and acts through an Ozone
      moderation service (labels, reports, takedowns), within daily quotas
      (`--quota-mod-report-day`, `--quota-mod-takedown-day`,
      `--quota-mod-action-day`). This is the public edition: the rules are
      compiled in; `--ruleset` only chooses which blob (image) rules run.

      `hepa run` acts on Ozone only when given the service DID and an admin
      token (`HEPA_OZONE_DID`, `HEPA_OZONE_AUTH_ADMIN_TOKEN`); without them it
      evaluates rules and logs. Counters and caches live in Redis when
      `HEPA_REDIS_URL` is set (in memory otherwise).
      Optional: a PDS admin token, a JSON file of named sets
      (`HEPA_SETS_JSON_PATH`), Hive AI and Abyss image scanning, a
      prescreen service, Slack webhook notifications; Prometheus metrics on
      `:3989`. `hepa process-record` and `process-recent` run the rules on
      demand.
    '';
    homepage = indigo.homepageOf "hepa";
    changelog = indigo.changelogOf "hepa";
    inherit (indigo) license;
    mainProgram = "hepa";
    platforms = lib.platforms.linux;
  };
}
