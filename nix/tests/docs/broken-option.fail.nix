# An option whose default cannot be rendered (it needs a real package set and
# has no defaultText) fails the export with a line naming the option and its
# file, then the original error.
# expect-error: atproto-nur docs export: option `services.atproto.broken.dataDir' (nix/tests/docs/broken-option.fail.nix:13) does not evaluate
# expect-error: must come with defaultText
# expect-error: stateDirectory needs a real package set
{ lib, repo }:
let
  fixtureRepo = repo // {
    packages = { };
    templates = { };
    modules.broken = {
      options.services.atproto.broken.dataDir = lib.mkOption {
        type = lib.types.str;
        default = throw "stateDirectory needs a real package set";
        description = "Needs pkgs.";
      };
    };
  };
in
(import ../../docs {
  inherit lib;
  repo = fixtureRepo;
}).options
