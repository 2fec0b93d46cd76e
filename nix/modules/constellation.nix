# constellation (at-microcosm/microcosm-rs), a global backlink index over the jetstream firehose.
# Settings: the command-line flags of constellation/src/bin/main.rs at microcosm-rs 6f52fc2 (it
# reads no environment; the packaged revision; facts in nix/tests/modules/upstream-args/constellation.json).
{
  config,
  lib,
  pkgs,
  ...
}@args:
let
  service = import ../lib/service.nix { inherit lib; };
  inherit (service) portOf;
  jetstream = config.services.atproto.jetstream or { enable = false; };
in
service.mkService {
  name = "constellation";
  displayName = "constellation";
  description = "constellation, the AT Protocol backlink index from microcosm";
  format = "flags";
  notes = ''
    constellation indexes every link between records seen on a jetstream and answers
    "who links to this" queries on port 6789. Its RocksDB store lives in
    {file}`/var/lib/atproto-constellation`. With a local {option}`services.atproto.jetstream.enable`
    it reads that jetstream and starts after it. Settings are command-line flags.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      bind = str "${bindHost "0.0.0.0"}:6789" "Address and port of the HTTP API.";
      collect-metrics = bool false "Collect and serve Prometheus metrics (set by {option}`services.atproto.constellation.metrics.enable`).";
      bind-metrics = nullStr "Address and port of the metrics listener (the program requires metrics collection with it). Set to `127.0.0.1:8765` by {option}`services.atproto.constellation.metrics.enable`.";
      jetstream = str (
        if jetstream.enable then
          "ws://127.0.0.1:${toString (portOf config.services.atproto.jetstream.settings.JETSTREAM_ADDR)}/subscribe"
        else
          "us-east-1"
      ) "Jetstream to read: a `wss://` URL or one of `us-east-1`, `us-east-2`, `us-west-1`, `us-west-2`. Default: the local jetstream when enabled.";
      data = str "${stateDir}/data" "Directory of the on-disk store.";
      backend = enum [ "memory" "rocks" ] "rocks" "Storage backend (`memory` keeps nothing across restarts).";
      did-web-domain = nullStr "Serve a did:web document for this domain.";
      backup = nullStr "Directory receiving database backups.";
      backup-interval = nullInt "Take a backup every this many hours (needs `backup`).";
      max-old-backups = nullInt "Backups kept, oldest purged first (needs `backup-interval`).";
    };

  ports = cfg: [ (service.listenOn cfg "bind") ];
  health.path = "/";
  metrics = {
    port = cfg: service.listenOn cfg "bind-metrics";
    settings = _: {
      collect-metrics = true;
      bind-metrics = "127.0.0.1:8765";
    };
  };
  after = _: lib.optional jetstream.enable "atproto-jetstream.service";
  # constellation gives up on a jetstream it cannot reach after seven
  # tries (about 21 s: one still starting, or answering 503 while it
  # bootstraps) and exits with status 0, which on-failure would not restart.
  serviceConfig = _: { Restart = "always"; };
} args
