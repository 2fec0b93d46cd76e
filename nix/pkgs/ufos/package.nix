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
    pname = "ufos";

    meta = {
      description = "Time-series statistics and sample records for every AT Protocol collection";
      longDescription = ''
        UFOs, from microcosm, keeps time-series statistics and sample records
        for every collection (NSID) seen on the AT Protocol firehose: record
        counts, and unique users counted in HyperLogLog sketches so they can be
        summed across time buckets and collections. It serves them as a JSON
        API with an OpenAPI description on its home page.

        Configuration is by flags or their `UFOS_*` environment variables:
        `UFOS_JETSTREAM` (a `wss://` URL or a region shorthand such as
        `us-east-1`) and `UFOS_DATA` (the fjall store) are required;
        `UFOS_BIND` (default `0.0.0.0:9990`), `UFOS_JETSTREAM_FORCE` (allow a
        different Jetstream than the stored one), backfill and reroll modes,
        and Prometheus metrics (`UFOS_COLLECT_METRICS`, `UFOS_BIND_METRICS`)
        are optional.
      '';
      homepage = microcosm.homepageOf "ufos";
      changelog = microcosm.changelogOf "ufos";
      # ufos/LICENSE.MIT and ufos/LICENSE.Apache-2.0.
      license = with lib.licenses; [
        mit
        asl20
      ];
      mainProgram = "ufos";
      platforms = lib.platforms.linux;
    };
  }
)
