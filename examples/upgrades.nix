# The PDS with more upgrade backups than the default three: each is a copy
# of its SQLite databases, taken before a new version first starts.
{ ... }:
{
  imports = [ ./pds.nix ];

  services.atproto.pds.backupOnUpgrade.keep = 5;
}
