# rsky-pds as a second PDS on the one-machine network of local-network.nix:
# it registers its accounts in the same PLC directory, and the local relay
# carries its firehose beside the first PDS's.
# nix/tests/live/rsky_network_test.go runs this file; it tells the relay
# about the PDS as it does for the first one.
{ config, ... }:
let
  plc = "http://127.0.0.1:${toString config.services.atproto.plc.settings.PORT}";
in
{
  imports = [ ./local-network.nix ];

  services.atproto.rsky-pds = {
    enable = true;
    networkIsolation.enable = true;
    adminPasswordFile = "/run/secrets/rsky-pds-admin";
    jwtKeyFile = "/run/secrets/rsky-pds-jwt";
    repoSigningKeyFile = "/run/secrets/rsky-pds-repo";
    plcRotationKeyFile = "/run/secrets/rsky-pds-plc";
    settings = {
      # rsky-pds writes https://<PDS_HOSTNAME> into its accounts' DID
      # documents, whatever the scheme it serves: with the port in the
      # name, the relay finds the accounts on the host it reads them from
      # (it compares host names and connects without TLS, as the host entry
      # the test gives it says).
      PDS_HOSTNAME = "localhost:2583";
      PDS_SERVICE_HANDLE_DOMAINS = [ ".rsky.test" ];
      PDS_DID_PLC_URL = plc;
      PDS_INVITE_REQUIRED = false;
      # Nothing outside this machine; the local relay is told by hand.
      PDS_CRAWLERS = [ ];
    };
  };
}
