# Real mode of buildNodeApplication with packageManager = "yarn-berry": an
# offline Yarn 4 install from a per-tarball dependency list.
#
# `yarnDeps` is the file internal/yarnlock/yarndeps generates from the
# app's Yarn 4 lockfiles: the sha256 of each lockfile, and every package
# version they resolve to with its registry tarball URL, the registry's
# sha512 and the platforms Yarn fetches it on. Each tarball for this
# platform becomes a fetchurl; they are laid out under their URL paths and
# served on 127.0.0.1 by yarn-berry-registry.cjs while the build runs, with
# Yarn's npmRegistryServer pointed there. `yarn install --immutable` then
# refuses any lockfile change and checks each package against the
# lockfile's own checksum, so the install is the lockfile's, tarball for
# tarball. `yarnBerry` pins the Yarn release (the lockfile's
# `packageManager`; another release rewrites the lockfile and --immutable
# fails).
{ lib, pkgs }:
{
  pname,
  version,
  nodejs,
  yarnBerry,
  yarnDeps,
}:
let
  deps = import yarnDeps;
  host = pkgs.stdenv.hostPlatform;

  # Yarn's names for this platform (process.platform, process.arch, libc).
  platform = {
    os = "linux";
    cpu =
      if host.isx86_64 then
        "x64"
      else if host.isAarch64 then
        "arm64"
      else
        throw "buildNodeApplication (yarn-berry) `${pname}`: no Yarn cpu name for ${host.system}";
    libc = if host.isMusl then "musl" else "glibc";
  };
  fetchedHere =
    p: lib.all (k: lib.elem platform.${k} (p.conditions.${k} or [ platform.${k} ])) (lib.attrNames platform);

  # "https://registry.example/@scope/name/-/name-1.0.0.tgz" -> the registry
  # and "@scope/name/-/name-1.0.0.tgz"
  splitURL =
    url:
    let
      m = builtins.match "(https?://[^/]+)/(.+)" url;
    in
    if m == null then
      throw "buildNodeApplication (yarn-berry) `${pname}`: ${toString yarnDeps}: ${url} is not a registry tarball URL"
    else
      {
        registry = builtins.elemAt m 0;
        path = builtins.elemAt m 1;
      };
  registry = (splitURL (builtins.head deps.packages).url).registry;

  yarnTarballs = pkgs.linkFarm "${pname}-${version}-yarn-tarballs" (
    map (p: {
      name = (splitURL p.url).path;
      path = pkgs.fetchurl { inherit (p) url hash; };
    }) (builtins.filter fetchedHere deps.packages)
  );

  yarnCli = pkgs.fetchurl {
    url = "${registry}/@yarnpkg/cli-dist/-/cli-dist-${yarnBerry.version}.tgz";
    inherit (yarnBerry) hash;
  };

  checkLockfiles = lib.concatStrings (
    lib.mapAttrsToList (path: sum: ''
      echo ${lib.escapeShellArg "${sum}  ${path}"} | sha256sum --check --quiet || {
        echo ${lib.escapeShellArg "${path} is not the lockfile ${toString yarnDeps} was generated from; regenerate it with internal/yarnlock/yarndeps"} >&2
        exit 1
      }
    '') deps.lockfiles
  );
in
{
  inherit yarnTarballs;

  # Run at the start of configurePhase, in the app's folder: leaves `yarn`
  # (this release) on PATH, configured for the loopback registry, and the
  # registry running until `stop`.
  setup = ''
    ${checkLockfiles}
    export HOME=$TMPDIR/home
    mkdir -p "$HOME" "$TMPDIR/yarn-cli" "$TMPDIR/yarn-bin"
    tar -xzf ${yarnCli} -C "$TMPDIR/yarn-cli"
    cat > "$TMPDIR/yarn-bin/yarn" <<YARN
    #!${pkgs.runtimeShell}
    exec ${lib.getExe nodejs} $TMPDIR/yarn-cli/package/bin/yarn.js "\$@"
    YARN
    chmod +x "$TMPDIR/yarn-bin/yarn"
    export PATH="$TMPDIR/yarn-bin:$PATH"

    ${lib.getExe nodejs} ${./yarn-berry-registry.cjs} ${yarnTarballs} "$TMPDIR/yarn-registry.port" &
    yarnRegistryPid=$!
    for _ in $(seq 100); do
      [ -s "$TMPDIR/yarn-registry.port" ] && break
      sleep 0.1
    done
    [ -s "$TMPDIR/yarn-registry.port" ] || { echo "the loopback registry did not start" >&2; exit 1; }
    cat > "$HOME/.yarnrc.yml" <<YARNRC
    npmRegistryServer: "http://127.0.0.1:$(cat "$TMPDIR/yarn-registry.port")"
    unsafeHttpWhitelist: ["127.0.0.1"]
    enableGlobalCache: false
    enableTelemetry: false
    cacheFolder: "$TMPDIR/yarn-cache"
    YARNRC
  '';

  stop = ''
    kill "$yarnRegistryPid" 2>/dev/null || true
  '';
}
