{ lib, atprotoLib }:
atprotoLib.buildNodeApplication {
  pname = "hello-atproto";
  version = "0.1.0";
  # This folder; for a published app use fetchFromGitHub { owner; repo; tag; hash; }.
  src = lib.cleanSource ./.;
  packageManager = "npm"; # or "pnpm" (pnpm-lock.yaml), "yarn" (yarn.lock)
  # The hash of the dependencies in package-lock.json. After each change of
  # the lockfile, compute it with nixpkgs' prefetch-npm-deps and paste it here:
  #   nix run nixpkgs#prefetch-npm-deps -- package-lock.json
  # (pnpm: the hash fetchPnpmDeps reports; yarn: nix run nixpkgs#prefetch-yarn-deps -- yarn.lock)
  # Until then, building stops with "missing required attribute `depsHash`".
  # depsHash = "sha256-...";
  entryPoints.hello-atproto = "server.js";
  # A web front end built with vite into dist/ would add:
  #   assets = { builder = "vite"; };
  meta = {
    description = "Example AT Protocol service";
    homepage = "https://example.org/hello-atproto";
    license = lib.licenses.mit;
    mainProgram = "hello-atproto";
  };
}
