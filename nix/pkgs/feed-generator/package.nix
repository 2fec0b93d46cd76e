{
  lib,
  atprotoLib,
  fetchFromGitHub,
}:

# The repository holds two implementations of the same starter kit: the
# original TypeScript server (yarn) and, since February 2026, a Go port in
# go/. This package builds the Go port: the yarn dependency hash of the
# TypeScript one could not be computed where this was packaged (its lockfile
# pins @atproto/common 0.4.7, whose tarball the registry reachable there
# answered with 404), while the Go port's modules vendor cleanly. Both read the same FEEDGEN_* variables and serve the
# same endpoints.
atprotoLib.buildGoApplication {
  pname = "feed-generator";
  # No releases upstream; head of main.
  version = "0-unstable-2026-02-24";

  src = fetchFromGitHub {
    owner = "bluesky-social";
    repo = "feed-generator";
    rev = "e4f3b822261eff6c7a133aeea40cc849869cff9f";
    hash = "sha256-fG3LG3FFX+AG1OJHX2maACNSfWdCe+/uhENuTU9YkYY=";
  };
  sourceRoot = "go";

  vendorHash = "sha256-TUH2PQ/9dCSNx8IGQWFXNO0fv/9cROlzGBSy+axUkj4=";
  subPackages = [ "." ];

  # The module path ends in /go, so buildGoModule names the binary "go".
  postInstall = ''
    mv $out/bin/go $out/bin/feed-generator
  '';

  # No --version flag: the program starts serving immediately.
  versionCheck = null;

  meta = {
    description = "Bluesky's starter kit for AT Protocol custom feed generators (Go implementation)";
    longDescription = ''
      A feed generator follows the network's firehose, keeps the posts it
      cares about in SQLite and answers `app.bsky.feed.getFeedSkeleton`
      for the feeds it publishes; Bluesky clients then hydrate the skeleton
      into a timeline. This is the reference starter kit: it ships one
      example algorithm (`whats-alf`) and is meant to be forked and extended
      in `algos.go`.

      Configuration comes from the environment (or a `.env` file in the
      working directory): `FEEDGEN_PORT`, `FEEDGEN_LISTENHOST`,
      `FEEDGEN_HOSTNAME`, `FEEDGEN_SQLITE_LOCATION` (default `:memory:`),
      `FEEDGEN_SUBSCRIPTION_ENDPOINT`, `FEEDGEN_PUBLISHER_DID`,
      `FEEDGEN_SERVICE_DID` and `FEEDGEN_SUBSCRIPTION_RECONNECT_DELAY`.
      It serves `/.well-known/did.json` for its `did:web` identity.

      Built from the Go port in the repository's `go/` folder (SQLite via
      the pure-Go modernc.org/sqlite, no cgo); the TypeScript original is not
      packaged.
    '';
    homepage = "https://github.com/bluesky-social/feed-generator";
    license = lib.licenses.mit;
    mainProgram = "feed-generator";
    platforms = lib.platforms.linux;
  };
}
