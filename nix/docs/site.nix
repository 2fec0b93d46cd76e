# The built documentation site: nurdocs rendering the docs export (evaluated
# by the flake, so no Nix runs inside the build) and the guides in content/.
{
  lib,
  runCommand,
  nurdocs,
  docsData,
  baseUrl ? "/",
}:
let
  root = ../..;
  content = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.unions (
      map (dir: lib.fileset.maybeMissing (root + "/${dir}")) [
        "content"
        "themes"
      ]
    );
  };
in
runCommand "atproto-nur-docs-site"
  {
    nativeBuildInputs = [ nurdocs ];
    docsJSON = builtins.toJSON docsData;
    passAsFile = [ "docsJSON" ];
  }
  ''
    cp -r --no-preserve=mode ${content} source
    cd source
    nurdocs build --data "$docsJSONPath" --base-url ${lib.escapeShellArg baseUrl} --out "$out"
  ''
