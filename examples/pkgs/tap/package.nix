# tap packaged on its own from its release tag: the shape of any Go program
# in nix/pkgs/<name>/package.nix. (The repository itself builds tap from the
# indigo pin it shares with relay, rainbow and hepa, nix/pkgs/_sources/indigo.nix.)
{
  lib,
  atprotoLib,
  fetchFromGitHub,
}:

atprotoLib.buildGoApplication (finalAttrs: {
  pname = "tap";
  version = "0.1.10";

  src = fetchFromGitHub {
    owner = "bluesky-social";
    repo = "indigo";
    tag = "tap-v${finalAttrs.version}";
    # git archive tap-v0.1.10 | tar -x -C DIR && nix-hash --type sha256 DIR
    hash = "sha256-nDOLIRWTyj/R0h+70+bGi85RVe2OKLNbnSaKyyqc93Q=";
  };
  # In that tree: GOFLAGS=-mod=mod go mod vendor && nix-hash --type sha256 vendor
  vendorHash = "sha256-s1S+b+QbptqJ2mxqkvsn7M5VWfLrlwpWgRjg6lq2WVE=";

  subPackages = [ "cmd/tap" ];

  # The repository's tags name several programs; follow tap's only.
  updateScript.extraArgs = [ "--version-regex=tap-v(.*)" ];

  # Without VCS data in the build, `tap --version` says "devel" (the shared
  # indigo pin patches that); so no version test here.
  versionCheck = null;

  passthru.atproto.module = "services.atproto.tap";

  meta = {
    description = "AT Protocol sync utility delivering filtered, verified repository events as JSON";
    homepage = "https://github.com/bluesky-social/indigo";
    # LICENSE-DUAL: MIT or Apache-2.0, at your option.
    license = with lib.licenses; [
      mit
      asl20
    ];
    mainProgram = "tap";
  };
})
