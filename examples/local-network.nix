# A whole AT Protocol network on one machine, on loopback only, for trying
# things out and for tests: a PLC directory (PostgreSQL on this host), a PDS
# registering its accounts there, a relay crawling the PDS, and jetstream
# and tap following the relay. nix/tests/live/network_test.go runs exactly
# this file; the secret files are the test's (any paths outside the store).
{ config, ... }:
let
  plc = "http://127.0.0.1:${toString config.services.atproto.plc.settings.PORT}";
in
{
  # The pinned PDS and PLC server lock libraries with published advisories
  # (see their package pages); accept them by name.
  nixpkgs.config.permittedInsecurePackages = [
    "pds-0.4.208"
    "plc-0-unstable-2026-01-19"
  ];

  services.atproto.plc = {
    enable = true;
    database.createLocally = true;
    networkIsolation.enable = true;
  };

  services.atproto.pds = {
    enable = true;
    networkIsolation.enable = true;
    jwtSecretFile = "/run/secrets/pds-jwt";
    adminPasswordFile = "/run/secrets/pds-admin";
    plcRotationKeyFile = "/run/secrets/pds-plc";
    settings = {
      # "localhost" makes the PDS publish http://localhost:<port> as its
      # address in its accounts' DID documents.
      PDS_HOSTNAME = "localhost";
      PDS_DEV_MODE = true;
      PDS_SERVICE_HANDLE_DOMAINS = ".test";
      PDS_DID_PLC_URL = plc;
      # Nothing outside this machine: no AppView, no report service, and no
      # public relay asked to crawl (the local relay is told by hand).
      PDS_BSKY_APP_VIEW_URL = null;
      PDS_BSKY_APP_VIEW_DID = null;
      PDS_REPORT_SERVICE_URL = null;
      PDS_REPORT_SERVICE_DID = null;
      PDS_CRAWLERS = [ ];
    };
  };

  services.atproto.relay = {
    enable = true;
    networkIsolation.enable = true;
    adminPasswordFile = "/run/secrets/relay-admin";
    settings = {
      RELAY_PLC_HOST = plc;
      # The PDS speaks plain HTTP on loopback.
      RELAY_ALLOW_INSECURE_HOSTS = true;
    };
  };

  # Both follow the local relay by default.
  services.atproto.jetstream = {
    enable = true;
    networkIsolation.enable = true;
    settings.JETSTREAM_PLC_URL = plc;
  };
  services.atproto.tap = {
    enable = true;
    networkIsolation.enable = true;
    settings.TAP_PLC_URL = plc;
  };
}
