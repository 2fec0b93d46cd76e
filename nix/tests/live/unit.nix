# The systemd units one module generates, as the live tests run them
# (nix/tests/live/unit.go): the module enabled with its minimal configuration
# (nix/tests/modules/minimal.nix) plus `extra`, evaluated with the project's
# stand-in NixOS (nix/tests/modules/eval.nix), its package replaced by a
# stand-in whose `lib.getExe` is the locally built program.
#
#   nix-instantiate --eval --strict --json nix/tests/live/unit.nix \
#     --argstr module relay --argstr exe /path/bin/relay --arg extra '{ }'
#
# `exe` must end in /bin/<program>, the shape lib.getExe gives. `extra` is
# an attribute set of the module's options, or a list of them (merged).
{
  module,
  exe,
  version ? "live-test",
  extra ? { },
}:
let
  lib = import <nixpkgs/lib>;
  eval = import ../modules/eval.nix { inherit lib; };
  render = import ./render.nix { inherit lib eval; };
  minimal = import ../modules/minimal.nix;

  result = eval.checked [
    {
      services.atproto.${module} = lib.mkMerge (
        [
          (minimal.${module} or { })
          {
            enable = true;
            package = render.packageOf exe version;
          }
        ]
        ++ (if builtins.isList extra then extra else [ extra ])
      );
    }
  ];
in
render.module result.config module
