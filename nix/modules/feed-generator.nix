# The reference feed generator (bluesky-social/feed-generator).
# Settings: the FEEDGEN_* variables read by the packaged Go port (go/config.go),
# the same names and defaults as the TypeScript server's src/index.ts.
{
  config,
  lib,
  pkgs,
  ...
}@args:
let
  service = import ../lib/service.nix { inherit lib; };
  inherit (service) portOf;
  relay = config.services.atproto.relay or { enable = false; };
in
service.mkService {
  name = "feed-generator";
  displayName = "the feed generator";
  description = "Bluesky's reference feed generator";
  notes = ''
    The reference feed generator indexes posts from a firehose into SQLite
    ({file}`/var/lib/atproto-feed-generator/feedgen.sqlite`) and answers
    `app.bsky.feed.getFeedSkeleton`. It is a template: the packaged build serves the example
    feed. Publish the feed record with the upstream `publishFeed` script. When
    {option}`services.atproto.relay.enable` is set on the same host it reads that relay and
    starts after it. It has no health endpoint: the probe asks `app.bsky.feed.describeFeedGenerator`.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      FEEDGEN_PORT = port 3000 "TCP port of the HTTP server.";
      FEEDGEN_LISTENHOST = str (bindHost "0.0.0.0") "Address the HTTP server binds to. The program's own default is `localhost`.";
      FEEDGEN_SQLITE_LOCATION = str "${stateDir}/feedgen.sqlite" "Path of the SQLite database (`:memory:` keeps nothing).";
      FEEDGEN_SUBSCRIPTION_ENDPOINT = str (
        if relay.enable then
          "ws://127.0.0.1:${toString (portOf config.services.atproto.relay.settings.RELAY_API_LISTEN)}"
        else
          "wss://bsky.network"
      ) "Firehose to index (`wss://host`). Default: the local relay when enabled.";
      FEEDGEN_HOSTNAME = nullStr "Public DNS name of the feed generator. Required.";
      FEEDGEN_PUBLISHER_DID = nullStr "DID of the account that publishes the feeds. Required.";
      FEEDGEN_SERVICE_DID = nullStr "DID of the service. Default: `did:web:<FEEDGEN_HOSTNAME>`.";
      FEEDGEN_SUBSCRIPTION_RECONNECT_DELAY = positive 3000 "Delay between firehose reconnection attempts, in milliseconds.";
    };

  required = {
    FEEDGEN_HOSTNAME = ''the public DNS name, e.g. services.atproto.feed-generator.settings.FEEDGEN_HOSTNAME = "feeds.example.com";'';
    FEEDGEN_PUBLISHER_DID = ''the publishing account's DID, e.g. services.atproto.feed-generator.settings.FEEDGEN_PUBLISHER_DID = "did:plc:…";'';
  };

  ports = cfg: [ (service.listenOn cfg "FEEDGEN_PORT") ];
  health.path = "/xrpc/app.bsky.feed.describeFeedGenerator";
  after = _: lib.optional relay.enable "atproto-relay.service";
} args
