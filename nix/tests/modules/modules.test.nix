# Every module in nix/modules, evaluated for real (nixpkgs lib, the NixOS
# option stubs, metadata-mode packages where they exist) with its minimal
# configuration: it passes its own assertions without warnings, and the unit
# it generates has the shared hardening, delivers secrets only as
# credentials, runs the package's main program and opens the firewall only
# when asked.
{ lib, repo }:
let
  eval = import ./eval.nix {
    inherit lib;
    packages = repo.packages or { };
  };
  minimal = import ./minimal.nix;
  names = builtins.attrNames (removeAttrs eval.modules [ "default" ]);

  # Node.js programs: V8's JIT needs writable executable memory.
  jitPrograms = [
    "pds"
    "ozone"
    "plc"
  ];

  # The public TCP ports each program listens on by default (upstream
  # defaults; hepa serves only metrics, rsky-relay binds loopback only).
  publicPorts = {
    pds = [ 3000 ];
    relay = [ 2470 ];
    rainbow = [ 2480 ];
    tap = [ 2480 ];
    hepa = [ ];
    jetstream = [ 8080 ];
    cocoon = [ 8080 ];
    ozone = [ 3000 ];
    feed-generator = [ 3000 ];
    plc = [ 2582 ];
    rsky-pds = [ 2583 ];
    rsky-relay = [ ];
    rsky-feedgen = [ 8000 ];
    constellation = [ 6789 ];
    slingshot = [ 8080 ];
    spacedust = [ 8080 ];
    ufos = [ 9990 ];
    allegedly = [ 8000 ];
    knot = [ 5555 ];
    spindle = [ 6555 ];
    hydrant = [ 3000 ];
  };

  evalWith =
    name: extra:
    eval.system [
      {
        services.atproto.${name} = lib.mkMerge [
          minimal.${name}
          { enable = true; }
          extra
        ];
      }
    ];

  checksFor =
    name:
    let
      result = evalWith name { };
      inherit (result) config;
      cfg = config.services.atproto.${name};
      unit = config.systemd.services."atproto-${name}";
      sc = unit.serviceConfig;
      credentials = map (c: builtins.head (lib.splitString ":" c)) sc.LoadCredential;
      secretValues = map (c: lib.concatStringsSep ":" (builtins.tail (lib.splitString ":" c))) sc.LoadCredential;
      opened = evalWith name { openFirewall = true; };
      isolated = (evalWith name { networkIsolation.enable = true; }).config.systemd.services."atproto-${name}".serviceConfig;
      cap = s: lib.toUpper (builtins.substring 0 1 s) + builtins.substring 1 (-1) s;
      prefix = "test" + lib.concatMapStrings cap (lib.splitString "-" name);
    in
    {
      "${prefix}PassesItsAssertions" = {
        expr = {
          failed = map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);
          inherit (config) warnings;
        };
        expected = {
          failed = [ ];
          warnings = [ ];
        };
      };

      "${prefix}HasTheHardening" = {
        expr = {
          inherit (sc)
            NoNewPrivileges
            UMask
            ProtectSystem
            ProtectHome
            PrivateTmp
            PrivateDevices
            ProtectKernelTunables
            ProtectKernelModules
            ProtectKernelLogs
            ProtectControlGroups
            ProtectClock
            ProtectHostname
            RestrictNamespaces
            RestrictRealtime
            RestrictSUIDSGID
            LockPersonality
            SystemCallArchitectures
            SystemCallFilter
            CapabilityBoundingSet
            AmbientCapabilities
            StateDirectory
            MemoryDenyWriteExecute
            ;
          families = builtins.all (f: builtins.elem f [
            "AF_UNIX"
            "AF_INET"
            "AF_INET6"
          ]) sc.RestrictAddressFamilies;
          nonRoot = sc.User != "root" && (sc.DynamicUser || name == "knot");
        };
        expected = {
          NoNewPrivileges = true;
          UMask = "0077";
          ProtectSystem = "strict";
          ProtectHome = true;
          PrivateTmp = true;
          PrivateDevices = true;
          ProtectKernelTunables = true;
          ProtectKernelModules = true;
          ProtectKernelLogs = true;
          ProtectControlGroups = true;
          ProtectClock = true;
          ProtectHostname = true;
          RestrictNamespaces = true;
          RestrictRealtime = true;
          RestrictSUIDSGID = true;
          LockPersonality = true;
          SystemCallArchitectures = "native";
          SystemCallFilter = [
            "@system-service"
            "~@privileged"
            "~@resources"
          ];
          CapabilityBoundingSet = [ "" ];
          AmbientCapabilities = [ "" ];
          StateDirectory = "atproto-${name}";
          MemoryDenyWriteExecute = !(builtins.elem name jitPrograms);
          families = true;
          nonRoot = true;
        };
      };

      # Every secret file given in minimal.nix becomes a credential, and
      # neither its path nor a secret variable appears in the environment.
      "${prefix}DeliversSecretsAsCredentials" = {
        expr = {
          credentials = lib.sort (a: b: a < b) credentials;
          pathsInEnvironment = builtins.filter (v: builtins.elem v secretValues) (
            builtins.attrValues unit.environment
          );
          readInWrapper = builtins.all (c: lib.hasInfix "$CREDENTIALS_DIRECTORY/${c}" unit.script) credentials;
        };
        expected = {
          credentials = lib.sort (a: b: a < b) (
            map (o: lib.removeSuffix "File" o) (
              builtins.filter (o: lib.hasSuffix "File" o && minimal.${name}.${o} or null != null) (
                builtins.attrNames minimal.${name}
              )
            )
          );
          pathsInEnvironment = [ ];
          readInWrapper = true;
        };
      };

      "${prefix}RunsThePackagesMainProgram" = {
        expr = lib.hasInfix "exec ${lib.getExe cfg.package}" unit.script;
        expected = true;
      };

      "${prefix}OpensTheFirewallOnlyWhenAsked" = {
        expr = {
          closed = config.networking.firewall.allowedTCPPorts;
          opened = opened.config.networking.firewall.allowedTCPPorts;
        };
        expected = {
          closed = [ ];
          opened = publicPorts.${name};
        };
      };

      "${prefix}IsolatesTheNetworkWhenAsked" = {
        expr = {
          inherit (isolated) IPAddressDeny;
          allow = isolated.IPAddressAllow;
          families = isolated.RestrictAddressFamilies;
        };
        expected = {
          IPAddressDeny = "any";
          allow = [ "localhost" ];
          families = [
            "AF_UNIX"
            "AF_INET"
          ];
        };
      };

      "${prefix}OrdersAfterTheNetwork" = {
        expr = builtins.elem "network-online.target" unit.after && builtins.elem "network-online.target" unit.wants;
        expected = true;
      };
    };
