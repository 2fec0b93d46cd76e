{
  lib,
  atprotoLib,
  fetchFromGitHub,
  cmake,
  openssl,
  pkg-config,
  rustPlatform,
}:

let
  microcosm = import ../_sources/microcosm.nix { inherit fetchFromGitHub; };
  crate = microcosm.crate { inherit cmake openssl pkg-config rustPlatform; };
in
atprotoLib.buildRustApplication (
  crate {
    pname = "constellation";

    # The server is the crate's `main` binary (its default-run); the other
    # two are RocksDB maintenance tools.
    binaries = [ "main" ];
    postInstall = ''
      mv $out/bin/main $out/bin/constellation
    '';

    meta = {
      description = "Global AT Protocol backlink index: who links to a record, DID or URL, as a JSON API";
      longDescription = ''
        constellation, from microcosm, reads the whole network's records from
        a Jetstream and indexes every link in them (at-uris, DIDs and URLs,
        in any lexicon), so clients can ask which records point at a given
        target and how many: likes, replies, follows, quotes and anything
        else. It keeps link counts correct through record deletions and
        account deactivation or deletion.

        `constellation` takes command-line flags only: `--jetstream` (a
        `wss://` URL or a region shorthand such as `us-east-1`; required),
        `--bind` (default `0.0.0.0:6789`), `--backend` (`memory`, the
        default, keeps nothing across restarts; `rocks` is a RocksDB store
        under `--data`), optional
        Prometheus metrics (`--collect-metrics`, `--bind-metrics`), a
        did:web document (`--did-web-domain`) and scheduled RocksDB backups
        (`--backup`, `--backup-interval`, `--max-old-backups`).
      '';
      homepage = microcosm.homepageOf "constellation";
      changelog = microcosm.changelogOf "constellation";
      # constellation/LICENSE: AGPL-3.0 (LICENSE.future: maybe MIT/Apache
      # later, not today).
      license = lib.licenses.agpl3Only;
      mainProgram = "constellation";
      platforms = lib.platforms.linux;
    };
  }
)
