# A Personal Data Server for pds.example.com. Hand-made secrets live in
# /var/lib/secrets/pds (see the PDS guide for the command that makes each).
{ ... }:
{
  # The pinned PDS release depends on libraries with published advisories
  # (listed on the package's page). Nixpkgs refuses to build it until you
  # accept that by its exact name, which changes with every version.
  nixpkgs.config.permittedInsecurePackages = [ "pds-0.4.208" ];

  services.atproto.pds = {
    enable = true;
    settings = {
      PDS_HOSTNAME = "pds.example.com";
      PDS_CONTACT_EMAIL_ADDRESS = "admin@example.com";
      # Accounts are created by the operator (goat) or with invite codes.
      PDS_INVITE_REQUIRED = true;
    };
    jwtSecretFile = "/var/lib/secrets/pds/jwt-secret";
    adminPasswordFile = "/var/lib/secrets/pds/admin-password";
    plcRotationKeyFile = "/var/lib/secrets/pds/plc-rotation-key";
  };
}
