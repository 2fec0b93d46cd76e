# A mirror of the one-machine network's PLC directory (local-network.nix),
# as a second machine runs it: its own PLC server and PostgreSQL, filled
# and served by allegedly; the upstream is the network's PLC directory on
# its default port. nix/tests/live/plc_mirror_network_test.go runs this
# file on the network's machine, with a PostgreSQL cluster of its own,
# which is why its PLC server takes a port of its own.
{
  # Like the PDS, the pinned PLC server locks libraries with published
  # advisories (see its package page); accept it by name.
  nixpkgs.config.permittedInsecurePackages = [ "plc-0-unstable-2026-01-19" ];

  services.atproto.plc = {
    enable = true;
    database.createLocally = true;
    networkIsolation.enable = true;
    # The network's PLC directory has 2582.
    settings.PORT = 2583;
  };

  # allegedly wraps the PLC server above (its defaults with the server and
  # its database on the same host) and copies the network's directory
  # into it.
  services.atproto.allegedly = {
    enable = true;
    networkIsolation.enable = true;
    settings.ALLEGEDLY_UPSTREAM = "http://127.0.0.1:2582";
  };
}
