# The Node.js template ships without a dependency hash (it depends on the
# new project's lockfile); evaluating it says exactly what to add.
# expect-error: buildNodeApplication `hello-atproto`
# expect-error: missing required attribute `depsHash`
{ repo }:
(repo.callMetadataPackage (repo.rootPath + "/nix/templates/node/package.nix")).name
