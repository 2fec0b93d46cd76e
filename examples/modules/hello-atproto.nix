# nix/modules/hello-atproto.nix: services.atproto.hello-atproto, run by the
# shared helper as the hardened unit atproto-hello-atproto.
{
  config,
  lib,
  pkgs,
  ...
}@args:
let
  service = import ../lib/service.nix { inherit lib; };
in
service.mkService {
  name = "hello-atproto";
  displayName = "hello-atproto";
  description = "hello-atproto, an example AT Protocol service";
  notes = ''
    Put a TLS reverse proxy in front of port 8080. Its SQLite database lives
    in {file}`/var/lib/atproto-hello-atproto`.
  '';

  # Every variable the program reads, with its type, default and unit.
  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      HELLO_LISTEN = str "${bindHost ""}:8080" "Address and port of the HTTP server (`host:port`; an empty host means all addresses).";
      HELLO_HOSTNAME = nullStr "Public DNS name of the service. Required.";
      HELLO_DATA_DIR = str stateDir "Directory of the SQLite database.";
      HELLO_REQUEST_TIMEOUT = positive 30 "Longest time spent on one request, in seconds.";
      HELLO_LOG_LEVEL = enum [ "debug" "info" "warn" "error" ] "info" "Log level.";
    };

  required.HELLO_HOSTNAME = ''the public DNS name, e.g. services.atproto.hello-atproto.settings.HELLO_HOSTNAME = "hello.example.com";'';

  secrets.adminPassword = {
    env = "HELLO_ADMIN_PASSWORD";
    description = "the password of the admin API";
    generate = "openssl rand --hex 16";
  };

  # The port of HELLO_LISTEN, and the option that changes it.
  ports = cfg: [ (service.listenOn cfg "HELLO_LISTEN") ];
  health.path = "/_health";

  logLevel = {
    values = [ "debug" "info" "warn" "error" ];
    settings = level: { HELLO_LOG_LEVEL = level; };
  };
} args
