# The backlinks index only exists in indexer builds: asking for it in relay
# mode must stop evaluation with a message naming the parameters.
# expect-error: hydrant: withBacklinks needs mode = "indexer"
{ lib }:
let
  helpers = import ./cargo-lock.nix { inherit lib; };
in
(helpers.specOf ../../pkgs/hydrant/package.nix {
  mode = "relay";
  withBacklinks = true;
}).pname
