# Hashes must be SRI strings, a Rust build needs its lockfile, and meta
# needs a homepage.
# expect-error: buildRustApplication `relay`
# expect-error: `cargoLock.outputHashes."dep-0.1.0"` = "0000000000000000000000000000000000000000000000000000" is not an SRI hash
# expect-error: `cargoLock` needs `lockFile`
# expect-error: missing `meta.homepage`
{ lib, repo }:
(repo.atprotoLib.buildRustApplication {
  pname = "relay";
  version = "1.0.0";
  src = repo.atprotoLib.metadata.fetchers.fetchFromGitHub {
    owner = "at-microcosm";
    repo = "allegedly";
    rev = "0a986b17d3ed8f3c0f0e115199f938e41edca1bf";
    hash = "sha256-0dpC2YLneoj9ylb+jkzzhvKH4ZbbBpLy0326pOeS2Qs=";
  };
  cargoLock.outputHashes."dep-0.1.0" = "0000000000000000000000000000000000000000000000000000";
  meta = {
    description = "Relay";
    license = lib.licenses.asl20;
    mainProgram = "relay";
  };
}).meta
