# What `<atproto>` means while the examples are evaluated: this checkout's
# NUR entry point (default.nix), with a lib-only package set as its default
# `pkgs`, because only nixpkgs' lib is available to the tests.
{
  pkgs ? {
    lib = import <nixpkgs/lib>;
  },
}:
import ../../../../default.nix { inherit pkgs; }
