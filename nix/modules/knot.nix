# knot, the git server of Tangled (tangled.org/core), run as `knot server`.
# Settings: the variables of knotserver/config/config.go at the packaged version.
{
  config,
  lib,
  pkgs,
  ...
}@args:
let
  service = import ../lib/service.nix { inherit lib; };
  stateDir = "/var/lib/atproto-knot";
in
service.mkService {
  name = "knot";
  displayName = "knot";
  description = "knot, the Tangled git server";
  staticUser = true;
  user = "git";
  notes = ''
    knot hosts git repositories for Tangled. It runs as the system user `git`
    ({option}`services.atproto.knot.user`), whose home is {file}`${stateDir}`; repositories
    live in {file}`${stateDir}/repos`. Pushes and clones over SSH go through the host's sshd:
    this module enables {option}`services.openssh.enable` and lets sshd fetch the `git` user's
    authorized keys from knot's internal API (`knot keys`). Set
    {option}`services.atproto.knot.settings.KNOT_SERVER_HOSTNAME` and
    {option}`services.atproto.knot.settings.KNOT_SERVER_OWNER`.
  '';

  settings =
    { stateDir, bindHost, ... }:
    with service.option;
    {
      KNOT_REPO_SCAN_PATH = str "${stateDir}/repos" "Directory of the repositories.";
      KNOT_REPO_README = list [ ] "File names shown as a repository's README, in order of preference. Default: the program's list.";
      KNOT_REPO_MAIN_BRANCH = str "main" "Default branch of new repositories.";
      KNOT_SERVER_LISTEN_ADDR = str "${bindHost "0.0.0.0"}:5555" "Address and port of the public HTTP server.";
      KNOT_SERVER_INTERNAL_LISTEN_ADDR = str "127.0.0.1:5444" "Address and port of the internal API (used by `knot keys` and the git hooks); keep it on loopback.";
      KNOT_SERVER_DB_PATH = str "${stateDir}/knotserver.db" "Path of the SQLite database.";
      KNOT_SERVER_HOSTNAME = nullStr "Public DNS name of the knot. Required.";
      KNOT_SERVER_OWNER = nullStr "DID of the knot's owner. Required.";
      KNOT_SERVER_PLC_URL = str "https://plc.directory" "URL of the PLC directory.";
      KNOT_SERVER_JETSTREAM_ENDPOINT = str "wss://jetstream1.us-west.bsky.network/subscribe" "Jetstream to read.";
      KNOT_SERVER_LOG_DIDS = bool true "Log the DIDs of requests.";
      KNOT_SERVER_DEV = bool false "Development mode: disables signature verification.";
      KNOT_GIT_USER_NAME = str "Tangled" "Committer name of commits made by the knot.";
      KNOT_GIT_USER_EMAIL = str "noreply@tangled.sh" "Committer e-mail of commits made by the knot.";
      APPVIEW_ENDPOINT = str "https://tangled.org" "URL of the Tangled AppView.";
    };

  required = {
    KNOT_SERVER_HOSTNAME = ''the public DNS name, e.g. services.atproto.knot.settings.KNOT_SERVER_HOSTNAME = "knot.example.com";'';
    KNOT_SERVER_OWNER = ''the owner's DID, e.g. services.atproto.knot.settings.KNOT_SERVER_OWNER = "did:plc:…";'';
  };

  args = _: [ "server" ];
  ports = cfg: [ (service.listenOn cfg "KNOT_SERVER_LISTEN_ADDR") ];
  listeners = cfg: [ (service.listenOn cfg "KNOT_SERVER_INTERNAL_LISTEN_ADDR") ];
  health.path = "/";

  # The git user's global configuration, read by the server's git calls and by
  # git over SSH (same home directory).
  preScript =
    { cfg, stateDir, ... }:
    ''
      mkdir -p ${lib.escapeShellArg cfg.settings.KNOT_REPO_SCAN_PATH} ${stateDir}/.config/git
      cat > ${stateDir}/.config/git/config <<'EOF'
      [user]
      	name = ${cfg.settings.KNOT_GIT_USER_NAME}
      	email = ${cfg.settings.KNOT_GIT_USER_EMAIL}
      [receive]
      	advertisePushOptions = true
      [uploadpack]
      	allowFilter = true
      EOF
    '';

  environment =
    { stateDir, ... }:
    {
      HOME = stateDir;
    };

  config =
    { cfg, pkgs, stateDir, ... }:
    {
      systemd.services.atproto-knot.path = [ pkgs.git ];
      environment.systemPackages = [
        pkgs.git
        cfg.package
      ];
      services.openssh = {
        enable = true;
        extraConfig = ''
          Match User ${cfg.user}
            AuthorizedKeysCommand /etc/ssh/atproto-knot-keys
            AuthorizedKeysCommandUser nobody
        '';
      };
      # Each key's line runs `knot guard` with these flags for every git
      # command over SSH, as the git user. guard first opens its log file
      # (-log-path, default /home/git/log) and refuses the command when it
      # cannot, so the log goes to the git user's home, the state directory.
      environment.etc."ssh/atproto-knot-keys" = {
        mode = "0555";
        text = ''
          #!/bin/sh
          exec ${lib.getExe cfg.package} keys -output authorized-keys -internal-api http://${cfg.settings.KNOT_SERVER_INTERNAL_LISTEN_ADDR} -git-dir ${cfg.settings.KNOT_REPO_SCAN_PATH} -log-path ${stateDir}/guard.log
        '';
      };
      users.users.${cfg.user}.useDefaultShell = true;
    };
} args
