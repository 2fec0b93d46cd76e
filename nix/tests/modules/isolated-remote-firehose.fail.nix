# rsky-feedgen's indexer shares the server's network isolation (loopback
# only): reading a relay elsewhere fails evaluation, naming both settings.
# expect-error: services.atproto.rsky-feedgen: networkIsolation.enable lets the indexer (atproto-rsky-feedgen-firehose) reach loopback only
# expect-error: firehose.settings.FEEDGEN_SUBSCRIPTION_PATH is wss://bsky.network
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;
in
(eval.checked [
  {
    services.atproto.rsky-feedgen = minimal.rsky-feedgen // {
      enable = true;
      networkIsolation.enable = true;
    };
  }
]).config.systemd.services.atproto-rsky-feedgen.environment
