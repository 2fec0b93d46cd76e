# A placeholder hash is refused, naming the builder, package, file and fix.
# expect-error: buildGoApplication `tap` (
# expect-error: fake-hash.fail.nix:
# expect-error: `vendorHash` is a placeholder hash; compute the real one
{ lib, repo }:
(repo.atprotoLib.buildGoApplication {
  pname = "tap";
  version = "0.1.10";
  src = repo.atprotoLib.metadata.fetchers.fetchFromGitHub {
    owner = "bluesky-social";
    repo = "indigo";
    tag = "tap-v0.1.10";
    hash = "sha256-nDOLIRWTyj/R0h+70+bGi85RVe2OKLNbnSaKyyqc93Q=";
  };
  vendorHash = lib.fakeHash;
  meta = {
    description = "ATProto firehose sync utility";
    homepage = "https://github.com/bluesky-social/indigo";
    license = lib.licenses.mit;
    mainProgram = "tap";
  };
}).meta
