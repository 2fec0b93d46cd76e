{
  lib,
  atprotoLib,
  fetchFromGitHub,
  makeWrapper,
  git,
  sqlite,
}:

let
  tangled = import ../_sources/tangled.nix { inherit lib fetchFromGitHub; };
  inherit (tangled) version;
in
atprotoLib.buildGoApplication {
  pname = "knot";
  inherit version;
  inherit (tangled)
    src
    vendorHash
    tags
    updateScript
    ;

  subPackages = [ "cmd/knot" ];

  # Upstream's build stamps the version the knot reports over XRPC
  # (`sh.tangled.knot.version`); without it the knot reports Go's build info.
  ldflags = [
    "-s"
    "-w"
    "-X tangled.org/core/knotserver/xrpc.version=${version}"
  ];

  nativeBuildInputs = [ makeWrapper ];
  buildInputs = [ sqlite ];

  # The server, `knot guard` (run by sshd for every git push and fetch) and
  # the repository hooks all call `git`; sshd runs them with a minimal PATH.
  postInstall = ''
    wrapProgram $out/bin/knot --prefix PATH : ${lib.makeBinPath [ git ]}
  '';

  # `knot` has no version flag (urfave/cli without a Version).
  versionCheck = null;

  passthru.atproto.module = "services.atproto.knot";

  meta = {
    description = "Tangled's git server: hosts repositories for the Tangled code forge on the AT Protocol";
    longDescription = ''
      A knot hosts git repositories for Tangled, a code collaboration
      platform built on the AT Protocol. Repositories, collaborators and
      access rules are AT Protocol records; the knot follows them through
      Jetstream and serves the repositories to the Tangled AppView and to
      git clients.

      One binary, several subcommands:
      - `knot server` runs the public HTTP server (`KNOT_SERVER_LISTEN_ADDR`,
        default `0.0.0.0:5555`) and an internal API on loopback
        (`KNOT_SERVER_INTERNAL_LISTEN_ADDR`, default `127.0.0.1:5444`), with
        its state in SQLite (`KNOT_SERVER_DB_PATH`) and repositories under
        `KNOT_REPO_SCAN_PATH`. It needs `KNOT_SERVER_HOSTNAME` and
        `KNOT_SERVER_OWNER` (the owner's DID);
      - `knot keys` prints the members' SSH keys for sshd's
        `AuthorizedKeysCommand`;
      - `knot guard` checks every git-over-SSH command against the access
        rules;
      - `knot hook` runs from the repositories' git hooks.

      Git over SSH goes through the host's sshd as a dedicated user (usually
      `git`). The wrapper puts git on the PATH of every subcommand.
    '';
    inherit (tangled) homepage changelog license;
    mainProgram = "knot";
    platforms = lib.platforms.linux;
  };
}
