# For every module: the smallest configuration that passes its assertions —
# `enable`, the required settings and the required secret files (paths
# outside the store; nothing reads them during evaluation).
{
  pds = {
    settings.PDS_HOSTNAME = "pds.example.com";
    jwtSecretFile = "/run/secrets/pds-jwt";
    adminPasswordFile = "/run/secrets/pds-admin";
    plcRotationKeyFile = "/run/secrets/pds-plc";
  };
  relay.adminPasswordFile = "/run/secrets/relay-admin";
  rainbow = { };
  tap = { };
  hepa = { };
  jetstream = { };
  cocoon = {
    settings = {
      COCOON_HOSTNAME = "pds.example.com";
      COCOON_DID = "did:web:pds.example.com";
      COCOON_CONTACT_EMAIL = "admin@example.com";
    };
    rotationKeyFile = "/run/secrets/cocoon-rotation";
    jwkFile = "/run/secrets/cocoon-jwk";
    adminPasswordFile = "/run/secrets/cocoon-admin";
    sessionSecretFile = "/run/secrets/cocoon-session";
  };
  ozone = {
    settings = {
      OZONE_PUBLIC_URL = "https://ozone.example.com";
      OZONE_SERVER_DID = "did:plc:example";
    };
    database.createLocally = true;
    adminPasswordFile = "/run/secrets/ozone-admin";
    signingKeyFile = "/run/secrets/ozone-signing";
  };
  feed-generator.settings = {
    FEEDGEN_HOSTNAME = "feeds.example.com";
    FEEDGEN_PUBLISHER_DID = "did:plc:example";
  };
  plc.database.createLocally = true;
  rsky-pds = {
    settings.PDS_HOSTNAME = "pds.example.com";
    adminPasswordFile = "/run/secrets/rsky-admin";
    jwtKeyFile = "/run/secrets/rsky-jwt";
    repoSigningKeyFile = "/run/secrets/rsky-repo";
    plcRotationKeyFile = "/run/secrets/rsky-plc";
  };
  rsky-relay = { };
  rsky-feedgen = {
    settings = {
      FEEDGEN_HOSTNAME = "feeds.example.com";
      FEEDGEN_SERVICE_DID = "did:web:feeds.example.com";
    };
    database.createLocally = true;
    apiKeyFile = "/run/secrets/rsky-feedgen-key";
  };
  constellation = { };
  slingshot = { };
  spacedust = { };
  ufos = { };
  allegedly.settings = {
    ALLEGEDLY_WRAP = "http://127.0.0.1:2582";
    ALLEGEDLY_WRAP_PG = "postgresql:///plc?host=/run/postgresql&user=plc";
  };
  hydrant = { };
  knot.settings = {
    KNOT_SERVER_HOSTNAME = "knot.example.com";
    KNOT_SERVER_OWNER = "did:plc:example";
  };
  spindle.settings = {
    SPINDLE_SERVER_HOSTNAME = "spindle.example.com";
    SPINDLE_SERVER_OWNER = "did:plc:example";
  };
}
