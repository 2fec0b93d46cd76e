# The TCP ports of every enabled service (public, local and metrics) are
# collected in services.atproto.listeners, and two services that would bind
# the same port fail evaluation. The modules keep upstream's default ports
# (as nixpkgs modules do: upstream's documentation and clients assume them),
# so the collisions below are the ones a user resolves by setting a port.
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;

  enable =
    services:
    eval.system [
      {
        services.atproto = lib.mapAttrs (
          name: extra:
          lib.mkMerge [
            minimal.${name}
            { enable = true; }
            extra
          ]
        ) services;
      }
    ];
  failed = r: map (a: a.message) (builtins.filter (a: !a.assertion) r.config.assertions);
  clashesIn = r: builtins.filter (lib.hasInfix " listen on TCP port ") (failed r);
  portsOf = r: lib.sort (a: b: a < b) (lib.unique (map (l: l.port) r.config.services.atproto.listeners));

  # A firehose host with every consumer on its own port.
  distinct = enable {
    relay.metrics.enable = true;
    rainbow.metrics.enable = true;
    jetstream.metrics.enable = true;
    tap = {
      metrics.enable = true;
      settings.TAP_BIND = ":2490";
    };
    slingshot = {
      metrics.enable = true;
      settings.SLINGSHOT_BIND = "0.0.0.0:8081";
    };
    spacedust.settings.SPACEDUST_BIND = "[::]:8082";
    constellation.metrics.enable = true;
    pds = { };
    ozone.settings.OZONE_PORT = 3010;
    feed-generator.settings.FEEDGEN_PORT = 3020;
  };
in
lib.runTests {
  testDistinctPortsPass = {
    expr = {
      failed = failed distinct;
      ports = portsOf distinct;
    };
    expected = {
      failed = [ ];
      ports = [
        2470 # relay
        2471 # relay metrics
        2480 # rainbow
        2481 # rainbow metrics
        2490 # tap
        3000 # pds
        3010 # ozone
        3020 # feed-generator
        6010 # tap metrics
        6060 # jetstream operations and metrics
        6789 # constellation
        8080 # jetstream
        8081 # slingshot
        8082 # spacedust
        8765 # constellation metrics
        8766 # slingshot metrics
      ];
    };
  };

  # Each listener names its service, its address (null: all) and the option
  # that moves it; metrics count once enabled, always-on listeners always.
  testListenersOfOneService = {
    expr = map (l: removeAttrs l [ "service" ]) (
      builtins.filter (l: l.service == "jetstream") (enable { jetstream = { }; }).config.services.atproto.listeners
    );
    expected = [
      {
        port = 8080;
        host = null;
        option = "services.atproto.jetstream.settings.JETSTREAM_ADDR";
      }
      {
        port = 6060;
        host = "127.0.0.1";
        option = "services.atproto.jetstream.settings.JETSTREAM_DEBUG_ADDR";
      }
    ];
  };

  # The same port on two different addresses binds; on one address, or with
  # one of them on all addresses, it does not.
  testAddressesDecide = {
    expr = map (binds: builtins.length (clashesIn (enable {
      jetstream.settings.JETSTREAM_ADDR = binds.jetstream;
      slingshot.settings.SLINGSHOT_BIND = binds.slingshot;
    }))) [
      { jetstream = "127.0.0.1:8080"; slingshot = "127.0.0.2:8080"; }
      { jetstream = "127.0.0.1:8080"; slingshot = "127.0.0.1:8080"; }
      { jetstream = ":8080"; slingshot = "127.0.0.2:8080"; }
      { jetstream = "127.0.0.1:8080"; slingshot = "[::]:8080"; }
    ];
    expected = [ 0 1 1 1 ];
  };

  # In ACME mode the ports are 80/443 and the message says so.
  testAcmeModesClashOn443 = {
    expr = clashesIn (enable {
      allegedly.settings.ALLEGEDLY_ACME_DOMAIN = [ "plc.example.com" ];
      slingshot.settings.SLINGSHOT_ACME_DOMAIN = "slingshot.example.com";
    });
    expected = [
      "services.atproto: slingshot and allegedly both listen on TCP port 443, so only one of them could start. Set another port in all but one of: services.atproto.slingshot.settings.SLINGSHOT_ACME_DOMAIN (in ACME mode slingshot serves port 443 itself; without it, SLINGSHOT_BIND); services.atproto.allegedly.settings.ALLEGEDLY_ACME_DOMAIN (in ACME mode allegedly serves ports 80 and 443 itself; without it, ALLEGEDLY_BIND)."
    ];
  };

  # Every module enabled with its defaults: the upstream defaults that
  # collide, one message per port, naming every service on it.
  testUpstreamDefaultsThatCollide = {
    expr = map (m: builtins.head (builtins.match ".* listen on TCP port ([0-9]+),.*" m)) (
      clashesIn (enable (lib.mapAttrs (_: _: { }) minimal))
    );
    expected = [
      "2480" # rainbow, tap
      "3000" # pds, ozone, feed-generator, hydrant
      "8000" # allegedly (127.0.0.1), rsky-feedgen
      "8080" # cocoon, jetstream, slingshot, spacedust
    ];
  };
}
