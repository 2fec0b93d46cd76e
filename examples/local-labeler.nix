# An Ozone labeler on the one-machine network of local-network.nix: it
# resolves identities in the local PLC directory, and its labeler account
# is an account on the local PDS, created first (its DID goes below).
# nix/tests/live/ozone_test.go runs the PLC directory, the PDS and Ozone
# from this file, with a labeler account of its own.
{ config, ... }:
let
  inherit (config.services.atproto) plc pds;
  # The PDS has 3000, Ozone's default.
  port = 3010;
  labeler = "did:plc:replacewithyourlabeler"; # the labeler account's DID
in
{
  imports = [ ./local-network.nix ];

  services.atproto.ozone = {
    enable = true;
    networkIsolation.enable = true;
    settings = {
      OZONE_PORT = port;
      OZONE_PUBLIC_URL = "http://localhost:${toString port}";
      OZONE_SERVER_DID = labeler;
      OZONE_ADMIN_DIDS = [ labeler ];
      OZONE_DID_PLC_URL = "http://127.0.0.1:${toString plc.settings.PORT}";
      # No AppView on this network. Ozone asks it only for the labeler's
      # published profile (to check report reasons) and carries on
      # without; the PDS stands in.
      OZONE_APPVIEW_URL = "http://127.0.0.1:${toString pds.settings.PDS_PORT}";
      OZONE_APPVIEW_DID = "did:web:localhost";
    };
    database.createLocally = true;
    adminPasswordFile = "/run/secrets/ozone-admin";
    signingKeyFile = "/run/secrets/ozone-signing";
  };
}
