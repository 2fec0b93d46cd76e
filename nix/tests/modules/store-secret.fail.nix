# A secret file inside the Nix store fails evaluation, saying how to keep it outside.
# expect-error: Failed assertions:
# expect-error: services.atproto.pds.jwtSecretFile = "/nix/store/00000000000000000000000000000000-pds-jwt" puts the secret in the Nix store
# expect-error: Keep the secret in a file outside the store
# expect-error: services.atproto.pds.jwtSecretFile = "/run/secrets/pds-jwt";
{ lib }:
let
  eval = import ./eval.nix { inherit lib; };
  minimal = import ./minimal.nix;
in
(eval.checked [
  {
    services.atproto.pds = lib.mkMerge [
      minimal.pds
      {
        enable = true;
        jwtSecretFile = lib.mkForce "/nix/store/00000000000000000000000000000000-pds-jwt";
      }
    ];
  }
]).config.systemd.services.atproto-pds.serviceConfig.LoadCredential
