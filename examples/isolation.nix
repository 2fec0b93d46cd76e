# Services that need nobody but their neighbours on this host, confined to
# loopback: rainbow reads only the local relay, the PLC server only serves
# allegedly and talks to PostgreSQL over its Unix socket.
{ ... }:
{
  imports = [
    ./firehose.nix
    ./plc-mirror.nix
  ];

  services.atproto.rainbow.networkIsolation.enable = true;
  services.atproto.plc.networkIsolation.enable = true;
}