in
lib.runTests (
  lib.foldl' (acc: name: acc // checksFor name) {
    # A new module must come with its minimal configuration.
    testEveryModuleHasAMinimalConfiguration = {
      expr = builtins.attrNames minimal;
      expected = names;
    };
    # constellation exits with status 0 when it gives up on its jetstream
    # (seven failed connections in about 21 s: a jetstream still starting,
    # or answering 503 in its bootstrap phase), which Restart=on-failure
    # would leave stopped for good.
    testConstellationRestartsAfterGivingUpOnItsJetstream = {
      expr = (evalWith "constellation" { }).config.systemd.services.atproto-constellation.serviceConfig.Restart;
      expected = "always";
    };
    # allegedly serves :80 and :443 itself when it obtains certificates, so
    # those are the ports it may bind and the firewall opens. It refuses a
    # bind address beside ACME domains and needs a certificate cache, and
    # :80 answers errors only: the health probe asks :443 for the domain,
    # and is off unless asked for (no certificate before the first order).
    testAllegedlyAcmeMode =
      let
        acme = evalWith "allegedly" {
          openFirewall = true;
          settings.ALLEGEDLY_ACME_DOMAIN = [ "plc.example.com" ];
        };
        unit = acme.config.systemd.services.atproto-allegedly;
      in
      {
        expr = {
          opened = acme.config.networking.firewall.allowedTCPPorts;
          caps = unit.serviceConfig.AmbientCapabilities;
          bind = unit.environment ? ALLEGEDLY_BIND;
          cache = unit.environment.ALLEGEDLY_ACME_CACHE_PATH;
          health = acme.config.services.atproto.allegedly.healthCheck.enable;
        };
        expected = {
          opened = [
            80
            443
          ];
          caps = [ "CAP_NET_BIND_SERVICE" ];
          bind = false;
          cache = "/var/lib/atproto-allegedly/acme";
          health = false;
        };
      };
    testAllegedlyAcmeProbeAsksTheDomainOn443 = {
      expr =
        let
          probed = evalWith "allegedly" {
            settings.ALLEGEDLY_ACME_DOMAIN = [ "plc.example.com" ];
            healthCheck.enable = true;
          };
        in
        lib.hasSuffix "--resolve plc.example.com:443:127.0.0.1 https://plc.example.com/_health" (
          lib.last probed.config.systemd.services.atproto-allegedly.serviceConfig.ExecStartPost
        );
      expected = true;
    };
    # Without ACME the probe and the bind address stay as they were.
    testAllegedlyPlainModeProbe = {
      expr =
        let
          c = evalWith "allegedly" { };
        in
        {
          health = c.config.services.atproto.allegedly.healthCheck.enable;
          probe = lib.hasSuffix " http://127.0.0.1:8000/_health" (
            lib.last c.config.systemd.services.atproto-allegedly.serviceConfig.ExecStartPost
          );
          bind = c.config.systemd.services.atproto-allegedly.environment.ALLEGEDLY_BIND;
          cache = c.config.systemd.services.atproto-allegedly.environment ? ALLEGEDLY_ACME_CACHE_PATH;
        };
      expected = {
        health = true;
        probe = true;
        bind = "127.0.0.1:8000";
        cache = false;
      };
    };
    # slingshot in ACME mode serves HTTPS on :443 only, with the same
    # exclusions as allegedly.
    testSlingshotAcmeMode =
      let
        acme = evalWith "slingshot" {
          openFirewall = true;
          settings.SLINGSHOT_ACME_DOMAIN = "slingshot.example.com";
        };
        probed = evalWith "slingshot" {
          settings.SLINGSHOT_ACME_DOMAIN = "slingshot.example.com";
          healthCheck.enable = true;
        };
        unit = acme.config.systemd.services.atproto-slingshot;
      in
      {
        expr = {
          opened = acme.config.networking.firewall.allowedTCPPorts;
          caps = unit.serviceConfig.AmbientCapabilities;
          bind = unit.environment ? SLINGSHOT_BIND;
          cache = unit.environment.SLINGSHOT_ACME_CACHE_PATH;
          health = acme.config.services.atproto.slingshot.healthCheck.enable;
          probe = lib.hasSuffix "--resolve slingshot.example.com:443:127.0.0.1 https://slingshot.example.com/openapi" (
            lib.last probed.config.systemd.services.atproto-slingshot.serviceConfig.ExecStartPost
          );
        };
        expected = {
          opened = [ 443 ];
          caps = [ "CAP_NET_BIND_SERVICE" ];
          bind = false;
          cache = "/var/lib/atproto-slingshot/acme";
          health = false;
          probe = true;
        };
      };
    # The ACME-only settings require an ACME domain, and the programs count
    # a variable that is set as given, even `false`: by default none is
    # exported, and in ACME mode one set to true is.
    testAcmeOnlySettingsAreUnsetByDefault = {
      expr =
        let
          envOf = name: (evalWith name { }).config.systemd.services."atproto-${name}".environment;
        in
        builtins.filter (lib.hasInfix "ACME") (
          builtins.attrNames (envOf "allegedly") ++ builtins.attrNames (envOf "slingshot")
        );
      expected = [ ];
    };
    testAcmeIpv6InAcmeMode = {
      expr = {
        allegedly =
          (evalWith "allegedly" {
            settings.ALLEGEDLY_ACME_DOMAIN = [ "plc.example.com" ];
            settings.ALLEGEDLY_ACME_IPV6 = true;
          }).config.systemd.services.atproto-allegedly.environment.ALLEGEDLY_ACME_IPV6;
        slingshot =
          (evalWith "slingshot" {
            settings.SLINGSHOT_ACME_DOMAIN = "slingshot.example.com";
            settings.SLINGSHOT_ACME_IPV6 = true;
          }).config.systemd.services.atproto-slingshot.environment.SLINGSHOT_ACME_IPV6;
      };
      expected = {
        allegedly = "true";
        slingshot = "true";
      };
    };
    # allegedly's ALLEGEDLY_ACME_DOMAIN has no value delimiter ("a,b" is one
    # domain); several domains are repeated --acme-domain arguments.
    testAllegedlyAcmeDomainsAreRepeatedArguments = {
      expr =
        let
          unit =
            (evalWith "allegedly" {
              settings.ALLEGEDLY_ACME_DOMAIN = [
                "plc.example.com"
                "plc.example.org"
              ];
            }).config.systemd.services.atproto-allegedly;
        in
        {
          variable = unit.environment ? ALLEGEDLY_ACME_DOMAIN;
          arguments = lib.hasInfix " mirror '--acme-domain=plc.example.com' '--acme-domain=plc.example.org'" unit.script;
        };
      expected = {
        variable = false;
        arguments = true;
      };
    };
    # rsky-feedgen reads SHOW_SPONSORED_POST == "1" and nothing else as on.
    testRskyFeedgenSponsoredPostIsOne = {
      expr = map (
        v:
        (evalWith "rsky-feedgen" { settings.SHOW_SPONSORED_POST = v; })
        .config.systemd.services.atproto-rsky-feedgen.environment.SHOW_SPONSORED_POST or "unset"
      ) [ true false null ];
      expected = [ "1" "unset" "unset" ];
    };
    # The variables rsky-feedgen reads beyond main.rs (rsky-feedgen/src/apis)
    # are declared: setting them warns about nothing and renders them.
    testRskyFeedgenTuningVariablesAreDeclared =
      let
        result = evalWith "rsky-feedgen" {
          settings = {
            FEEDGEN_TRENDING_CACHE_CAPACITY = 500;
            FEEDGEN_TRENDING_CACHE_TTL = 10;
            FEEDGEN_MEDIA_BLACKOUT_ENABLED = true;
            FEEDGEN_MEDIA_BLACKOUT_START = 23;
            FEEDGEN_MEDIA_BLACKOUT_END = 5;
            FEEDGEN_HASHTAG_LIMIT = 6;
          };
        };
        env = result.config.systemd.services.atproto-rsky-feedgen.environment;
      in
      {
        expr = {
          inherit (result.config) warnings;
          rendered = lib.filterAttrs (k: _: lib.hasPrefix "FEEDGEN_" k && k != "FEEDGEN_HOSTNAME" && k != "FEEDGEN_SERVICE_DID") env;
        };
        expected = {
          warnings = [ ];
          rendered = {
            FEEDGEN_TRENDING_CACHE_CAPACITY = "500";
            FEEDGEN_TRENDING_CACHE_TTL = "10";
            FEEDGEN_MEDIA_BLACKOUT_ENABLED = "true";
            FEEDGEN_MEDIA_BLACKOUT_START = "23";
            FEEDGEN_MEDIA_BLACKOUT_END = "5";
            FEEDGEN_HASHTAG_LIMIT = "6";
          };
        };
      };
    # allegedly parses ALLEGEDLY_WRAP_PG as a WHATWG URL (url::Url), which
    # refuses a user name before an empty host; the local database's URL
    # keeps the user in the query instead (tokio-postgres reads it there).
    testAllegedlyLocalDatabaseUrlHasNoUserBeforeAnEmptyHost = {
      expr =
        (eval.system [
          {
            services.atproto.plc = lib.mkMerge [
              minimal.plc
              { enable = true; }
            ];
            services.atproto.allegedly.enable = true;
          }
        ]).config.systemd.services.atproto-allegedly.environment.ALLEGEDLY_WRAP_PG;
      expected = "postgresql:///atproto-plc?host=/run/postgresql&user=atproto-plc";
    };
    testEveryModuleIsInTheDefaultModule = {
      expr = builtins.length eval.modules.default.imports;
      expected = builtins.length names;
    };
  } names
)
