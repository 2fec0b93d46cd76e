# One pin of Tangled's `core` repository (tangled.org/core) shared by the
# programs built from it (knot, spindle): one source, one vendor hash, so
# both always build from the same commit.
#
# Tangled hosts `core` on its own forge; the source comes from the public
# GitHub mirror mary-ext/tangled.sh-mirror, whose history holds upstream's
# release tags (v1.11.0-alpha and earlier). `rev` is the mirror's master,
# 14 commits after v1.11.0-alpha: the newest master of the public mirrors
# found (the Go module proxy does not serve tangled.org/core either).
#
# Hashes (computed here, method in the commit message):
# - hash: `git archive <rev> | tar -x -C DIR; nix-hash --type sha256 DIR`
# - vendorHash: in that tree, `GOFLAGS=-mod=mod go mod vendor;
#   nix-hash --type sha256 vendor` (Go 1.26.8). go.mod replaces
#   bluekeyes/go-gitdiff with tangled.sh/oppi.li/go-gitdiff v0.8.2, which
#   the Go module proxy does not serve; a Nix build's `go mod vendor`
#   falls back to fetching it from Tangled's forge, and go.sum pins its
#   content (h1:pASJJNWa…). go.mod and go.sum are the same as at
#   v1.11.0-alpha, so the vendor hash is that tag's too.
{ lib, fetchFromGitHub }:

let
  rev = "db394ce9948e35b5659be7d1097176188fdbacdb";
  # Last release tag before `rev`, and the committer date of `rev`. Spelled
  # out so nix-update finds and replaces it in this file.
  version = "1.11.0-alpha-unstable-2025-12-03";
in
{
  inherit rev version;

  src = fetchFromGitHub {
    owner = "mary-ext";
    repo = "tangled.sh-mirror";
    inherit rev;
    hash = "sha256-ayJd9sZhRZ374ov+n9r26ZbV8UOoB9oT41ijcu1Hycw=";
  };

  vendorHash = "sha256-yPLS7JCTqHvWYMp3opn3aqm7ImGQTLYK0qIOmQU9YLk=";

  # Both programs store their state in SQLite through mattn/go-sqlite3;
  # upstream's own build links a system SQLite with this tag.
  tags = [ "libsqlite3" ];

  # Both programs update the one pin here, through the `knot` attribute.
  updateScript.extraArgs = [
    "knot"
    "--override-filename"
    "nix/pkgs/_sources/tangled.nix"
  ];

  license = lib.licenses.mit;

  homepage = "https://tangled.org/@tangled.org/core";
  # Upstream keeps no changelog; the history up to the pinned commit is the
  # closest thing.
  changelog = "https://github.com/mary-ext/tangled.sh-mirror/commits/${rev}";
}
