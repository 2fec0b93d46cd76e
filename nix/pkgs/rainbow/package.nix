{
  lib,
  atprotoLib,
  fetchFromGitHub,
}:

let
  indigo = import ../_sources/indigo.nix { inherit lib fetchFromGitHub; };
  # rainbow has no release tags; it follows indigo's main branch.
  version = indigo.unstableVersion;
in
atprotoLib.buildGoApplication {
  pname = "rainbow";
  inherit version;
  inherit (indigo) src vendorHash updateScript;

  subPackages = [ "cmd/rainbow" ];

  postPatch = indigo.versionPatch {
    program = "rainbow";
    inherit version;
  };

  # `rainbow --version` prints "rainbow version <version>" (urfave/cli).
  versionCheck = { };

  passthru.atproto.module = "services.atproto.rainbow";

  meta = {
    description = "AT Protocol firehose fan-out service that serves one upstream firehose to many subscribers";
    longDescription = ''
      rainbow consumes one firehose (from a relay or a PDS) and serves
      `com.atproto.sync.subscribeRepos` to many WebSocket subscribers,
      keeping the upstream sequence numbers. It stores a backfill window on
      local disk (Pebble; `--persist-hours`, default 72, and/or
      `--persist-bytes`) so consumers can resume from a cursor, and proxies
      other public and admin API requests to the upstream host. It does not
      validate events; it is disk-I/O heavy, so fast disks help.

      Configuration: `--upstream-host` / `ATP_RELAY_HOST` (default
      `http://localhost:2470`), `--persist-db` (default `./rainbow.db`),
      `--cursor-file`, API on `:2480`, metrics on `:2481`, optional
      `--next-crawler` to forward `requestCrawl`, optional OpenTelemetry
      export.
    '';
    homepage = indigo.homepageOf "rainbow";
    changelog = indigo.changelogOf "rainbow";
    inherit (indigo) license;
    mainProgram = "rainbow";
    platforms = lib.platforms.linux;
  };
}
