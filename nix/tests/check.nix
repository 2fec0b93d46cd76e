# The flake's `checks.<system>.eval-tests`: nix/tests/run inside a build,
# with nixpkgs (the flake input) on NIX_PATH and a private Nix store, since
# the build sandbox has no daemon to talk to.
{
  runCommand,
  nix,
  bash,
  gnused,
  gawk,
  findutils,
  src,
  nixpkgsPath,
}:
runCommand "atproto-nur-eval-tests"
  {
    nativeBuildInputs = [
      nix
      bash
      gnused
      gawk
      findutils
    ];
  }
  ''
    export HOME=$TMPDIR
    export NIX_STATE_DIR=$TMPDIR/nix/var NIX_STORE_DIR=$TMPDIR/nix/store
    export NIX_LOG_DIR=$TMPDIR/nix/var/log NIX_CONF_DIR=$TMPDIR/nix/etc
    nix-store --init
    export NIX_PATH=nixpkgs=${nixpkgsPath}
    cp -r --no-preserve=mode ${src} source
    chmod +x source/nix/tests/run
    bash source/nix/tests/run
    touch $out
  ''
