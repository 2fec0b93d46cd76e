# An Ozone labeler: the server with its web UI and the daemon, a local
# PostgreSQL, and nginx with TLS in front (the label stream is a WebSocket).
{ config, ... }:
let
  hostname = "ozone.example.com";
  port = toString config.services.atproto.ozone.settings.OZONE_PORT;
  # The labeler account: an account of its own on any PDS, not yours.
  labeler = "did:plc:abcdefghijklmnopqrstuvwx";
in
{
  services.atproto.ozone = {
    enable = true;
    settings = {
      OZONE_PUBLIC_URL = "https://${hostname}";
      OZONE_SERVER_DID = labeler;
      # Who may log in to the UI; the labeler account at least.
      OZONE_ADMIN_DIDS = [ labeler ];
    };
    database.createLocally = true;
    # openssl rand --hex 16
    adminPasswordFile = "/var/lib/secrets/ozone/admin-password";
    # The secp256k1 key labels are signed with, in hex; the command is in
    # the option's description.
    signingKeyFile = "/var/lib/secrets/ozone/signing-key";
  };

  security.acme = {
    acceptTerms = true;
    defaults.email = "admin@example.com";
  };

  services.nginx = {
    enable = true;
    recommendedProxySettings = true;
    recommendedTlsSettings = true;
    virtualHosts.${hostname} = {
      enableACME = true;
      forceSSL = true;
      locations."/" = {
        proxyPass = "http://127.0.0.1:${port}";
        # com.atproto.label.subscribeLabels is a WebSocket.
        proxyWebsockets = true;
      };
    };
  };

  networking.firewall.allowedTCPPorts = [
    80
    443
  ];
}
