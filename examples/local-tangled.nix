# Tangled's git server (knot) and CI runner (spindle) on the one-machine
# network of local-network.nix, following its jetstream and PLC directory.
# Both need their public name and the DID of their owner: an account on
# the local PDS, created first. nix/tests/live/tangled_services_test.go
# runs both from this file, with an owner of its own.
{ config, ... }:
let
  inherit (config.services.atproto) plc jetstream;
  plcURL = "http://127.0.0.1:${toString plc.settings.PORT}";
  # Not the public default: both retry an unreachable jetstream without
  # pausing, filling the journal.
  jetstreamURL = "ws://${jetstream.settings.JETSTREAM_ADDR}/subscribe";
  owner = "did:plc:replacewithyourownerdid2"; # your account's DID
in
{
  imports = [ ./local-network.nix ];

  services.atproto.knot = {
    enable = true;
    networkIsolation.enable = true;
    settings = {
      KNOT_SERVER_HOSTNAME = "knot.example.com";
      KNOT_SERVER_OWNER = owner;
      KNOT_SERVER_JETSTREAM_ENDPOINT = jetstreamURL;
      KNOT_SERVER_PLC_URL = plcURL;
    };
  };

  services.atproto.spindle = {
    enable = true;
    networkIsolation.enable = true;
    settings = {
      SPINDLE_SERVER_HOSTNAME = "spindle.example.com";
      SPINDLE_SERVER_OWNER = owner;
      SPINDLE_SERVER_JETSTREAM_ENDPOINT = jetstreamURL;
      SPINDLE_SERVER_PLC_URL = plcURL;
    };
  };
}
