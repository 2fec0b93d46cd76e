# Every configuration in examples/ — the files the guides in content/ quote —
# evaluated for real against this repository's modules (nixpkgs lib, the
# NixOS option stubs, metadata-mode packages). Each must pass the modules'
# assertions without a warning (an unknown settings key warns), generate
# the unit of every service it enables, and do what its guide says.
# examples/snippets_test.go checks that the guides quote these files
# verbatim; examples/nixos_options_test.go that the NixOS options they set
# exist.
{ lib, repo }:
let
  ex = import ./evaluate.nix { inherit lib repo; };
  cfg = name: (ex.module name).config;

  # Common checks of one example NixOS module.
  generic = name: {
    "test ${name}: no failed assertion, no warning" = {
      expr = ex.problems (ex.module name);
      expected = {
        failedAssertions = [ ];
        warnings = [ ];
      };
    };
    "test ${name}: enables a service and generates its unit" = {
      expr =
        let
          r = ex.module name;
        in
        {
          enablesSomething = ex.enabledApps r != [ ] || name == "channel.nix";
          missingUnits = ex.missingUnits r;
          insecureNotPermitted = ex.insecureNotPermitted r;
          unitsEvaluate = builtins.isString (ex.unitsJSON r);
        };
      expected = {
        enablesSomething = true;
        missingUnits = [ ];
        insecureNotPermitted = [ ];
        unitsEvaluate = true;
      };
    };
  };

  pds = cfg "pds-nginx.nix";
  caddy = cfg "pds-caddy.nix";
  flakeHost = (ex.flake "flake.nix").nixosConfigurations.pds;
