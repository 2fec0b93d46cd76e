# Programs that have a NixOS module here but no package yet, each with the
# reason, in a sentence for users. The docs show it on the module's page;
# nix/tests/pkgs/unpackaged.test.nix keeps this list equal to the modules
# whose package is missing, so an entry goes when its package lands.
{
  ozone = "its Yarn 4 lockfile at the revision the module follows pins @atproto/ozone 0.1.167, which the npm registry this repository is packaged against does not serve, so that dependency's hash cannot be checked. Set services.atproto.ozone.package to your own build of it.";
}
