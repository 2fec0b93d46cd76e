# The shared module helper (nix/lib/service.nix) and the behaviour it gives
# every module, checked on real evaluations: rendered environment and flags,
# unknown-key warnings with the nearest key, every assertion on the bad
# configuration it guards, databases, metrics, health checks, low ports,
# network isolation and ordering between services on one host.
{ lib, repo }:
let
  service = import ../../lib/service.nix { inherit lib; };
  eval = import ./eval.nix {
    inherit lib;
    packages = repo.packages or { };
  };
  minimal = import ./minimal.nix;

  # Evaluate `services.atproto` definitions (each enabled app gets its minimal
  # configuration underneath).
  system =
    apps:
    (eval.system [
      {
        services.atproto = lib.mapAttrs (
          name: extra:
          lib.mkMerge [
            minimal.${name}
            { enable = true; }
            extra
          ]
        ) apps;
      }
    ]).config;

  failedAssertions = config: map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
  # True when some failed assertion message contains every fragment.
  fires =
    apps: fragments:
    builtins.any (m: builtins.all (f: lib.hasInfix f m) fragments) (failedAssertions (system apps));

  pds = system { pds = { }; };
  pdsUnit = pds.systemd.services.atproto-pds;
in
lib.runTests {
  # --- helper functions --------------------------------------------------

  testEditDistance = {
    expr = map (p: service.editDistance p.a p.b) [
      {
        a = "";
        b = "abc";
      }
      {
        a = "kitten";
        b = "sitting";
      }
      {
        a = "PORT";
        b = "PDS_PORT";
      }
      {
        a = "same";
        b = "same";
      }
    ];
    expected = [
      3
      3
      4
      0
    ];
  };

  testNearestKeyPrefersKeysContainingTheUnknownOne = {
    expr = service.nearestKey [ "LOG_LEVEL" "PDS_PORT" "PDS_HOSTNAME" ] "PORT";
    expected = "PDS_PORT";
  };

  testNearestKeyFindsTypos = {
    expr = service.nearestKey [ "PDS_HOSTNAME" "PDS_PORT" ] "PDS_HOSTNMAE";
    expected = "PDS_HOSTNAME";
  };

  testNearestKeyIsCaseInsensitive = {
    expr = service.nearestKey [ "PDS_PORT" "LOG_LEVEL" ] "pds_port";
    expected = "PDS_PORT";
  };

  testNearestKeySuggestsNothingFarAway = {
    expr = service.nearestKey [ "PDS_PORT" "LOG_LEVEL" ] "XYZZY";
    expected = null;
  };

  testFlagsRendering = {
    expr = service.toFlags {
      bind = "0.0.0.0:1";
      on = true;
      off = false;
      unset = null;
      many = [
        "a"
        "b"
      ];
    };
    expected = [
      "--bind=0.0.0.0:1"
      "--many=a"
      "--many=b"
      "--on"
    ];
  };

  testEnvironmentRendering = {
    expr = service.toEnvironment {
      A = true;
      B = 3;
      C = [
        "x"
        "y"
      ];
      D = null;
      E = [ ];
    };
    expected = {
      A = "true";
      B = "3";
      C = "x,y";
    };
  };

  testStorePathsAreRecognised = {
    expr = map service.inStore [
      "/nix/store/abc-secret"
      ./minimal.nix
      "/run/secrets/pds"
    ];
    expected = [
      true
      true
      false
    ];
  };

  # --- the PDS, end to end -------------------------------------------------

  testPdsEnvironment = {
    expr = {
      inherit (pdsUnit.environment)
        PDS_HOSTNAME
        PDS_PORT
        PDS_DATA_DIRECTORY
        PDS_BLOBSTORE_DISK_LOCATION
        PDS_CRAWLERS
        LOG_ENABLED
        LOG_LEVEL
        ;
      secretsInEnvironment = builtins.filter (
        k: builtins.elem k [ "PDS_JWT_SECRET" "PDS_ADMIN_PASSWORD" "PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX" ]
      ) (builtins.attrNames pdsUnit.environment);
    };
    expected = {
      PDS_HOSTNAME = "pds.example.com";
      PDS_PORT = "3000";
      PDS_DATA_DIRECTORY = "/var/lib/atproto-pds";
      PDS_BLOBSTORE_DISK_LOCATION = "/var/lib/atproto-pds/blocks";
      PDS_CRAWLERS = "https://bsky.network";
      LOG_ENABLED = "true";
      LOG_LEVEL = "info";
      secretsInEnvironment = [ ];
    };
  };

  testPdsWrapperReadsSecretsFromCredentials = {
    expr = {
      credentials = pdsUnit.serviceConfig.LoadCredential;
      jwt = lib.hasInfix ''export PDS_JWT_SECRET="$(< "$CREDENTIALS_DIRECTORY/jwtSecret")"'' pdsUnit.script;
    };
    expected = {
      credentials = [
        "adminPassword:/run/secrets/pds-admin"
        "jwtSecret:/run/secrets/pds-jwt"
        "plcRotationKey:/run/secrets/pds-plc"
      ];
      jwt = true;
    };
  };

  testPdsHealthCheck = {
    expr = {
      startProbe = lib.hasSuffix "http://127.0.0.1:3000/xrpc/_health" (builtins.head pdsUnit.serviceConfig.ExecStartPost);
      timer = pds.systemd.timers.atproto-pds-health.timerConfig.OnUnitActiveSec;
      probe = lib.hasSuffix "/xrpc/_health" pds.systemd.services.atproto-pds-health.serviceConfig.ExecStart;
    };
    expected = {
      startProbe = true;
      timer = "5min";
      probe = true;
    };
  };

  testPdsLogLevelMapsToItsVariable = {
    expr = (system { pds.logLevel = "debug"; }).systemd.services.atproto-pds.environment.LOG_LEVEL;
    expected = "debug";
  };

  testUnknownKeyWarningNamesTheNearestKey = {
    expr = (system { pds.settings.PORT = 8080; }).warnings;
    expected = [
      "services.atproto.pds.settings.PORT: PORT is not read by the PDS; did you mean PDS_PORT? (The value is passed through unchanged; remove it if it is a typo.)"
    ];
  };

  testAliasWarnsToUseTheDeclaredName = {
    expr = (system { relay.settings.RELAY_API_BIND = ":2470"; }).warnings;
    expected = [
      "services.atproto.relay.settings.RELAY_API_BIND is the old name of services.atproto.relay.settings.RELAY_API_LISTEN; its value is used for RELAY_API_LISTEN (unless that is set too). Rename it to services.atproto.relay.settings.RELAY_API_LISTEN."
    ];
  };

  # The module always renders the new name (with its default), which the
  # program reads first: the old name's value must move to it.
  testAliasValueBecomesTheDeclaredSetting = {
    expr =
      let
        env = (system { relay.settings.RELAY_API_BIND = "127.0.0.1:2480"; }).systemd.services.atproto-relay.environment;
      in
      {
        listen = env.RELAY_API_LISTEN;
        old = env ? RELAY_API_BIND;
      };
    expected = {
      listen = "127.0.0.1:2480";
      old = false;
    };
  };

  testDeclaredSettingWinsOverItsAlias = {
    expr =
      (system {
        relay.settings = {
          RELAY_API_BIND = "127.0.0.1:2480";
          RELAY_API_LISTEN = "127.0.0.1:2490";
        };
      }).systemd.services.atproto-relay.environment.RELAY_API_LISTEN;
    expected = "127.0.0.1:2490";
  };

  # cocoon ignores its database URL with the sqlite engine, silently.
  testCocoonWarnsOfAnIgnoredDatabaseURL = {
    expr = builtins.filter (w: lib.hasPrefix "services.atproto.cocoon.settings.COCOON_DATABASE_URL" w) (system {
      cocoon.settings.COCOON_DATABASE_URL = "postgresql://cocoon@db.example.com/cocoon";
    }).warnings;
    expected = [
      "services.atproto.cocoon.settings.COCOON_DATABASE_URL is set, but COCOON_DB_TYPE is \"sqlite\": cocoon ignores the URL and keeps its data in the SQLite file COCOON_DB_NAME. Set services.atproto.cocoon.settings.COCOON_DB_TYPE = \"postgres\"; to use the database (database.createLocally does)."
    ];
  };

  testCocoonCreateLocallyDoesNotWarnOfItsURL = {
    expr = builtins.filter (w: lib.hasPrefix "services.atproto.cocoon.settings.COCOON_DATABASE_URL" w) (system {
      cocoon.database.createLocally = true;
    }).warnings;
    expected = [ ];
  };

  testAliasBeatsTheModulesOwnDefault = {
    expr = (system { relay.settings.LOG_LEVEL = "debug"; }).systemd.services.atproto-relay.environment.RELAY_LOG_LEVEL;
    expected = "debug";
  };

  # systemd's own start limit (5 in 10 s) never stops a unit restarted
  # every 5 s; the module's window holds five starts that each time out.
  testStartLimitHoldsFiveTimedOutStarts = {
    expr =
      let
        s = (system { relay.healthCheck.startTimeout = 60; }).systemd.services.atproto-relay;
      in
      {
        inherit (s.unitConfig) StartLimitBurst;
        holds = s.unitConfig.StartLimitIntervalSec > 5 * (s.serviceConfig.TimeoutStartSec + 5);
      };
    expected = {
      StartLimitBurst = 5;
      holds = true;
    };
  };

  testUnknownKeyIsStillPassedThrough = {
    expr = (system { pds.settings.PORT = 8080; }).systemd.services.atproto-pds.environment.PORT;
    expected = "8080";
  };

  testLowPortKeepsOnlyBindService = {
    expr =
      let
        sc = (system { pds.settings.PDS_PORT = 443; }).systemd.services.atproto-pds.serviceConfig;
      in
      {
        inherit (sc) CapabilityBoundingSet AmbientCapabilities PrivateUsers;
      };
    expected = {
      CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" ];
      AmbientCapabilities = [ "CAP_NET_BIND_SERVICE" ];
      PrivateUsers = false;
    };
  };

  testEnvironmentFilesAreKeptOutsideTheUnit = {
    expr = (system { pds.environmentFiles = [ "/run/secrets/pds.env" ]; }).systemd.services.atproto-pds.serviceConfig.EnvironmentFile;
    expected = [ "/run/secrets/pds.env" ];
  };

  # --- assertions fire on the configuration they guard ----------------------

  testMissingRequiredSettingIsNamedWithItsFix = {
    expr = fires { pds.settings.PDS_HOSTNAME = lib.mkForce null; } [
      "services.atproto.pds.settings.PDS_HOSTNAME is not set"
      ''PDS_HOSTNAME = "pds.example.com"''
    ];
    expected = true;
  };

  testMissingSecretIsNamedWithItsFix = {
    expr = fires { pds.jwtSecretFile = lib.mkForce null; } [
      "services.atproto.pds.jwtSecretFile is not set"
      "openssl rand --hex 16"
    ];
    expected = true;
  };

  testStoreSecretIsRejected = {
    expr = fires { pds.adminPasswordFile = lib.mkForce "/nix/store/0000-admin"; } [
      "services.atproto.pds.adminPasswordFile"
      "Nix store"
      "outside the store"
    ];
    expected = true;
  };

  testPathLiteralSecretIsRejected = {
    expr = fires { pds.adminPasswordFile = lib.mkForce ./minimal.nix; } [
      "services.atproto.pds.adminPasswordFile = ./minimal.nix"
      "outside the store"
    ];
    expected = true;
  };

  testStoreEnvironmentFileIsRejected = {
    expr = fires { pds.environmentFiles = [ "/nix/store/0000-pds.env" ]; } [
      "services.atproto.pds.environmentFiles"
      "outside the store"
    ];
    expected = true;
  };

  testSecretInSettingsIsRejected = {
    expr = fires { pds.settings.PDS_JWT_SECRET = "hunter2"; } [
      "services.atproto.pds.settings.PDS_JWT_SECRET holds a secret"
      "services.atproto.pds.jwtSecretFile"
    ];
    expected = true;
  };

  testPdsRefusesTwoBlobStores = {
    expr = fires {
      pds.settings = {
        PDS_BLOBSTORE_S3_BUCKET = "blobs";
        PDS_BLOBSTORE_DISK_LOCATION = "/var/lib/atproto-pds/blocks";
      };
    } [ "PDS_BLOBSTORE_S3_BUCKET and PDS_BLOBSTORE_DISK_LOCATION" ];
    expected = true;
  };

  testPdsS3ReplacesTheDiskStore = {
    expr = (system { pds.settings.PDS_BLOBSTORE_S3_BUCKET = "blobs"; }).systemd.services.atproto-pds.environment ? PDS_BLOBSTORE_DISK_LOCATION;
    expected = false;
  };

  testMetricsWithoutEndpointIsRejected = {
    expr = fires { pds.metrics.enable = true; } [
      "services.atproto.pds.metrics.enable"
      "no Prometheus endpoint"
    ];
    expected = true;
  };

  testJetstreamRejectsUnknownPrefixedVariables = {
    expr = fires { jetstream.settings.JETSTREAM_ADR = ":1"; } [
      "JETSTREAM_ADR is not read by jetstream; did you mean JETSTREAM_ADDR?"
      "refuses to start"
    ];
    expected = true;
  };

  testOzoneNeedsPdsUrlAndDidTogether = {
    expr = fires { ozone.settings.OZONE_PDS_URL = "https://pds.example.com"; } [ "OZONE_PDS_URL and OZONE_PDS_DID" ];
    expected = true;
  };

  testAllegedlyNeedsTheWrappedDatabase = {
    expr = fires { allegedly.settings.ALLEGEDLY_WRAP_PG = lib.mkForce null; } [
      "services.atproto.allegedly"
      "wrapPgFile"
    ];
    expected = true;
  };

  testPlcNeedsADatabase = {
    expr = fires { plc.database.createLocally = lib.mkForce false; } [
      "services.atproto.plc.settings.DATABASE_URL is not set"
      "createLocally"
    ];
    expected = true;
  };

  # --- renamed and removed options --------------------------------------------

  testRenamedOptionMovesItsValueAndWarns =
    let
      module = service.mkService {
        name = "example";
        settings = _: { EXAMPLE_PORT = service.option.port 1234 "Port."; };
        renamedOptions = [
          {
            from = [ "port" ];
            to = [ "settings" "EXAMPLE_PORT" ];
          }
        ];
        removedOptions = [
          {
            path = [ "legacyMode" ];
            why = "The program dropped legacy mode in 2.0.";
          }
        ];
      };
      c =
        (lib.evalModules {
          modules = [
            ../../lib/nixos-stubs.nix
            module
            {
              services.atproto.example = {
                enable = true;
                port = 4321;
              };
            }
          ];
          specialArgs.pkgs = eval.pkgs // {
            atproto.example = eval.fakePackage "example";
          };
        }).config;
    in
    {
      expr = {
        port = c.systemd.services.atproto-example.environment.EXAMPLE_PORT;
        warned = builtins.any (
          w: lib.hasInfix "services.atproto.example.port'" w && lib.hasInfix "renamed to `services.atproto.example.settings.EXAMPLE_PORT'" w
        ) c.warnings;
      };
      expected = {
        port = "4321";
        warned = true;
      };
    };

  testRemovedOptionFailsWithItsReason = {
    expr =
      let
        module = service.mkService {
          name = "example";
          removedOptions = [
            {
              path = [ "legacyMode" ];
              why = "The program dropped legacy mode in 2.0.";
            }
          ];
        };
        c =
          (lib.evalModules {
            modules = [
              ../../lib/nixos-stubs.nix
              module
              {
                services.atproto.example = {
                  enable = true;
                  legacyMode = true;
                };
              }
            ];
            specialArgs.pkgs = eval.pkgs // {
              atproto.example = eval.fakePackage "example";
            };
          }).config;
      in
      builtins.any (m: lib.hasInfix "services.atproto.example.legacyMode" m && lib.hasInfix "dropped legacy mode" m) (
        failedAssertions c
      );
    expected = true;
  };

  # --- databases, metrics, isolation, ordering --------------------------------

  testLocalPostgres = {
    expr =
      let
        c = system { relay.database.createLocally = true; };
      in
      {
        inherit (c.services.postgresql) enable ensureDatabases ensureUsers;
        url = c.systemd.services.atproto-relay.environment.DATABASE_URL;
        after = builtins.elem "postgresql.service" c.systemd.services.atproto-relay.after;
        requires = builtins.elem "postgresql.service" c.systemd.services.atproto-relay.requires;
      };
    expected = {
      enable = true;
      ensureDatabases = [ "atproto-relay" ];
      ensureUsers = [
        {
          name = "atproto-relay";
          ensureDBOwnership = true;
        }
      ];
      url = "postgresql://atproto-relay@/atproto-relay?host=/run/postgresql";
      after = true;
      requires = true;
    };
  };

  testUpgradeBackupRunsBeforeEveryStart = {
    expr =
      let
        c = system { relay.database.createLocally = true; };
        backup = c.systemd.services.atproto-relay-upgrade-backup;
        script = backup.serviceConfig.ExecStart.text;
        restore = builtins.head (
          builtins.filter (p: (p.name or "") == "atproto-relay-restore") c.environment.systemPackages
        );
      in
      {
        requiredByTheService = builtins.elem "atproto-relay-upgrade-backup.service" c.systemd.services.atproto-relay.requires;
        orderedBefore = builtins.elem "atproto-relay-upgrade-backup.service" c.systemd.services.atproto-relay.after;
        sameUser = backup.serviceConfig.User == c.systemd.services.atproto-relay.serviceConfig.User;
        inherit (backup.serviceConfig) Type StateDirectory;
        sqliteOnlineBackup = lib.hasInfix ''sqlite3 "$f" ".backup'' script;
        dumpsPostgres = lib.hasInfix "pg_dump --format=custom" script && lib.hasInfix "atproto-relay" script;
        recordsVersion = lib.hasInfix ''echo "$current" > "$state/.atproto-version"'' script;
        keepsThree = lib.hasInfix "- 3; i++" script;
        restoreUsesPgRestore = lib.hasInfix "pg_restore --clean" restore.text;
        restoreRestarts = lib.hasInfix "systemctl start atproto-relay.service" restore.text;
      };
    expected = {
      requiredByTheService = true;
      orderedBefore = true;
      sameUser = true;
      Type = "oneshot";
      StateDirectory = "atproto-relay";
      sqliteOnlineBackup = true;
      dumpsPostgres = true;
      recordsVersion = true;
      keepsThree = true;
      restoreUsesPgRestore = true;
      restoreRestarts = true;
    };
  };

  testUpgradeBackupWithoutPostgresSkipsTheDump = {
    expr = lib.hasInfix "pg_dump" (system { pds = { }; }).systemd.services.atproto-pds-upgrade-backup.serviceConfig.ExecStart.text;
    expected = false;
  };

  testUpgradeBackupCanBeTurnedOff = {
    expr = (system { pds.backupOnUpgrade.enable = false; }).systemd.services ? atproto-pds-upgrade-backup;
    expected = false;
  };

  testLocalPostgresSelectsTheEngine = {
    expr = (system { cocoon.database.createLocally = true; }).systemd.services.atproto-cocoon.environment.COCOON_DB_TYPE;
    expected = "postgres";
  };

  testMetricsScrapeConfig = {
    expr = (system { relay.metrics.enable = true; }).services.prometheus.scrapeConfigs;
    expected = [
      {
        job_name = "atproto-relay";
        metrics_path = "/metrics";
        static_configs = [ { targets = [ "127.0.0.1:2471" ]; } ];
      }
    ];
  };

  testMetricsEnableTurnsOnTheEndpoint = {
    expr =
      let
        c = system { slingshot.metrics.enable = true; };
      in
      {
        inherit (c.systemd.services.atproto-slingshot.environment) SLINGSHOT_COLLECT_METRICS SLINGSHOT_BIND_METRICS;
        targets = (builtins.head c.services.prometheus.scrapeConfigs).static_configs;
      };
    expected = {
      SLINGSHOT_COLLECT_METRICS = "true";
      SLINGSHOT_BIND_METRICS = "127.0.0.1:8766";
      targets = [ { targets = [ "127.0.0.1:8766" ]; } ];
    };
  };

  testMetricsWithoutScrapeAddsNoJob = {
    expr = (system { relay.metrics = { enable = true; scrape = false; }; }).services.prometheus.scrapeConfigs;
    expected = [ ];
  };

  testNetworkIsolationBindsLoopback = {
    expr =
      let
        c = system {
          relay.networkIsolation = {
            enable = true;
            allow = [ "fd00::/8" ];
          };
        };
        u = c.systemd.services.atproto-relay;
      in
      {
        listen = u.environment.RELAY_API_LISTEN;
        inherit (u.serviceConfig) IPAddressDeny IPAddressAllow RestrictAddressFamilies;
      };
    expected = {
      listen = "127.0.0.1:2470";
      IPAddressDeny = "any";
      IPAddressAllow = [
        "localhost"
        "fd00::/8"
      ];
      RestrictAddressFamilies = [
        "AF_UNIX"
        "AF_INET"
        "AF_INET6"
      ];
    };
  };

  testConsumersFollowALocalRelay = {
    expr =
      let
        c = system {
          relay = { };
          jetstream = { };
          rainbow = { };
        };
      in
      {
        jetstreamAfter = builtins.elem "atproto-relay.service" c.systemd.services.atproto-jetstream.after;
        jetstreamReads = c.systemd.services.atproto-jetstream.environment.JETSTREAM_RELAY_URL;
        rainbowReads = c.systemd.services.atproto-rainbow.environment.ATP_RELAY_HOST;
      };
    expected = {
      jetstreamAfter = true;
      jetstreamReads = "http://127.0.0.1:2470";
      rainbowReads = "http://127.0.0.1:2470";
    };
  };

  testConsumersOfJetstreamFollowALocalJetstream = {
    expr =
      let
        c = system {
          jetstream = { };
          constellation = { };
        };
      in
      {
        after = builtins.elem "atproto-jetstream.service" c.systemd.services.atproto-constellation.after;
        reads = lib.hasInfix "'--jetstream=ws://127.0.0.1:8080/subscribe'" c.systemd.services.atproto-constellation.script;
      };
    expected = {
      after = true;
      reads = true;
    };
  };

  testWithoutALocalRelayNoOrdering = {
    expr = builtins.elem "atproto-relay.service" (system { jetstream = { }; }).systemd.services.atproto-jetstream.after;
    expected = false;
  };

  testAllegedlyWrapsALocalPlc = {
    expr =
      let
        c = system {
          plc = { };
          allegedly.settings = lib.mkForce { };
        };
        u = c.systemd.services.atproto-allegedly;
      in
      {
        inherit (u.environment) ALLEGEDLY_WRAP ALLEGEDLY_WRAP_PG;
        user = u.serviceConfig.User;
        after = builtins.elem "atproto-plc.service" u.after;
        failed = failedAssertions c;
      };
    expected = {
      ALLEGEDLY_WRAP = "http://127.0.0.1:2582";
      ALLEGEDLY_WRAP_PG = "postgresql:///atproto-plc?host=/run/postgresql&user=atproto-plc";
      user = "atproto-plc";
      after = true;
      failed = [ ];
    };
  };

  testKnotUsesTheGitUserAndSshd = {
    expr =
      let
        c = system { knot = { }; };
      in
      {
        user = c.systemd.services.atproto-knot.serviceConfig.User;
        dynamic = c.systemd.services.atproto-knot.serviceConfig.DynamicUser;
        system = c.users.users.git.isSystemUser;
        sshd = c.services.openssh.enable;
        keys = lib.hasInfix "AuthorizedKeysCommand /etc/ssh/atproto-knot-keys" c.services.openssh.extraConfig;
      };
    expected = {
      user = "git";
      dynamic = false;
      system = true;
      sshd = true;
      keys = true;
    };
  };

  # sshd runs `knot guard` with the flags `knot keys` was given; guard
  # refuses every git command when it cannot open its log file, whose
  # default (/home/git/log) is outside the git user's home here.
  testKnotGuardLogsInTheGitUsersHome = {
    expr =
      let
        c = system { knot = { }; };
        words = lib.splitString " " (lib.last (lib.splitString "\n" (lib.removeSuffix "\n" c.environment.etc."ssh/atproto-knot-keys".text)));
        flag = lib.lists.findFirstIndex (w: w == "-log-path") null words;
        logPath = if flag == null then "/home/git/log" else lib.elemAt words (flag + 1);
      in
      {
        inherit logPath;
        inGitHome = dirOf logPath == c.users.users.git.home;
        keysCommand = lib.elemAt words 2 == "keys";
      };
    expected = {
      logPath = "/var/lib/atproto-knot/guard.log";
      inGitHome = true;
      keysCommand = true;
    };
  };

  testSpindleReachesDocker = {
    expr =
      let
        c = system { spindle = { }; };
      in
      {
        docker = c.virtualisation.docker.enable;
        groups = c.systemd.services.atproto-spindle.serviceConfig.SupplementaryGroups;
      };
    expected = {
      docker = true;
      groups = [ "docker" ];
    };
  };
}
