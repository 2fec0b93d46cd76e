# rsky-relay and rsky-feedgen on the one-machine network of
# local-network.nix: the PDS asks rsky-relay to crawl it, rsky-relay
# re-serves its firehose, and rsky-firehose (beside rsky-feedgen) reads
# that firehose and queues the posts into rsky-feedgen's feeds.
# nix/tests/live/rsky_relay_network_test.go runs this file; a TLS proxy of
# its own plays nginx's part.
{ config, lib, ... }:
let
  plc = "http://127.0.0.1:${toString config.services.atproto.plc.settings.PORT}";
  pds = "http://127.0.0.1:${toString config.services.atproto.pds.settings.PDS_PORT}";
in
{
  imports = [ ./local-network.nix ];

  # rsky-feedgen locks a Diesel release with a published advisory (see its
  # package page); accept it by name.
  nixpkgs.config.permittedInsecurePackages = [ "rsky-feedgen-0-unstable-2026-08-20" ];

  services.atproto.rsky-relay = {
    enable = true;
    networkIsolation.enable = true;
    # No public relays to learn hosts from: PDSes ask it to crawl them.
    settings.RELAY_DISCOVERY_UPSTREAMS = [ ];
  };
  # The PDS asks rsky-relay to crawl it (com.atproto.sync.requestCrawl,
  # after its first write) under its name, localhost. (The Go relay of
  # local-network.nix refuses loopback hosts and is still told by hand.)
  services.atproto.pds.settings.PDS_CRAWLERS = lib.mkForce [ "http://127.0.0.1:9000" ];

  # rsky-relay resolves DIDs at https://plc.directory and reads PDSes over
  # wss:// on port 443; no setting changes either. Here both names are this
  # machine, behind a TLS proxy whose certificate your own CA signed; the
  # module hands rsky-relay the system's CA bundle, which then includes it.
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
    virtualHosts."localhost" = {
      onlySSL = true;
      listenAddresses = [ "127.0.0.1" ];
      sslCertificate = "/etc/local-ca/localhost.pem";
      sslCertificateKey = "/etc/local-ca/localhost.key";
      locations."/" = {
        proxyPass = pds;
        proxyWebsockets = true;
      };
    };
  };

  services.atproto.rsky-feedgen = {
    enable = true;
    networkIsolation.enable = true;
    database.createLocally = true;
    apiKeyFile = "/run/secrets/rsky-feedgen-key";
    settings = {
      FEEDGEN_HOSTNAME = "localhost";
      FEEDGEN_SERVICE_DID = "did:web:localhost";
    };
    # Its indexer reads rsky-relay (port 9000, fixed in the program).
    firehose.settings.FEEDGEN_SUBSCRIPTION_PATH = "ws://127.0.0.1:9000";
  };
}
