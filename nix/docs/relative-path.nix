# Turns an evaluated file name into a repository-relative one for the docs:
#   "<root>/nix/modules/pds.nix"                  -> "nix/modules/pds.nix"
#   "/nix/store/<hash>-source/nix/modules/pds.nix" -> "nix/modules/pds.nix"
#   "<root>/nix/pkgs/pds/package.nix:13"          -> "nix/pkgs/pds/package.nix:13"
# Anything else (a file outside the repository) is returned unchanged.
{
  lib,
  # The checkout the evaluation reads (repo.root); under a flake it is the
  # store copy itself.
  root,
}:
path:
let
  s = toString path;
  rootPrefix = root + "/";
  storePrefix = builtins.storeDir + "/";
in
if lib.hasPrefix rootPrefix s then
  lib.removePrefix rootPrefix s
else if lib.hasPrefix storePrefix s then
  # drop the "<hash>-<name>" store entry
  lib.concatStringsSep "/" (lib.drop 1 (lib.splitString "/" (lib.removePrefix storePrefix s)))
else
  s
