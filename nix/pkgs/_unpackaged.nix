# Programs that have a NixOS module here but no package yet, each with the
# reason, in a sentence for users. The docs show it on the module's page;
# nix/tests/pkgs/unpackaged.test.nix keeps this list equal to the modules
# whose package is missing, so an entry goes when its package lands.
{
}
