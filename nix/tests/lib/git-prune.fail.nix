# cargoGitPrune entries must name a git dependency of the lock, have the
# pruned checkout's hash in outputHashes, and list relative paths.
# expect-error: buildRustApplication `app`
# expect-error: `cargoGitPrune."nope-1.0.0"` names no git dependency of the Cargo.lock
# expect-error: `cargoGitPrune."nope-1.0.0"` needs `cargoLock.outputHashes."nope-1.0.0"` (the hash of the pruned checkout)
# expect-error: `cargoGitPrune."small-2.0.0"` must be a non-empty list of relative paths inside the checkout
{ lib, repo }:
(repo.atprotoLib.buildRustApplication {
  pname = "app";
  version = "0.1.0";
  src = repo.atprotoLib.metadata.fetchers.fetchFromGitHub {
    owner = "at-microcosm";
    repo = "allegedly";
    rev = "0a986b17d3ed8f3c0f0e115199f938e41edca1bf";
    hash = "sha256-0dpC2YLneoj9ylb+jkzzhvKH4ZbbBpLy0326pOeS2Qs=";
  };
  cargoLock = {
    lockFile = ./fixtures/git.Cargo.lock;
    outputHashes."small-2.0.0" = "sha256-c21hbGxzbWFsbHNtYWxsc21hbGxzbWFsbHNtYWxsc20=";
  };
  cargoGitPrune = {
    "nope-1.0.0" = [ "data" ];
    "small-2.0.0" = [ "../outside" ];
  };
  meta = {
    description = "App";
    homepage = "https://github.com/at-microcosm/allegedly";
    license = lib.licenses.asl20;
    mainProgram = "app";
  };
}).meta
