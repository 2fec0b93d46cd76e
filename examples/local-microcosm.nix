# microcosm's consumers on the one-machine network of local-network.nix:
# constellation (backlinks), slingshot (a record and identity cache),
# spacedust (link notifications) and ufos (collection samples), each
# following the local jetstream (their default when
# services.atproto.jetstream is enabled).
# nix/tests/live/microcosm_network_test.go runs this file, with a TLS
# proxy of its own in nginx's place.
{ config, ... }:
let
  plc = "http://127.0.0.1:${toString config.services.atproto.plc.settings.PORT}";
in
{
  imports = [ ./local-network.nix ];

  services.atproto.constellation = {
    enable = true;
    networkIsolation.enable = true;
  };

  # slingshot and spacedust default to port 8080, which jetstream has.
  services.atproto.slingshot = {
    enable = true;
    networkIsolation.enable = true;
    settings.SLINGSHOT_BIND = "127.0.0.1:8090";
  };
  services.atproto.spacedust = {
    enable = true;
    networkIsolation.enable = true;
    settings.SPACEDUST_BIND = "127.0.0.1:8091";
  };

  services.atproto.ufos = {
    enable = true;
    networkIsolation.enable = true;
  };

  # slingshot resolves DIDs at https://plc.directory, a name no setting
  # changes. On this network that name is the local PLC directory: a host
  # entry, and a TLS proxy with a certificate of your own CA, which this
  # machine trusts (make the CA and the certificate with openssl or step;
  # the CA's certificate is public, its key stays off the machine).
  networking.hosts."127.0.0.1" = [ "plc.directory" ];
  security.pki.certificateFiles = [ ./local-ca.pem ];
  services.nginx = {
    enable = true;
    virtualHosts."plc.directory" = {
      onlySSL = true;
      listenAddresses = [ "127.0.0.1" ];
      sslCertificate = "/etc/local-ca/plc.directory.pem";
      sslCertificateKey = "/etc/local-ca/plc.directory.key";
      locations."/".proxyPass = plc;
    };
  };
}
