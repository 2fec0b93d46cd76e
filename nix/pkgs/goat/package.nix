{
  lib,
  atprotoLib,
  fetchFromGitHub,
}:

let
  version = "0.2.4";
in
atprotoLib.buildGoApplication {
  pname = "goat";
  inherit version;

  src = fetchFromGitHub {
    owner = "bluesky-social";
    repo = "goat";
    tag = "v${version}";
    hash = "sha256-a9krG9OufTOwWIvtjz3emb8KKqdLxxCdbhsNqz0dWdM=";
  };

  # As computed by nixpkgs for this same version (atproto-goat 0.2.4). It
  # cannot be recomputed here: the module tangled.org/bnewbold.net/cobalt is
  # not served by the Go module proxy reachable from this build machine.
  vendorHash = "sha256-QVnpISwYri8aL4umZWi2LJ0X13CXXK7JygaBh1Sq5PA=";

  # main.go prefers this over versioninfo.Short(), which would print "devel"
  # without VCS data in the build.
  ldflags = [
    "-s"
    "-w"
    "-X main.version=${version}"
  ];

  # `goat --version` prints "goat version <version>" (urfave/cli).
  versionCheck = { };

  meta = {
    description = "Command-line tool for AT Protocol: records, identities, firehose, accounts and PDS administration";
    longDescription = ''
      `goat` is a general AT Protocol client, a bit like `curl` for atproto:
      resolve handles and DIDs (`goat resolve`), fetch and list records
      (`goat get`, `goat ls`), follow a firehose (`goat firehose`), export
      and inspect repositories and blobs, call XRPC endpoints (`goat xrpc`),
      manage PLC operations and keys, work with Lexicon schemas
      (`goat lex`), and log in to an account to create records or migrate
      it to another PDS (`goat account`).

      It also replaces the PDS distribution's `pdsadmin` script:
      `goat pds admin` lists, creates, updates, takes down and deletes
      accounts, resets passwords, manages blobs and invite codes, using the
      PDS admin password (`PDS_ADMIN_PASSWORD`) against `PDS_HOST`
      (default `http://localhost:3000`). `goat relay` queries and
      administers relays the same way.

      Note: `goat account login` stores the app password and session tokens
      in clear text under the user's home directory; `goat account logout`
      removes them.
    '';
    homepage = "https://github.com/bluesky-social/goat";
    changelog = "https://github.com/bluesky-social/goat/blob/v${version}/CHANGELOG.md";
    # LICENSE-DUAL: MIT or Apache-2.0, at the user's choice.
    license = with lib.licenses; [
      mit
      asl20
    ];
    mainProgram = "goat";
    platforms = lib.platforms.linux;
  };
}
