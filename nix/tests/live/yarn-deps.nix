# The per-tarball dependency list of a packageManager = "yarn-berry"
# package (nix/pkgs/<name>/deps.nix, made by internal/yarnlock/yarndeps),
# read as JSON by buildyarnberry.go:
#
#   nix-instantiate --eval --strict --json nix/tests/live/yarn-deps.nix --arg file /path/to/deps.nix
{ file }:
import file
