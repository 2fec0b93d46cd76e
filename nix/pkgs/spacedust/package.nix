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
    pname = "spacedust";

    meta = {
      description = "Live stream of every link (interaction) in the AT Protocol firehose, over WebSocket";
      longDescription = ''
        spacedust, from microcosm, is a firehose of interactions: it extracts
        every link (at-uris, DIDs and URLs, in any lexicon) from the records on
        a Jetstream and streams them to WebSocket subscribers, who filter by
        source collection, subject and more, in a protocol modelled on
        Jetstream's.

        Configuration is by flags or their `SPACEDUST_*` environment variables:
        `SPACEDUST_JETSTREAM` (a `wss://` URL or a region shorthand such as
        `us-east-1`; required), `SPACEDUST_BIND` (default `[::]:8080`),
        `SPACEDUST_JETSTREAM_NO_ZSTD`, and Prometheus metrics
        (`SPACEDUST_COLLECT_METRICS`, `SPACEDUST_BIND_METRICS`). It keeps no
        state on disk.
      '';
      homepage = microcosm.homepageOf "spacedust";
      changelog = microcosm.changelogOf "spacedust";
      # spacedust/LICENSE.MIT and spacedust/LICENSE.Apache-2.0.
      license = with lib.licenses; [
        mit
        asl20
      ];
      mainProgram = "spacedust";
      platforms = lib.platforms.linux;
    };
  }
)
