# A relay, with jetstream, rainbow and a feed generator reading it on the
# same host, each published over HTTPS by nginx.
{ config, ... }:
let
  # host:port settings -> port
  portOf = address: toString (builtins.elemAt (builtins.split ":" address) 2);
  atproto = config.services.atproto;
  proxy = port: {
    enableACME = true;
    forceSSL = true;
    locations."/" = {
      proxyPass = "http://127.0.0.1:${port}";
      proxyWebsockets = true;
    };
  };
in
{
  services.atproto.relay = {
    enable = true;
    # PostgreSQL on this host, reached over its Unix socket with peer
    # authentication: no database password to manage.
    database.createLocally = true;
    adminPasswordFile = "/var/lib/secrets/relay-admin-password";
    settings = {
      # Disk use of the relay grows with this window.
      RELAY_REPLAY_WINDOW = "24h";
      ENVIRONMENT = "production";
    };
  };

  # Both follow the local relay and start after it.
  services.atproto.jetstream.enable = true;
  services.atproto.rainbow.enable = true;

  services.atproto.feed-generator = {
    enable = true;
    settings = {
      FEEDGEN_HOSTNAME = "feeds.example.com";
      # The account that publishes the feeds: `goat resolve <handle>`.
      FEEDGEN_PUBLISHER_DID = "did:plc:abcdefghijklmnopqrstuvwx";
    };
  };

  # The relay holds many connections and caches identities in memory; keep
  # it from starving the rest of the host. Adjust to your machine.
  systemd.services.atproto-relay.serviceConfig = {
    MemoryHigh = "6G";
    MemoryMax = "8G";
  };
  systemd.services.atproto-feed-generator.serviceConfig.CPUWeight = 50;

  security.acme = {
    acceptTerms = true;
    defaults.email = "admin@example.com";
  };
  services.nginx = {
    enable = true;
    recommendedProxySettings = true;
    recommendedTlsSettings = true;
    virtualHosts = {
      "relay.example.com" = proxy (portOf atproto.relay.settings.RELAY_API_LISTEN);
      "jetstream.example.com" = proxy (portOf atproto.jetstream.settings.JETSTREAM_ADDR);
      "rainbow.example.com" = proxy (portOf atproto.rainbow.settings.RAINBOW_API_LISTEN);
      "feeds.example.com" = proxy (toString atproto.feed-generator.settings.FEEDGEN_PORT);
    };
  };

  networking.firewall.allowedTCPPorts = [
    80
    443
  ];
}
