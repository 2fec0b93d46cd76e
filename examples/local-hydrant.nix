# hydrant on the one-machine network of local-network.nix: an indexer
# following the local relay, which backfills every repository that
# writes a post from the local PDS (resolving its DID in the local PLC
# directory) and serves the records through its own XRPC API.
# nix/tests/live/hydrant_network_test.go runs this file.
{ config, ... }:
let
  plc = "http://127.0.0.1:${toString config.services.atproto.plc.settings.PORT}";
  relay = "ws://127.0.0.1:2470";
in
{
  imports = [ ./local-network.nix ];

  services.atproto.hydrant = {
    enable = true;
    networkIsolation.enable = true;
    settings = {
      # The PDS has port 3000, hydrant's default.
      HYDRANT_API_BIND = "127.0.0.1:3100";
      HYDRANT_RELAY_HOST = relay;
      HYDRANT_PLC_URL = plc;
      # Index the repositories that post; crawl no public network.
      HYDRANT_FILTER_SIGNALS = "app.bsky.feed.post";
      HYDRANT_CRAWLER_URLS = "";
    };
  };
}
