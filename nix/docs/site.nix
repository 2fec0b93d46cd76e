# The built documentation site: nurdocs rendering the docs export and the
# guides in content/. The flake evaluates the export (no Nix runs inside the
# build); the build reads it as nurdocs' snapshot (site/data/atproto.json).
{
  lib,
  runCommand,
  nurdocs,
  docsData,
  revision ? null,
  baseUrl ? "/",
}:
let
  root = ../..;
  # The guides and theme; the Nix data comes from docsData.
  sources = lib.cleanSourceWith {
    name = "atproto-nur-docs-sources";
    src = root;
    filter =
      path: _type:
      lib.elem (lib.head (lib.splitString "/" (lib.removePrefix (toString root + "/") (toString path)))) [
        "content"
        "themes"
      ];
  };
in
runCommand "atproto-nur-docs-site"
  {
    nativeBuildInputs = [ nurdocs ];
    inherit sources;
    docsJSON = builtins.toJSON docsData;
    passAsFile = [ "docsJSON" ];
  }
  ''
    cp -r --no-preserve=mode "$sources" repo
    mkdir -p repo/site/data
    cp "$docsJSONPath" repo/site/data/atproto.json
    nurdocs build --repo repo --source snapshot \
      --base-url ${lib.escapeShellArg baseUrl} \
      ${lib.optionalString (revision != null) "--revision ${lib.escapeShellArg revision}"} \
      --out "$out"
  ''
