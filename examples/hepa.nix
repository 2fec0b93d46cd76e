# hepa runs indigo's automod rules over the firehose and files its reports,
# labels and takedowns in an Ozone instance that runs elsewhere.
{ ... }:
{
  services.atproto.hepa = {
    enable = true;
    settings = {
      ATP_OZONE_HOST = "https://ozone.example.com";
      # The labeler account the actions are attributed to.
      HEPA_OZONE_DID = "did:plc:abcdefghijklmnopqrstuvwx";
      # Account details come from your PDS's admin API.
      ATP_PDS_HOST = "https://pds.example.com";
      # The image rules call external classifiers (Hive, abyss) that need
      # accounts of their own; leave them out.
      HEPA_RULESET = "no-blobs";
    };
    ozoneAdminTokenFile = "/var/lib/secrets/hepa/ozone-admin-password";
    pdsAdminTokenFile = "/var/lib/secrets/pds/admin-password";
  };
}
