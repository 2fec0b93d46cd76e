# The PLC directory server (did-method-plc), run from packages/server/dist/bin.js.
# Settings: the variables read by packages/server/src/{bin,env,logger}.ts at the packaged revision.
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
  name = "plc";
  displayName = "the PLC server";
  description = "did:plc directory server (did-method-plc)";
  notes = ''
    Without `DATABASE_URL` the server keeps everything in memory; set
    {option}`services.atproto.plc.database.createLocally` or
    {option}`services.atproto.plc.settings.DATABASE_URL`. Migrations run at every start.
  '';

  settings =
    _:
    with service.option;
    {
      PORT = port 2582 "TCP port of the HTTP server.";
      DATABASE_URL = nullStr "PostgreSQL connection URL. Required (without it the server only keeps data in memory).";
      ENV = nullStr "Name of the environment; `./.<ENV>.env` in the state directory is loaded when present.";
      LOG_ENABLED = bool true "Whether the pino logger writes anything.";
      LOG_LEVEL = enum [ "trace" "debug" "info" "warn" "error" "fatal" "silent" ] "info" "Minimum log level.";
      LOG_DESTINATION = nullStr "File to write logs to instead of the journal.";
    };

  required.DATABASE_URL = "a PostgreSQL URL, or set services.atproto.plc.database.createLocally = true;";

  secrets.adminSecret = {
    env = "ADMIN_SECRET";
    description = "the secret of the admin endpoints (they are disabled without it)";
    generate = "openssl rand --hex 32";
    required = false;
  };

  ports = cfg: [ (service.listenOn cfg "PORT") ];
  health.path = "/_health";
  database = {
    setting = "DATABASE_URL";
    # The server waits without a word when the database does not answer or
    # the URL is malformed, until the health probe gives up: check first.
    check = true;
  };

  logLevel = {
    values = [ "trace" "debug" "info" "warn" "error" "fatal" ];
    settings = level: { LOG_LEVEL = level; };
  };
  logFormat = {
    values = [ "json" ];
    default = "json";
  };

  serviceConfig = _: {
    # Node's V8 JIT writes and then executes machine code.
    MemoryDenyWriteExecute = false;
  };
} args
