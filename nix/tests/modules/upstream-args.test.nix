# The Rust programs cannot be built here, so their units are checked against
# the recorded facts of how each program reads its configuration
# (upstream-args/<program>.json, see upstream-args.nix): for each module,
# the default configuration and the non-default ones that change what is
# rendered (ACME, metrics, local dependencies, isolation, optional
# settings) must give the program nothing it would refuse, ignore or read
# differently. The last cases show the check finding the defects it exists
# for.
{ lib, repo }:
let
  eval = import ./eval.nix {
    inherit lib;
    packages = repo.packages or { };
  };
  minimal = import ./minimal.nix;
  ua = import ./upstream-args.nix { inherit lib; };

  facts = lib.listToAttrs (
    map (f: lib.nameValuePair (lib.removeSuffix ".json" f) (ua.factsOf (lib.removeSuffix ".json" f))) (
      builtins.filter (lib.hasSuffix ".json") (builtins.attrNames (builtins.readDir ./upstream-args))
    )
  );

  # The unit of `name` with its minimal configuration, `extra` merged in,
  # and other services (`beside`) enabled next to it.
  unitOf =
    name:
    {
      extra ? { },
      beside ? { },
    }:
    (eval.system [
      {
        services.atproto = lib.mapAttrs (n: c: lib.mkMerge [ minimal.${n} { enable = true; } c ]) beside // {
          ${name} = lib.mkMerge [
            minimal.${name}
            { enable = true; }
            extra
          ];
        };
      }
    ]).config.systemd.services."atproto-${name}";
  problemsOf = name: configuration: ua.checkUnit facts.${name} (unitOf name configuration);

  # Per program: configuration name -> { extra?; beside?; }.
  configurations = {
    allegedly = {
      default = { };
      wrapsLocalPlc = {
        extra.settings = lib.mkForce { };
        beside.plc.database.createLocally = true;
      };
      acme.extra.settings.ALLEGEDLY_ACME_DOMAIN = [ "plc.example.com" ];
      acmeSeveralDomainsIpv6 = {
        extra.settings = {
          ALLEGEDLY_ACME_DOMAIN = [
            "plc.example.com"
            "plc.example.org"
          ];
          ALLEGEDLY_ACME_IPV6 = true;
          ALLEGEDLY_ACME_DIRECTORY_URL = "https://acme-staging-v02.api.letsencrypt.org/directory";
          ALLEGEDLY_EXPERIMENTAL_ACME_DOMAIN = "write.plc.example.com";
        };
      };
      passwordInFile.extra = {
        settings.ALLEGEDLY_WRAP_PG = lib.mkForce null;
        wrapPgFile = "/run/secrets/allegedly-wrap-pg";
      };
      isolated.extra.networkIsolation.enable = true;
      debugLog.extra.logLevel = "debug";
    };
    slingshot = {
      default = { };
      metrics.extra.metrics.enable = true;
      localJetstream.beside.jetstream = { };
      acme.extra.settings = {
        SLINGSHOT_ACME_DOMAIN = "slingshot.example.com";
        SLINGSHOT_ACME_CONTACT = "admin@example.com";
        SLINGSHOT_ACME_IPV6 = true;
      };
      isolated.extra.networkIsolation.enable = true;
    };
    constellation = {
      default = { };
      metrics.extra.metrics.enable = true;
      backups.extra.settings = {
        backup = "/var/backups/constellation";
        backup-interval = 6;
        max-old-backups = 4;
        did-web-domain = "links.example.com";
      };
      memory.extra.settings.backend = "memory";
      localJetstream.beside.jetstream = { };
    };
    spacedust = {
      default = { };
      metrics.extra.metrics.enable = true;
      isolated.extra.networkIsolation.enable = true;
      localJetstream.beside.jetstream = { };
    };
    ufos = {
      default = { };
      metrics.extra.metrics.enable = true;
      backfill.extra.settings.UFOS_BACKFILL_MODE = true;
    };
    rsky-feedgen = {
      default = { };
      tuned.extra.settings = {
        SHOW_SPONSORED_POST = true;
        SPONSORED_POST_URI = "at://did:plc:example/app.bsky.feed.post/3k";
        SPONSORED_POST_PROBABILITY = 0.1;
        TRENDING_PERCENTILE = 0.95;
        FEEDGEN_TRENDING_CACHE_CAPACITY = 500;
        FEEDGEN_TRENDING_CACHE_TTL = 10;
        FEEDGEN_MEDIA_BLACKOUT_ENABLED = true;
        FEEDGEN_MEDIA_BLACKOUT_START = 23;
        FEEDGEN_MEDIA_BLACKOUT_END = 5;
        FEEDGEN_HASHTAG_LIMIT = 6;
      };
      debugLog.extra.logLevel = "debug";
    };
    rsky-pds = {
      default = { };
      isolated.extra.networkIsolation.enable = true;
    };
    rsky-relay = {
      default = { };
      metrics.extra.metrics.enable = true;
      adminPassword.extra.adminPasswordFile = "/run/secrets/rsky-relay-admin";
    };
    hydrant = {
      default = { };
      debug.extra.settings = {
        HYDRANT_ENABLE_DEBUG = true;
        HYDRANT_DEBUG_PORT = 3100;
      };
      isolated.extra.networkIsolation.enable = true;
    };
  };

  cap = s: lib.toUpper (builtins.substring 0 1 s) + builtins.substring 1 (-1) s;
  testName = name: c: "test" + lib.concatMapStrings cap (lib.splitString "-" name) + cap c + "IsAccepted";

  accepted = lib.concatMapAttrs (
    name: cs:
    lib.mapAttrs' (
      c: configuration:
      lib.nameValuePair (testName name c) {
        expr = problemsOf name configuration;
        expected = [ ];
      }
    ) cs
  ) configurations;

  # What a unit gives its program, written out.
  raw =
    {
      environment ? { },
      secretEnv ? { },
      argv ? [ ],
    }:
    {
      inherit environment secretEnv argv;
    };
