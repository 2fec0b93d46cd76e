{
  lib,
  atprotoLib,
  fetchFromGitHub,
  bash,
  coreutils,
  curl,
  jq,
  openssl,
  util-linux,
}:

let
  version = "0.4.219";
in
atprotoLib.buildScriptBundle {
  pname = "pdsadmin";
  inherit version;

  # The PDS distribution repository; only its pdsadmin scripts are used.
  src = fetchFromGitHub {
    owner = "bluesky-social";
    repo = "pds";
    tag = "v${version}";
    hash = "sha256-zXNg1rtXN9qdTBvRlSiPlRu6k1Pv3T8nhROsEarev5U=";
  };

  # Upstream's pdsadmin.sh fetches each subcommand from GitHub when run. Ship
  # the subcommand scripts of this tag instead (renamed to commands/, so the
  # folder does not collide with the pdsadmin program in libexec), run them
  # through our offline dispatcher, and drop `update`, which rewrites a
  # Docker Compose file under /pds and restarts a `pds` systemd unit.
  postPatch = ''
    mv pdsadmin commands
    rm commands/update.sh
    chmod +x commands/*.sh
    substituteInPlace commands/help.sh --replace-fail \
      $'update\n  Update to the latest PDS version.\n    e.g. pdsadmin update\n\n' ""
    # install, not cp: the store copy is read-only and is edited next.
    install -m755 ${./pdsadmin.sh} pdsadmin-offline.sh
    substituteInPlace pdsadmin-offline.sh \
      --replace-fail @commands@ "$out/libexec/pdsadmin/commands"
  '';

  scripts = {
    pdsadmin = "pdsadmin-offline.sh";
  };
  extraFiles = [ "commands" ];

  # Everything the scripts call: curl and jq for the admin API, openssl for
  # generated passwords, column (util-linux) for `account list`, coreutils
  # for mktemp/tr/cut/date.
  runtimeInputs = [
    bash
    coreutils
    curl
    jq
    openssl
    util-linux
  ];

  # The scripts have no version flag.
  versionCheck = null;

  meta = {
    description = "Administration scripts of Bluesky's PDS distribution (accounts, invite codes, crawl requests), bundled rather than downloaded at run time";
    longDescription = ''
      `pdsadmin` drives a PDS through its admin API with `curl` and `jq`:

      - `pdsadmin account list | create <EMAIL> <HANDLE> | delete <DID> |
        takedown <DID> | untakedown <DID> | reset-password <DID>`
      - `pdsadmin create-invite-code`
      - `pdsadmin request-crawl [<RELAY HOST>,...]` (defaults to `PDS_CRAWLERS`)
      - `pdsadmin help`

      The subcommands read `PDS_HOSTNAME` and `PDS_ADMIN_PASSWORD` from the
      environment file named by `PDS_ENV_FILE` (default `/pds/pds.env`) and
      talk to `https://$PDS_HOSTNAME`.

      Differences from upstream: the subcommand scripts are the ones of the
      pinned release instead of being downloaded from GitHub on every run;
      root is no longer required, only read access to the environment file;
      `pdsadmin update` is removed (it updates Docker Compose installs;
      update through Nix instead). `goat pds admin` (package `goat`) covers
      the same tasks and more.
    '';
    homepage = "https://github.com/bluesky-social/pds";
    changelog = "https://github.com/bluesky-social/pds/releases/tag/v${version}";
    # LICENSE.txt: MIT or Apache-2.0, at the user's choice.
    license = with lib.licenses; [
      mit
      asl20
    ];
    mainProgram = "pdsadmin";
    platforms = lib.platforms.linux;
  };
}
