# nurdocs, the documentation site generator (./cmd/nurdocs), for the flake.
#
# vendorHash is the NAR hash of `go mod vendor` for this repository's
# go.mod/go.sum and imports; nix/docs/vendor-hash recomputes it (the Nix test
# runner warns when it is stale). Update it whenever go.mod, go.sum or the set
# of imported packages changes.
{
  lib,
  buildGoModule,
  buildGo126Module ? null,
  version,
}:
let
  root = ../..;
  # Only what the Go build reads, so editing nix/ or content/ does not
  # rebuild nurdocs. (cleanSourceWith rather than lib.fileset so this also
  # evaluates on Nix 2.8, where the tests run.)
  inputs = import ./nurdocs-inputs.nix;
  src = lib.cleanSourceWith {
    name = "nurdocs-source";
    src = root;
    filter =
      path: _type:
      let
        rel = lib.removePrefix (toString root + "/") (toString path);
      in
      lib.elem (lib.head (lib.splitString "/" rel)) inputs;
  };
  # go.mod asks for Go 1.26; use that toolchain where nixpkgs has it by name.
  build = if buildGo126Module != null then buildGo126Module else buildGoModule;
in
build {
  pname = "nurdocs";
  inherit version src;
  vendorHash = import ./vendor-hash.nix;
  subPackages = [ "cmd/nurdocs" ];
  ldflags = [
    "-s"
    "-w"
  ];
  # The Go tests need the shared corpus and a browser; ./scripts/test runs them.
  doCheck = false;
  meta = {
    description = "Documentation site generator for atproto-nur's packages, NixOS options and guides";
    homepage = "https://github.com/atproto-nur/atproto-nur";
    license = lib.licenses.mit;
    mainProgram = "nurdocs";
    platforms = lib.platforms.unix;
  };
}
