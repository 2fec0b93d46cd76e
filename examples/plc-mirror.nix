# A read-only mirror of the PLC directory: the did-method-plc server keeps the
# data in PostgreSQL, allegedly fills that database from plc.directory and
# serves it; nginx publishes it as plc.example.com.
{ config, ... }:
let
  mirror = config.services.atproto.allegedly.settings.ALLEGEDLY_BIND;
in
{
  # Like the PDS, the pinned PLC server locks libraries with published
  # advisories (see its package page); accept them by name.
  nixpkgs.config.permittedInsecurePackages = [ "plc-0-unstable-2026-01-19" ];

  services.atproto.plc = {
    enable = true;
    database.createLocally = true;
  };

  # With the PLC server and its database on this host, allegedly wraps them
  # without further settings: it runs as the PLC server's database role and
  # starts after it.
  services.atproto.allegedly.enable = true;

  security.acme = {
    acceptTerms = true;
    defaults.email = "admin@example.com";
  };
  services.nginx = {
    enable = true;
    recommendedProxySettings = true;
    recommendedTlsSettings = true;
    virtualHosts."plc.example.com" = {
      enableACME = true;
      forceSSL = true;
      locations."/".proxyPass = "http://${mirror}";
    };
  };

  networking.firewall.allowedTCPPorts = [
    80
    443
  ];
}
