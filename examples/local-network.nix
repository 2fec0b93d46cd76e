# A whole AT Protocol network on one machine, on loopback only: a PLC
# directory (PostgreSQL on this host), a PDS registering its accounts there,
# a relay crawling the PDS, and jetstream and tap following the relay.
# network_test.go runs exactly this configuration; the secret files are the
# test's (any paths outside the store work).
#
# After start, ask the relay to crawl the PDS (it takes `localhost` hosts
# only from an admin):
#   curl -u "admin:$(cat /run/secrets/relay-admin)" -H 'Content-Type: application/json' \
#     -d '{"hostname":"localhost:3000"}' http://127.0.0.1:2470/admin/pds/requestCrawl
{ config, ... }:
let
  plc = "http://127.0.0.1:${toString config.services.atproto.plc.settings.PORT}";
in
{
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
      # relay asked to crawl through the public endpoint (the relay accepts
      # localhost only from its admin, above).
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
