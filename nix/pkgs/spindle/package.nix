{
  lib,
  atprotoLib,
  fetchFromGitHub,
  sqlite,
}:

let
  tangled = import ../_sources/tangled.nix { inherit lib fetchFromGitHub; };
in
atprotoLib.buildGoApplication {
  pname = "spindle";
  inherit (tangled)
    version
    src
    vendorHash
    tags
    updateScript
    ;

  subPackages = [ "cmd/spindle" ];

  buildInputs = [ sqlite ];

  # spindle takes no arguments at all; it is configured by its environment.
  versionCheck = null;

  passthru.atproto.module = "services.atproto.spindle";

  meta = {
    description = "Tangled's CI runner: runs a knot's pipelines in containers";
    longDescription = ''
      spindle runs the CI pipelines (workflows in `.tangled/workflows/`) of
      the repositories on Tangled knots. It learns its members and
      repositories through Jetstream, receives pipeline events from the
      knots' event streams, runs each workflow's steps in Docker containers
      whose images come from a Nixery instance
      (`SPINDLE_NIXERY_PIPELINES_NIXERY`, default `nixery.tangled.sh`), and
      serves the runs' status (`/events`) and logs (`/logs/…`) to the
      Tangled AppView.

      spindle takes no arguments; it reads `SPINDLE_SERVER_*` variables: the
      listen address (`SPINDLE_SERVER_LISTEN_ADDR`, default `0.0.0.0:6555`),
      the SQLite database (`SPINDLE_SERVER_DB_PATH`), the log folder
      (`SPINDLE_SERVER_LOG_DIR`), how many jobs run at once, and the
      required `SPINDLE_SERVER_HOSTNAME` and `SPINDLE_SERVER_OWNER` (the
      owner's DID). Pipeline secrets live in SQLite or, with
      `SPINDLE_SERVER_SECRETS_PROVIDER=openbao`, in OpenBao through its
      proxy. It needs access to a Docker daemon.
    '';
    inherit (tangled) homepage changelog license;
    mainProgram = "spindle";
    platforms = lib.platforms.linux;
  };
}
