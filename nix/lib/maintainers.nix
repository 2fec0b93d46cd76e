# The people who answer for this repository's packages, in the shape of
# nixpkgs' maintainer-list.nix. Builders put every entry here into
# `meta.maintainers` unless a package names its own.
{
  atproto-nur = {
    name = "atproto-nur maintainers";
    github = "atproto-nur";
  };
}