in
lib.runTests (
  accepted
  // {
    # Every program with facts has configurations here, and the other way round.
    testEveryRecordedProgramIsChecked = {
      expr = builtins.attrNames facts;
      expected = builtins.attrNames configurations;
    };

    # The facts are those of the packaged source: when a package moves to
    # another revision, its facts must be read again.
    testFactsAreOfThePackagedRevision = {
      expr = lib.filterAttrs (name: f: f.revision != repo.packages.${name}.src.rev or null) facts;
      expected = { };
    };
    # The unit's command line is read back as the shell would split it.
    testArgvOfReadsQuotedWords = {
      expr = ua.argvOf "set -eu\nexec /nix/store/x-p/bin/p mirror '--acme-domain=a.example' 'it'\\''s' --flag=\"$CREDENTIALS_DIRECTORY/k\"\n";
      expected = [
        "/nix/store/x-p/bin/p"
        "mirror"
        "--acme-domain=a.example"
        "it's"
        "--flag=\"$CREDENTIALS_DIRECTORY/k\""
      ];
    };

    # The defects of issue 12, as the modules rendered them before.
    testFindsAnAcmeSettingWithoutDomain = {
      expr = ua.check facts.slingshot (raw {
        environment = {
          SLINGSHOT_JETSTREAM = "us-east-1";
          SLINGSHOT_CACHE_DIR = "/var/lib/atproto-slingshot/cache";
          SLINGSHOT_ACME_IPV6 = "false";
        };
      });
      expected = [
        "SLINGSHOT_ACME_IPV6 (set in the environment, which clap counts as given) requires acme_domain (--acme-domain), which is not given"
      ];
    };
    testFindsSeveralDomainsInOneVariable = {
      expr = ua.check facts.allegedly (raw {
        environment = {
          ALLEGEDLY_WRAP = "http://127.0.0.1:2582";
          ALLEGEDLY_ACME_DOMAIN = "plc.example.com,plc.example.org";
          ALLEGEDLY_ACME_CACHE_PATH = "/var/lib/atproto-allegedly/acme";
        };
        argv = [ "mirror" ];
      });
      expected = [
        "ALLEGEDLY_ACME_DOMAIN = \"plc.example.com,plc.example.org\" reaches allegedly as one value: the variable has no value delimiter (pass several as repeated --acme-domain)"
      ];
    };
    testFindsAValueTheProgramReadsAsOff = {
      expr = ua.check facts.rsky-feedgen (raw { environment.SHOW_SPONSORED_POST = "true"; });
      expected = [ "SHOW_SPONSORED_POST = \"true\": only 1 turns it on; \"true\" is read as off" ];
    };
    testFindsAnUnreadVariable = {
      expr = ua.check facts.rsky-feedgen (raw { environment.FEEDGEN_TRENDING_CACHE = "5"; });
      expected = [ "FEEDGEN_TRENDING_CACHE is set but rsky-feedgen reads no such variable" ];
    };
    # The default the allegedly module gave a local PLC database.
    testFindsAUserBeforeAnEmptyHost = {
      expr = map ua.urlProblem [
        "postgresql://atproto-plc@/atproto-plc?host=/run/postgresql"
        "postgresql:///atproto-plc?host=/run/postgresql&user=atproto-plc"
        "http://127.0.0.1:2582"
        "https:/plc.directory"
        "us-east-1"
      ];
      expected = [
        "empty host after credentials or a port (the url crate refuses it: EmptyHost)"
        null
        null
        "a https URL needs //host"
        "not a URL (no scheme)"
      ];
    };
    # clap rules beyond those defects: flags take no value, a set argument
    # is given once, conflicts, required arguments, value parsers.
    testFindsCommandLineMistakes = {
      expr = ua.check facts.constellation (raw {
        argv = [
          "--collect-metrics=false"
          "--bind=localhost:6789"
          "--bind=0.0.0.0:6790"
          "--backend=rocksdb"
          "--bind-metrics=127.0.0.1:8765"
          "--datadir=/x"
        ];
      });
      expected = [
        "unknown argument --datadir"
        "--bind is given more than once"
        "--collect-metrics is a flag and takes no value"
        "the required argument jetstream (--jetstream) is not given"
        "backend (--backend = \"rocksdb\"): not one of memory, rocks"
        "bind (--bind = \"localhost:6789\"): not an IP address and port"
      ];
    };
    testFindsConflictsAndFlagValuesFromTheEnvironment = {
      expr = ua.check facts.slingshot (raw {
        environment = {
          SLINGSHOT_JETSTREAM = "us-east-1";
          SLINGSHOT_CACHE_DIR = "/c";
          SLINGSHOT_BIND = "0.0.0.0:8080";
          SLINGSHOT_ACME_DOMAIN = "s.example.com";
          SLINGSHOT_ACME_CACHE_PATH = "/a";
          SLINGSHOT_COLLECT_METRICS = "yes";
        };
      });
      expected = [
        "SLINGSHOT_ACME_DOMAIN (set in the environment, which clap counts as given) cannot be used with SLINGSHOT_BIND (set in the environment, which clap counts as given)"
        "collect_metrics (SLINGSHOT_COLLECT_METRICS = \"yes\"): not true or false"
      ];
    };
  }
)
