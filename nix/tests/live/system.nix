# The units of every services.atproto service a NixOS configuration file
# enables, as the live tests run them (RenderSystem in unit.go): the file
# evaluated with the project's stand-in NixOS (nix/tests/modules/eval.nix),
# each package named in `exes` replaced by a stand-in whose lib.getExe is
# the locally built program.
#
#   nix-instantiate --eval --strict --json nix/tests/live/system.nix \
#     --arg file ./examples/x.nix --argstr exes '{"relay":"/path/bin/relay"}'
#
# `exes` is JSON (module name -> program ending in /bin/<program>; a key
# "<module>.<path>" sets that package option below the module); `extra`
# is one more NixOS module (e.g. the secrets' paths), or a list of them.
# With `etc` (a name under /etc, such as "ssh/atproto-knot-keys"), the
# result is that file's text instead: a script a module installs for
# another program to run.
{
  file,
  exes,
  version ? "live-test",
  extra ? [ ],
  etc ? null,
}:
let
  lib = import <nixpkgs/lib>;
  eval = import ../modules/eval.nix { inherit lib; };
  render = import ./render.nix { inherit lib eval; };
  programs = builtins.fromJSON exes;

  result = eval.checked (
    [
      file
      # The file may be one of examples/, which set NixOS options outside
      # services.atproto (nixpkgs.config, nginx, …): the examples' stubs.
      ../examples/foreign-stubs.nix
      {
        # A key with a dot names a package option below the module, e.g.
        # "rsky-feedgen.firehose" for services.atproto.rsky-feedgen.firehose.package.
        services.atproto = lib.foldl' lib.recursiveUpdate { } (
          lib.mapAttrsToList (
            key: exe: lib.setAttrByPath (lib.splitString "." key ++ [ "package" ]) (render.packageOf exe version)
          ) programs
        );
      }
    ]
    ++ (if builtins.isList extra then extra else [ extra ])
  );
  inherit (result) config;
  enabled = builtins.filter (m: config.services.atproto.${m}.enable or false) (
    builtins.attrNames (removeAttrs eval.modules [ "default" ])
  );
in
if etc != null then
  config.environment.etc.${etc}.text
else
  lib.genAttrs enabled (render.module config)
