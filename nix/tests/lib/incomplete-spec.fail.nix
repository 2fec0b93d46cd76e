# Every problem of a spec is listed at once: malformed metadata, an unknown
# package manager, an unpinned source and a mainProgram that is not installed.
# expect-error: buildNodeApplication `web`
# expect-error: `meta.homepage` must be an http(s) URL string
# expect-error: `meta.license` must be lib.licenses.<name> or a list of them
# expect-error: `packageManager` = "bun"; expected one of "pnpm", "npm", "yarn"
# expect-error: `src` is not pinned by a hash
# expect-error: `meta.mainProgram` = "web" is not one of `entryPoints` (server)
{ lib, repo }:
(repo.atprotoLib.buildNodeApplication {
  pname = "web";
  version = "1.0.0";
  src = repo.atprotoLib.metadata.fetchers.fetchurl { url = "https://example.invalid/web.tgz"; };
  packageManager = "bun";
  depsHash = "sha256-TZ+lUdICkLZfHPvU1qEUeB3wasBKJpGo2lMk4eeyjas=";
  entryPoints.server = "server.js";
  meta = {
    description = "A web app";
    homepage = "example.org";
    license = "MIT";
    mainProgram = "web";
  };
}).name
