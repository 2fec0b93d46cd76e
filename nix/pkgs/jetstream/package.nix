{
  lib,
  atprotoLib,
  fetchFromGitHub,
}:

let
  version = "0.2.0";
  # The commit tag v0.2.0 points at, and its committer date: upstream stamps
  # both into the binary (internal/version) from git at release time.
  rev = "289b0328c2e1a0ccf8c870cb45de0b2397de19fb";
  date = "2026-08-13T14:13:38-04:00";
in
atprotoLib.buildGoApplication {
  pname = "jetstream";
  inherit version;

  src = fetchFromGitHub {
    owner = "bluesky-social";
    repo = "jetstream";
    tag = "v${version}";
    hash = "sha256-Bq2T0p2ycE2izKjrXDatTHg6+FG0BqxTa++1A1vtqok=";
  };

  vendorHash = "sha256-CCJnowTIIK/3Y1hHMkyqNi3J4xpvMfEQJDzcrjwKQiw=";

  subPackages = [ "cmd/jetstream" ];

  # As upstream's release image: a pure-Go, statically linked binary.
  env.CGO_ENABLED = "0";

  ldflags = [
    "-s"
    "-w"
    "-X github.com/bluesky-social/jetstream/internal/version.Version=v${version}"
    "-X github.com/bluesky-social/jetstream/internal/version.Commit=${builtins.substring 0 7 rev}"
    "-X github.com/bluesky-social/jetstream/internal/version.Date=${date}"
  ];

  # Prints "jetstream version v0.2.0 (commit ..., built ...)" on stdout.
  versionCheck = {
    command = "jetstream version";
  };

  passthru.atproto.module = "services.atproto.jetstream";

  meta = {
    description = "Full-network archive, replay and streaming service for AT Protocol records";
    longDescription = ''
      Jetstream (v2, a rewrite of the original JSON firehose translator)
      backfills every record of every repository known to a relay, then cuts
      over to the live firehose. Records are stored in its own columnar
      segment format under `--data-dir`, and clients stream seamlessly from
      archived data into live events, filtered by DID and collection.

      `jetstream serve` listens on `:8080` (`--addr`); `--debug-addr` opens
      a separate debug/pprof listener. Main settings: `--relay-url`
      (default `https://bsky.network`), `--plc-url`, `--data-dir`
      (default `./data`), backfill limits (`--max-backfill-repos`,
      `--backfill-repos` for a chosen DID list, worker and per-host limits),
      compaction and cursor look-back. Every flag has a `JETSTREAM_*`
      environment variable, and unknown `JETSTREAM_*` variables are
      rejected at start-up. `jetstream inspect-segment` / `inspect-all`
      examine stored segments. Optional OpenTelemetry export.

      Built without cgo, as upstream's release image.
    '';
    homepage = "https://github.com/bluesky-social/jetstream";
    changelog = "https://github.com/bluesky-social/jetstream/releases/tag/v${version}";
    # LICENSE-DUAL: MIT or Apache-2.0, at the user's choice.
    license = with lib.licenses; [
      mit
      asl20
    ];
    mainProgram = "jetstream";
    platforms = lib.platforms.linux;
  };
}
