{
  lib,
  atprotoLib,
  fetchFromGitHub,
}:

let
  version = "0.10";
in
atprotoLib.buildGoApplication {
  pname = "cocoon";
  inherit version;

  src = fetchFromGitHub {
    owner = "haileyok";
    repo = "cocoon";
    tag = "v${version}";
    hash = "sha256-SvLXtn4Nr8zcvvjGarNLYeKqyniI6eg50cnqV6Q+3/s=";
  };

  vendorHash = "sha256-Vkf5XyJA/Vdufa1OpCzgIGSQa5pVsFCTfaAVI7l947E=";

  subPackages = [ "cmd/cocoon" ];

  # Upstream stamps main.Version at build time. It matters beyond
  # `--version`: with the default "dev" the server reads its HTML templates
  # from ./server/templates in the working directory instead of the copies
  # embedded in the binary.
  ldflags = [
    "-s"
    "-w"
    "-X main.Version=${version}"
  ];

  # `cocoon --version` prints "cocoon version <version>" (urfave/cli).
  versionCheck = { };

  passthru.atproto.module = "services.atproto.cocoon";

  meta = {
    description = "AT Protocol Personal Data Server (PDS) written in Go, with SQLite or PostgreSQL storage";
    longDescription = ''
      Cocoon is an independent PDS implementation: it hosts accounts, their
      signed repositories and blobs, OAuth sign-in and the account event
      stream, and announces itself to relays (`--relays`). Its author
      calls it experimental.

      `cocoon run` listens on `:8080` (`COCOON_ADDR`) and needs the PDS DID
      and hostname, a PLC rotation key and an OAuth private JWK (create them
      with `cocoon create-rotation-key` and `cocoon create-private-jwk`), a
      contact email, an admin password and a session secret. Every flag has
      a `COCOON_*` environment variable.

      Optional features, all chosen at run time:
      - database: SQLite (`cocoon.db`, compiled in) or PostgreSQL
        (`--db-type postgres` with `--database-url`);
      - blobs in S3-compatible storage (`--s3-blobstore-enabled`, optional
        CDN redirect with `--s3-cdn-url`) and, for SQLite, database backups
        to S3 (`--s3-backups-enabled`);
      - email through SMTP (`--smtp-*`) for confirmations and password
        resets;
      - invite codes (`--require-invite`, default on;
        `cocoon create-invite-code`);
      - a default service (`--fallback-proxy`) for proxied XRPC requests
        that name none.

      `cocoon reset-password` and `cocoon recommit-repos` are admin tools.
    '';
    homepage = "https://github.com/haileyok/cocoon";
    changelog = "https://github.com/haileyok/cocoon/releases/tag/v${version}";
    license = lib.licenses.mit;
    mainProgram = "cocoon";
    platforms = lib.platforms.linux;
  };
}
