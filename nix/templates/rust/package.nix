{ lib, atprotoLib }:
atprotoLib.buildRustApplication {
  pname = "hello-atproto";
  version = "0.1.0";
  # This folder; for a published app use fetchFromGitHub { owner; repo; tag; hash; }.
  src = lib.cleanSource ./.;
  # Dependencies come from the lockfile; git dependencies also need
  # `outputHashes."<crate>-<version>"` (NAR hash of that checkout).
  cargoLock.lockFile = ./Cargo.lock;
  binaries = [ "hello-atproto" ];
  meta = {
    description = "Example AT Protocol service";
    homepage = "https://example.org/hello-atproto";
    license = lib.licenses.mit;
    mainProgram = "hello-atproto";
  };
}