in
lib.runTests (
  lib.foldl' (acc: name: acc // generic name) { } ex.moduleNames
  // {
  # The insecure-package exception names exactly the pinned PDS, and is
  # still needed: when the version or its advisories change, so must the
  # example and the guide.
  testPermittedInsecurePdsIsThePinnedOne = {
    expr = {
      permitted = (cfg "pds.nix").nixpkgs.config.permittedInsecurePackages;
      hasAdvisories = repo.packages.pds.meta.knownVulnerabilities != [ ];
    };
    expected = {
      permitted = [ repo.packages.pds.name ];
      hasAdvisories = true;
    };
  };

  # Secrets are credentials, never store paths or environment values.
  testPdsSecretsAreCredentials = {
    expr = lib.sort (a: b: a < b) pds.systemd.services.atproto-pds.serviceConfig.LoadCredential;
    expected = [
      "adminPassword:/var/lib/secrets/pds/admin-password"
      "jwtSecret:/var/lib/secrets/pds/jwt-secret"
      "plcRotationKey:/var/lib/secrets/pds/plc-rotation-key"
    ];
  };

  testNginxProxiesToThePdsPort = {
    expr = {
      inherit (pds.services.nginx.virtualHosts."pds.example.com".locations."/") proxyPass proxyWebsockets;
      aliases = pds.services.nginx.virtualHosts."pds.example.com".serverAliases;
      certDomains = pds.security.acme.certs."pds.example.com".extraDomainNames;
      environment = pds.systemd.services.atproto-pds.environment.PDS_PORT;
    };
    expected = {
      proxyPass = "http://127.0.0.1:3000";
      proxyWebsockets = true;
      aliases = [ "*.pds.example.com" ];
      certDomains = [ "*.pds.example.com" ];
      environment = "3000";
    };
  };

  testCaddyAsksThePdsBeforeIssuing = {
    expr = {
      ask = lib.hasInfix "ask http://127.0.0.1:3000/tls-check" caddy.services.caddy.globalConfig;
      hosts = builtins.attrNames caddy.services.caddy.virtualHosts;
    };
    expected = {
      ask = true;
      hosts = [ "pds.example.com, *.pds.example.com" ];
    };
  };

  # The firewall opens only the proxy's ports; the PDS stays behind it.
  testOnlyProxyPortsOpen = {
    expr = map (name: (cfg name).networking.firewall.allowedTCPPorts) [
      "pds-nginx.nix"
      "pds-caddy.nix"
    ];
    expected = [
      [ 80 443 ]
      [ 80 443 ]
    ];
  };

  # The backup copies the real state directory of a DynamicUser service.
  testBackupCopiesTheStateDirectory =
    let
      c = cfg "pds-backup.nix";
      unit = c.systemd.services.atproto-pds.serviceConfig;
    in
    {
      expr = {
        inherit (unit) DynamicUser StateDirectory;
        copied = builtins.elem "/var/lib/private/${unit.StateDirectory}" c.services.restic.backups.pds.paths;
        secrets = builtins.elem (dirOf c.services.atproto.pds.plcRotationKeyFile) c.services.restic.backups.pds.paths;
        stops = c.services.restic.backups.pds.backupPrepareCommand;
      };
      expected = {
        DynamicUser = true;
        StateDirectory = "atproto-pds";
        copied = true;
        secrets = true;
        stops = "systemctl stop atproto-pds.service";
      };
    };

  # The consumers read the local relay, start after it, and nginx proxies
  # to the ports the services really listen on.
  testFirehoseStackIsWired =
    let
      c = cfg "firehose.nix";
      units = c.systemd.services;
      proxied = lib.mapAttrs (_: h: h.locations."/".proxyPass) c.services.nginx.virtualHosts;
    in
    {
      expr = {
        inherit proxied;
        jetstreamReads = units.atproto-jetstream.environment.JETSTREAM_RELAY_URL;
        rainbowReads = units.atproto-rainbow.environment.ATP_RELAY_HOST;
        feedsRead = units.atproto-feed-generator.environment.FEEDGEN_SUBSCRIPTION_ENDPOINT;
        afterRelay = map (u: builtins.elem "atproto-relay.service" units.${u}.after) [
          "atproto-jetstream"
          "atproto-rainbow"
          "atproto-feed-generator"
        ];
        relayDb = units.atproto-relay.environment.DATABASE_URL;
        relayAfterPostgres = builtins.elem "postgresql.service" units.atproto-relay.after;
        memoryMax = units.atproto-relay.serviceConfig.MemoryMax;
        hardeningKept = units.atproto-relay.serviceConfig.ProtectSystem;
      };
      expected = {
        proxied = {
          "feeds.example.com" = "http://127.0.0.1:3000";
          "jetstream.example.com" = "http://127.0.0.1:8080";
          "rainbow.example.com" = "http://127.0.0.1:2480";
          "relay.example.com" = "http://127.0.0.1:2470";
        };
        jetstreamReads = "http://127.0.0.1:2470";
        rainbowReads = "http://127.0.0.1:2470";
        feedsRead = "ws://127.0.0.1:2470";
        afterRelay = [
          true
          true
          true
        ];
        relayDb = "postgresql://atproto-relay@/atproto-relay?host=/run/postgresql";
        relayAfterPostgres = true;
        memoryMax = "8G";
        hardeningKept = "strict";
      };
    };

  # allegedly wraps the local PLC server as its database role; the insecure
  # exception names the pinned PLC server.
  testPlcMirrorWrapsTheLocalServer =
    let
      c = cfg "plc-mirror.nix";
      units = c.systemd.services;
    in
    {
      expr = {
        permitted = c.nixpkgs.config.permittedInsecurePackages;
        plcHasAdvisories = repo.packages.plc.meta.knownVulnerabilities != [ ];
        sameUser = units.atproto-allegedly.serviceConfig.User == units.atproto-plc.serviceConfig.User;
        wrap = units.atproto-allegedly.environment.ALLEGEDLY_WRAP;
        wrapPg = units.atproto-allegedly.environment.ALLEGEDLY_WRAP_PG;
        afterPlc = builtins.elem "atproto-plc.service" units.atproto-allegedly.after;
        proxied = c.services.nginx.virtualHosts."plc.example.com".locations."/".proxyPass;
      };
      expected = {
        permitted = [ repo.packages.plc.name ];
        plcHasAdvisories = true;
        sameUser = true;
        wrap = "http://127.0.0.1:2582";
        wrapPg = "postgresql:///atproto-plc?host=/run/postgresql&user=atproto-plc";
        afterPlc = true;
        proxied = "http://127.0.0.1:8000";
      };
    };

  # The labeler guide installs Ozone from this repository: the module's
  # package defaults to it.
  testOzoneIsPackaged = {
    expr = {
      module = repo.modules ? ozone;
      package = repo.packages ? ozone;
    };
    expected = {
      module = true;
      package = true;
    };
  };

  testHepaSecretsAreCredentials = {
    expr = (cfg "hepa.nix").systemd.services.atproto-hepa.serviceConfig.LoadCredential;
    expected = [
      "ozoneAdminToken:/var/lib/secrets/hepa/ozone-admin-password"
      "pdsAdminToken:/var/lib/secrets/pds/admin-password"
    ];
  };

  # metrics.enable registers one scrape job per service, on loopback, and
  # Grafana stays off the ports the services use.
  testMonitoringScrapesEachService =
    let
      c = cfg "monitoring.nix";
    in
    {
      expr = {
        jobs = lib.sort (a: b: a.job_name < b.job_name) (
          map (j: {
            inherit (j) job_name;
            targets = (builtins.head j.static_configs).targets;
          }) c.services.prometheus.scrapeConfigs
        );
        grafanaPort = c.services.grafana.settings.server.http_port;
        takenPorts = builtins.elem c.services.grafana.settings.server.http_port c.networking.firewall.allowedTCPPorts
          || c.services.grafana.settings.server.http_port == c.services.atproto.feed-generator.settings.FEEDGEN_PORT;
      };
      expected = {
        jobs = [
          {
            job_name = "atproto-jetstream";
            targets = [ "127.0.0.1:6060" ];
          }
          {
            job_name = "atproto-rainbow";
            targets = [ "127.0.0.1:2481" ];
          }
          {
            job_name = "atproto-relay";
            targets = [ "127.0.0.1:2471" ];
          }
        ];
        grafanaPort = 3001;
        takenPorts = false;
      };
    };

  # Isolated units drop all but loopback traffic and listen on loopback;
  # the proxy in front of rainbow still reaches it.
  testIsolationConfinesToLoopback =
    let
      c = cfg "isolation.nix";
      s = c.systemd.services;
      confined = u: {
        inherit (s.${u}.serviceConfig) IPAddressDeny IPAddressAllow RestrictAddressFamilies;
      };
    in
    {
      expr = {
        rainbow = confined "atproto-rainbow";
        plc = confined "atproto-plc";
        rainbowListens = s.atproto-rainbow.environment.RAINBOW_API_LISTEN;
        proxied = c.services.nginx.virtualHosts."rainbow.example.com".locations."/".proxyPass;
        relayNotConfined = s.atproto-relay.serviceConfig ? IPAddressDeny;
      };
      expected =
        let
          loopbackOnly = {
            IPAddressDeny = "any";
            IPAddressAllow = [ "localhost" ];
            RestrictAddressFamilies = [
              "AF_UNIX"
              "AF_INET"
            ];
          };
        in
        {
          rainbow = loopbackOnly;
          plc = loopbackOnly;
          rainbowListens = "127.0.0.1:2480";
          proxied = "http://127.0.0.1:2480";
          relayNotConfined = false;
        };
    };

  # The upgrade backup runs before every start of the PDS, keeps the number
  # of copies asked for, and the restore command is installed.
  testUpgradeBackupsBeforeStart =
    let
      c = cfg "upgrades.nix";
      s = c.systemd.services;
    in
    {
      expr = {
        requires = builtins.elem "atproto-pds-upgrade-backup.service" s.atproto-pds.requires;
        after = builtins.elem "atproto-pds-upgrade-backup.service" s.atproto-pds.after;
        keeps = lib.hasInfix "i < \${#backups[@]} - 5;" s.atproto-pds-upgrade-backup.serviceConfig.ExecStart.text;
        recordsVersion = lib.hasInfix "current=${repo.packages.pds.version}\n" s.atproto-pds-upgrade-backup.serviceConfig.ExecStart.text;
        restore = map (p: p.name) c.environment.systemPackages;
      };
      expected = {
        requires = true;
        after = true;
        keeps = true;
        recordsVersion = true;
        restore = [ "atproto-pds-restore" ];
      };
    };

  # The contributor guide's package: a valid builder spec whose metadata the
  # builder completed, pinned by the hashes its comments say how to compute.
  testTapPackageExample =
    let
      p = repo.callMetadataPackage (ex.dir + "/pkgs/tap/package.nix");
    in
    {
      expr = {
        inherit (p) name;
        inherit (p.src) owner repo tag hash;
        inherit (p.passthru.atproto) language module;
        hasMaintainers = p.meta.maintainers != [ ];
        hasUpdateScript = p.passthru ? updateScript;
        platforms = p.meta.platforms == lib.platforms.linux;
      };
      expected = {
        name = "tap-0.1.10";
        owner = "bluesky-social";
        repo = "indigo";
        tag = "tap-v0.1.10";
        hash = "sha256-nDOLIRWTyj/R0h+70+bGi85RVe2OKLNbnSaKyyqc93Q=";
        language = "go";
        module = "services.atproto.tap";
        hasMaintainers = true;
        hasUpdateScript = true;
        platforms = true;
      };
    };

  # The contributor guide's module, with the Go template's package: the
  # helper declares the options, renders the unit and guards its settings.
  testHelloModuleExample =
    let
      helloPkgs = ex.pkgs // {
        atproto = ex.pkgs.atproto // {
          hello-atproto = repo.callMetadataPackage (repo.rootPath + "/nix/templates/go/package.nix");
        };
      };
      run =
        settings:
        repo.evalModules {
          modules = [
            (ex.dir + "/modules/hello-atproto.nix")
            {
              services.atproto.hello-atproto = {
                enable = true;
                inherit settings;
                adminPasswordFile = "/var/lib/secrets/hello-admin-password";
              };
            }
          ];
          specialArgs.pkgs = helloPkgs;
        };
      good = run { HELLO_HOSTNAME = "hello.example.com"; };
      unit = good.config.systemd.services.atproto-hello-atproto;
    in
    {
      expr = {
        problems = ex.problems good;
        listen = unit.environment.HELLO_LISTEN;
        credential = unit.serviceConfig.LoadCredential;
        exportsSecret = lib.hasInfix "export HELLO_ADMIN_PASSWORD=" unit.script;
        runs = lib.hasInfix "metadata-only-hello-atproto-0.1.0/bin/hello-atproto" unit.script;
        probe = lib.hasSuffix "http://127.0.0.1:8080/_health" (builtins.head unit.serviceConfig.ExecStartPost);
        dynamicUser = unit.serviceConfig.DynamicUser;
        missingHostname = (ex.problems (run { })).failedAssertions;
        typo = (ex.problems (run {
          HELLO_HOSTNAME = "hello.example.com";
          HELLO_LOGLEVEL = "debug";
        })).warnings;
      };
      expected = {
        problems = {
          failedAssertions = [ ];
          warnings = [ ];
        };
        listen = ":8080";
        credential = [ "adminPassword:/var/lib/secrets/hello-admin-password" ];
        exportsSecret = true;
        runs = true;
        probe = true;
        dynamicUser = true;
        missingHostname = [
          ''services.atproto.hello-atproto.settings.HELLO_HOSTNAME is not set. Set it to the public DNS name, e.g. services.atproto.hello-atproto.settings.HELLO_HOSTNAME = "hello.example.com";''
        ];
        typo = [
          "services.atproto.hello-atproto.settings.HELLO_LOGLEVEL: HELLO_LOGLEVEL is not read by hello-atproto; did you mean HELLO_LOG_LEVEL? (The value is passed through unchanged; remove it if it is a typo.)"
        ];
      };
    };

  # The guides make each required secret with the command the option's
  # description gives (`Create one with \`…\``), so they agree on the format.
  testGuidesUseTheModulesSecretCommands =
    let
      commandOf =
        option:
        let
          m = builtins.match ".*Create one with `([^`]*)`.*" option.description;
        in
        if m == null then "(no command in ${option.description})" else builtins.head m;
      guide = name: builtins.readFile (repo.rootPath + "/content/administration/${name}.md");
      inGuide =
        name: options:
        lib.filter (c: !(lib.hasInfix c (guide name))) (map commandOf options);
      pds = (ex.module "pds.nix").options.services.atproto.pds;
      relay = (ex.module "firehose.nix").options.services.atproto.relay;
    in
    {
      expr = {
        pds = inGuide "pds" [
          pds.jwtSecretFile
          pds.adminPasswordFile
          pds.plcRotationKeyFile
        ];
        relay = inGuide "firehose" [ relay.adminPasswordFile ];
      };
      expected = {
        pds = [ ];
        relay = [ ];
      };
    };

  testChannelPutsPackagesUnderPkgsAtproto = {
    expr = {
      overlays = builtins.length (cfg "channel.nix").nixpkgs.overlays;
      goat = map (p: p.pname or null) (cfg "channel.nix").environment.systemPackages;
      pdsOption = (ex.module "channel.nix").options.services.atproto.pds.enable.isDefined or true;
    };
    expected = {
      overlays = 1;
      goat = [ "goat" ];
      pdsOption = true;
    };
  };

  testFlakeHostRunsThePds = {
    expr = {
      problems = ex.problems flakeHost;
      units = builtins.filter (lib.hasPrefix "atproto-pds") (builtins.attrNames flakeHost.config.systemd.services);
      overlays = builtins.length flakeHost.config.nixpkgs.overlays;
    };
    expected = {
      problems = {
        failedAssertions = [ ];
        warnings = [ ];
      };
      units = [
        "atproto-pds"
        "atproto-pds-health"
        "atproto-pds-upgrade-backup"
      ];
      overlays = 1;
    };
  };
}
)
