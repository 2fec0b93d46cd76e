# TLS for the PDS with nginx and one ACME certificate covering the hostname
# and every handle below it (*.pds.example.com needs the DNS-01 challenge).
{ config, ... }:
let
  hostname = config.services.atproto.pds.settings.PDS_HOSTNAME;
  port = toString config.services.atproto.pds.settings.PDS_PORT;
in
{
  imports = [ ./pds.nix ];

  security.acme = {
    acceptTerms = true;
    defaults.email = "admin@example.com";
    certs.${hostname} = {
      extraDomainNames = [ "*.${hostname}" ];
      # Any provider lego supports; the file holds its API credentials,
      # e.g. CLOUDFLARE_DNS_API_TOKEN=… for Cloudflare.
      dnsProvider = "cloudflare";
      environmentFile = "/var/lib/secrets/acme-dns.env";
      group = "nginx";
    };
  };

  services.nginx = {
    enable = true;
    recommendedProxySettings = true;
    recommendedTlsSettings = true;
    virtualHosts.${hostname} = {
      serverAliases = [ "*.${hostname}" ];
      useACMEHost = hostname;
      forceSSL = true;
      locations."/" = {
        proxyPass = "http://127.0.0.1:${port}";
        # The firehose (com.atproto.sync.subscribeRepos) is a WebSocket.
        proxyWebsockets = true;
        extraConfig = ''
          client_max_body_size 100M;
        '';
      };
    };
  };

  networking.firewall.allowedTCPPorts = [
    80
    443
  ];
}
