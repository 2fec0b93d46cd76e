{ lib, atprotoLib }:
atprotoLib.buildGoApplication {
  pname = "hello-atproto";
  version = "0.1.0";
  # This folder; for a published app use fetchFromGitHub { owner; repo; tag; hash; }.
  src = lib.cleanSource ./.;
  # No dependencies yet, so nothing to vendor. Once go.mod requires modules,
  # set the NAR hash of the vendor folder:
  #   GOFLAGS=-mod=mod go mod vendor && nix-hash --type sha256 --sri vendor && rm -r vendor
  vendorHash = null;
  ldflags = [
    "-s"
    "-w"
    "-X main.version=0.1.0"
  ];
  meta = {
    description = "Example AT Protocol service";
    homepage = "https://example.org/hello-atproto";
    license = lib.licenses.mit;
    mainProgram = "hello-atproto";
  };
}
