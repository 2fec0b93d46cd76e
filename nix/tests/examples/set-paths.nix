# The NixOS option paths that the examples set outside services.atproto.*,
# for examples/nixos_options_test.go, which looks each one up in the NixOS
# option corpus (those options are only loosely stubbed here, so a typo in
# them would otherwise go unnoticed):
#   { "pds-nginx.nix" = [ [ "services" "nginx" "virtualHosts" "pds.example.com" "forceSSL" ] … ]; … }
#   nix-instantiate --eval --strict --json nix/tests/examples/set-paths.nix
let
  lib = import <nixpkgs/lib>;
  repo = import ../lib/repo.nix { inherit lib; };
  ex = import ./evaluate.nix { inherit lib repo; };
  ownDir = toString (repo.rootPath + "/nix");

  # The attribute paths below a defined value, down to its leaves (lists,
  # strings, packages, functions, empty sets); mkIf, mkMerge and priorities
  # are looked through.
  walk =
    v:
    if builtins.isAttrs v && v ? _type then
      if v._type == "if" then
        walk v.content
      else if v._type == "merge" then
        lib.concatMap walk v.contents
      else if v._type == "override" || v._type == "order" then
        walk v.content
      else
        [ [ ] ]
    else if builtins.isAttrs v && v != { } && (v.type or null) != "derivation" then
      lib.concatLists (lib.mapAttrsToList (k: sub: map (p: [ k ] ++ p) (walk sub)) v)
    else
      [ [ ] ];

  pathsOf =
    result:
    let
      options = lib.collect lib.isOption result.options;
      fromExamples = opt: builtins.filter (d: !(lib.hasPrefix ownDir (toString d.file))) opt.definitionsWithLocations;
    in
    lib.unique (
      lib.concatMap (
        opt:
        if lib.take 2 opt.loc == [ "services" "atproto" ] || lib.head opt.loc == "_module" then
          [ ]
        else
          lib.concatMap (d: map (p: opt.loc ++ p) (walk d.value)) (fromExamples opt)
      ) options
    );
in
lib.genAttrs ex.moduleNames (name: pathsOf (ex.module name))
// {
  "flake.nix" = pathsOf (ex.flake "flake.nix").nixosConfigurations.pds;
}
