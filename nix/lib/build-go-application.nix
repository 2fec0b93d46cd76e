# buildGoApplication: a Go program from a pinned source and its vendor hash.
# Real mode wraps nixpkgs' buildGoModule; metadata mode needs only `lib`.
# Spec, examples and the shared keys: nix/lib/README.md.
{
  lib,
  pkgs ? null,
  support ? import ./build-support.nix { inherit lib pkgs; },
}:
specArg:
support.build {
  builder = "buildGoApplication";
  language = "go";
  inherit specArg;

  keys = [
    "vendorHash"
    "subPackages"
    "ldflags"
    "tags"
    "doCheck"
  ];

  errors =
    spec:
    support.missing spec [ "vendorHash" ]
    # vendorHash = null is how buildGoModule says "the source vendors its
    # dependencies", so it is allowed; anything else must be a real hash.
    ++ lib.optionals (spec ? vendorHash) (
      support.hashErrors {
        name = "vendorHash";
        value = spec.vendorHash;
        nullable = true;
      }
    )
    ++ lib.optional (
      !(lib.isList (spec.subPackages or [ ]))
    ) "`subPackages` must be a list of package paths like [ \"cmd/relay\" ]";

  extra = spec: {
    inherit (spec) vendorHash;
    subPackages = spec.subPackages or [ ];
  };

  mkDerivation = if pkgs == null then null else pkgs.buildGoModule;

  real =
    {
      spec,
      passthrough,
      meta,
      passthru,
      pos,
      ...
    }:
    passthrough
    // {
      inherit (spec) pname version src vendorHash;
      # A sub-folder of a Go source is its module root: vendoring and the
      # build both happen there, and `replace ../x` directives keep working.
      modRoot = if spec.sourceRoot or null != null then spec.sourceRoot else "./";
      subPackages = spec.subPackages or [ ];
      ldflags = spec.ldflags or [
        "-s"
        "-w"
      ];
      tags = spec.tags or [ ];
      doCheck = spec.doCheck or false;
      inherit meta passthru pos;
    };
}
