# knot and spindle are programs of one repository (Tangled's core): one pin,
# one vendor hash, each built from its own cmd/ folder, and the modules that
# run them find them as pkgs.atproto.knot / .spindle.
{ lib, repo }:
let
  programs = [
    "knot"
    "spindle"
  ];
  pkgs = lib.getAttrs programs repo.packages;
  pin = import (repo.rootPath + "/nix/pkgs/_sources/tangled.nix") {
    inherit lib;
    fetchFromGitHub = args: args;
  };
  # What a package.nix hands the Go builder, including the keys metadata
  # mode drops (ldflags, postInstall, buildInputs).
  specOf =
    name:
    let
      f = import (repo.rootPath + "/nix/pkgs/${name}/package.nix");
      known = {
        inherit lib;
        atprotoLib.buildGoApplication = spec: spec;
        fetchFromGitHub = args: args;
        makeWrapper = "makeWrapper";
        git = "/git";
        sqlite = "sqlite";
      };
    in
    f (builtins.intersectAttrs (builtins.functionArgs f) known);
  knot = specOf "knot";

  # Per pinned commit: source hash (git archive + nix-hash) and vendor hash
  # (go mod vendor + nix-hash). A new pin needs its own entry.
  pins."db394ce9948e35b5659be7d1097176188fdbacdb" = {
    src = "sha256-ayJd9sZhRZ374ov+n9r26ZbV8UOoB9oT41ijcu1Hycw=";
    vendor = "sha256-yPLS7JCTqHvWYMp3opn3aqm7ImGQTLYK0qIOmQU9YLk=";
  };

  each = f: lib.mapAttrs (_: f) pkgs;
  same = v: lib.genAttrs programs (_: v);
in
lib.runTests {
  testOnePinForBoth = {
    expr = each (p: {
      inherit (p.src) owner repo rev hash;
      inherit (p) version vendorHash;
    });
    expected = same {
      inherit (pin.src) owner repo rev hash;
      inherit (pin) version vendorHash;
    };
  };

  testHashesBelongToThisCommit = {
    expr = {
      src = pin.src.hash;
      vendor = pin.vendorHash;
    };
    expected = pins.${pin.rev} or { };
  };

  testEachBuildsItsOwnCommand = {
    expr = lib.genAttrs programs (name: (specOf name).subPackages);
    expected = lib.genAttrs programs (name: [ "cmd/${name}" ]);
  };

  # Upstream's build links the system SQLite (go-sqlite3's libsqlite3 tag).
  testSystemSqlite = {
    expr = lib.genAttrs programs (name: {
      inherit (specOf name) tags buildInputs;
    });
    expected = same {
      tags = [ "libsqlite3" ];
      buildInputs = [ "sqlite" ];
    };
  };

  # The version the knot reports over XRPC is the package's, and every
  # subcommand (sshd runs `knot guard` and `knot keys`) finds git.
  testKnotVersionAndGit = {
    expr = {
      stamped = lib.elem "-X tangled.org/core/knotserver/xrpc.version=${pin.version}" knot.ldflags;
      wrapped = lib.hasInfix "wrapProgram $out/bin/knot --prefix PATH : /git/bin" knot.postInstall;
    };
    expected = {
      stamped = true;
      wrapped = true;
    };
  };

  testModulesUseThem = {
    expr = each (p: p.passthru.atproto.module);
    expected = lib.genAttrs programs (name: "services.atproto.${name}");
  };
}
