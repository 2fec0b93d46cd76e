# services.atproto.ozone against @atproto/ozone 0.1.169, the version
# nix/pkgs/ozone runs. Its server (service/index.js) and its daemon
# (service/daemon.js) are two programs: the daemon alone runs the event
# pusher (OZONE_APPVIEW_PUSH_EVENTS), the reversal of temporary takedowns,
# scheduled actions, the materialized-view and team-profile refreshes
# (OZONE_DB_*_REFRESH_INTERVAL_MS) and the verification listener
# (OZONE_JETSTREAM_URL) — packages/ozone/src/daemon/context.ts. Without it
# those settings do nothing, so the module runs both, from one configuration.
{ lib, repo }:
let
  eval = import ./eval.nix {
    inherit lib;
    packages = repo.packages or { };
  };
  minimal = import ./minimal.nix;
  system =
    extra:
    (eval.system [
      {
        services.atproto.ozone = lib.mkMerge [
          minimal.ozone
          { enable = true; }
          extra
        ];
      }
    ]).config;

  on = system { settings.OZONE_DB_MATERIALIZED_VIEW_REFRESH_INTERVAL_MS = 60000; };
  off = system { daemon.enable = false; };
  server = on.systemd.services.atproto-ozone;
  daemon = on.systemd.services.atproto-ozone-daemon or null;
  exe = "${repo.packages.ozone or "ozone"}/bin";
in
lib.runTests {
  testDaemonRunsByDefault = {
    expr = daemon != null;
    expected = true;
  };

  testDaemonRunsTheDaemonProgram = {
    expr = {
      daemon = lib.hasInfix "exec ${exe}/ozone-daemon" daemon.script;
      server = lib.hasInfix "exec ${exe}/ozone " (server.script + " ");
    };
    expected = {
      daemon = true;
      server = true;
    };
  };

  # One configuration: the same variables (the daemon reads the refresh
  # intervals, the server does not) and the same secrets.
  testDaemonSharesTheConfiguration = {
    expr = {
      environment = daemon.environment == server.environment;
      refresh = daemon.environment.OZONE_DB_MATERIALIZED_VIEW_REFRESH_INTERVAL_MS;
      credentials = daemon.serviceConfig.LoadCredential == server.serviceConfig.LoadCredential;
      secretsExported = lib.hasInfix "OZONE_SIGNING_KEY_HEX" daemon.script;
      user = daemon.serviceConfig.User == server.serviceConfig.User;
    };
    expected = {
      environment = true;
      refresh = "60000";
      credentials = true;
      secretsExported = true;
      user = true;
    };
  };

  # The server migrates the database (OZONE_DB_MIGRATE): the daemon starts
  # after it and stops with it; it listens on nothing (no port check, no
  # probe) and has a runtime directory of its own (a shared one would go
  # when either stops).
  testDaemonOrderingAndUnitShape = {
    expr = {
      after = builtins.elem "atproto-ozone.service" daemon.after;
      bindsTo = builtins.elem "atproto-ozone.service" (daemon.bindsTo or [ ]);
      probe = daemon.serviceConfig ? ExecStartPost;
      # The server's check that its port is free would find the server.
      portCheck = lib.hasInfix "already in use" daemon.script;
      serverPortCheck = lib.hasInfix "already in use" server.script;
      runtime = daemon.serviceConfig.RuntimeDirectory;
      wanted = daemon.wantedBy;
    };
    expected = {
      after = true;
      bindsTo = true;
      probe = false;
      portCheck = false;
      serverPortCheck = true;
      runtime = "atproto-ozone-daemon";
      wanted = [ "multi-user.target" ];
    };
  };

  testDaemonCanBeTurnedOff = {
    expr = off.systemd.services ? atproto-ozone-daemon;
    expected = false;
  };
}
