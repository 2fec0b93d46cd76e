# TLS for the PDS with Caddy: a certificate for the hostname at start, and
# one per handle (alice.pds.example.com) on its first visit, after the PDS
# confirms on /tls-check that the name is one of its handles. No DNS API
# credentials are needed, only a wildcard DNS record.
{ config, ... }:
let
  hostname = config.services.atproto.pds.settings.PDS_HOSTNAME;
  port = toString config.services.atproto.pds.settings.PDS_PORT;
in
{
  imports = [ ./pds.nix ];

  services.caddy = {
    enable = true;
    email = "admin@example.com";
    globalConfig = ''
      on_demand_tls {
        ask http://127.0.0.1:${port}/tls-check
      }
    '';
    virtualHosts."${hostname}, *.${hostname}".extraConfig = ''
      tls {
        on_demand
      }
      reverse_proxy http://127.0.0.1:${port}
    '';
  };

  networking.firewall.allowedTCPPorts = [
    80
    443
  ];
}
