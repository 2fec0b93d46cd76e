# A missing required secret fails evaluation naming the option and the command that makes one.
# expect-error: services.atproto.pds.plcRotationKeyFile is not set
# expect-error: openssl ecparam --name secp256k1
# expect-error: services.atproto.pds.plcRotationKeyFile = "/run/secrets/pds-plcRotationKey";
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;
in
(eval.checked [
  {
    services.atproto.pds = removeAttrs minimal.pds [ "plcRotationKeyFile" ] // {
      enable = true;
    };
  }
]).config.systemd.services.atproto-pds.environment
