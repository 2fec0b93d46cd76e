# spindle, the CI runner of Tangled (tangled.org/core).
# Settings: the variables of spindle/config/config.go at the packaged version.
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
  name = "spindle";
  displayName = "spindle";
  description = "spindle, the Tangled CI runner";
  notes = ''
    spindle runs Tangled pipelines in containers (Nixery images) through Docker: this module
    enables {option}`virtualisation.docker.enable` and adds the service to the `docker` group.
    Access to the Docker socket is equivalent to root on the host, so the systemd sandbox
    limits spindle itself but not the containers Docker starts for it; run it on a dedicated
    machine. Set {option}`services.atproto.spindle.settings.SPINDLE_SERVER_HOSTNAME` and
    {option}`services.atproto.spindle.settings.SPINDLE_SERVER_OWNER`.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      SPINDLE_SERVER_LISTEN_ADDR = str "${bindHost "0.0.0.0"}:6555" "Address and port of the HTTP server.";
      SPINDLE_SERVER_DB_PATH = str "${stateDir}/spindle.db" "Path of the SQLite database.";
      SPINDLE_SERVER_HOSTNAME = nullStr "Public DNS name of the spindle. Required.";
      SPINDLE_SERVER_OWNER = nullStr "DID of the spindle's owner. Required.";
      SPINDLE_SERVER_JETSTREAM_ENDPOINT = str "wss://jetstream1.us-west.bsky.network/subscribe" "Jetstream to read.";
      SPINDLE_SERVER_PLC_URL = str "https://plc.directory" "URL of the PLC directory.";
      SPINDLE_SERVER_DEV = bool false "Development mode.";
      SPINDLE_SERVER_LOG_DIR = str "/var/log/atproto-spindle" "Directory of the pipeline logs.";
      SPINDLE_SERVER_QUEUE_SIZE = positive 100 "Pipelines queued at most.";
      SPINDLE_SERVER_MAX_JOB_COUNT = positive 2 "Jobs run at the same time.";
      SPINDLE_SERVER_SECRETS_PROVIDER = enum [ "sqlite" "openbao" ] "sqlite" "Where repository secrets are kept.";
      SPINDLE_SERVER_SECRETS_OPENBAO_PROXY_ADDR = str "http://127.0.0.1:8200" "Address of the OpenBao proxy (with the `openbao` provider).";
      SPINDLE_SERVER_SECRETS_OPENBAO_MOUNT = str "spindle" "OpenBao mount of the secrets.";
      SPINDLE_NIXERY_PIPELINES_NIXERY = str "nixery.tangled.sh" "Nixery host providing pipeline images.";
      SPINDLE_NIXERY_PIPELINES_WORKFLOW_TIMEOUT = str "5m" "Time limit of one workflow (Go duration).";
    };

  required = {
    SPINDLE_SERVER_HOSTNAME = ''the public DNS name, e.g. services.atproto.spindle.settings.SPINDLE_SERVER_HOSTNAME = "spindle.example.com";'';
    SPINDLE_SERVER_OWNER = ''the owner's DID, e.g. services.atproto.spindle.settings.SPINDLE_SERVER_OWNER = "did:plc:…";'';
  };

  ports = cfg: [ (service.listenOn cfg "SPINDLE_SERVER_LISTEN_ADDR") ];
  health.path = "/xrpc/sh.tangled.owner";
  after = _: [ "docker.service" ];

  serviceConfig = _: {
    LogsDirectory = "atproto-spindle";
    # The Docker socket is reached through the docker group; a user namespace
    # would hide that group from the kernel's permission check.
    SupplementaryGroups = [ "docker" ];
    PrivateUsers = false;
  };

  config = _: {
    virtualisation.docker.enable = true;
    systemd.services.atproto-spindle.requires = [ "docker.service" ];
  };
} args
