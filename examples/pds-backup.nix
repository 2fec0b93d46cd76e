# A nightly restic backup of the PDS: its data and its secrets. The PDS is
# stopped while restic copies, so that every SQLite database is consistent.
{ ... }:
{
  imports = [ ./pds.nix ];

  services.restic.backups.pds = {
    paths = [
      # With systemd's DynamicUser the data lives here; /var/lib/atproto-pds
      # is a symbolic link to it.
      "/var/lib/private/atproto-pds"
      # The PLC rotation key cannot be recreated: keep a copy.
      "/var/lib/secrets/pds"
    ];
    repository = "sftp:backup@backup.example.com:/srv/restic/pds";
    passwordFile = "/var/lib/secrets/restic-password";
    initialize = true;
    backupPrepareCommand = "systemctl stop atproto-pds.service";
    backupCleanupCommand = "systemctl start atproto-pds.service";
    timerConfig = {
      OnCalendar = "03:00";
      RandomizedDelaySec = "30m";
      Persistent = true;
    };
    pruneOpts = [
      "--keep-daily 7"
      "--keep-weekly 5"
      "--keep-monthly 12"
    ];
  };
}
