# A secret given as a Nix path literal (which Nix would copy into the store) fails evaluation.
# expect-error: services.atproto.relay.adminPasswordFile = ./minimal.nix puts the secret in the Nix store
# expect-error: give its absolute path as a string
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
in
(eval.checked [
  {
    services.atproto.relay = {
      enable = true;
      adminPasswordFile = ./minimal.nix;
    };
  }
]).config.systemd.services.atproto-relay.serviceConfig.LoadCredential
