# Every module's metrics endpoint (with metrics.enable) and health probe URL
# (with its minimal configuration), as the rows of the table in
# content/administration/monitoring.md that examples/endpoints_test.go
# expects there:
#   { relay = "| `atproto-relay` | `127.0.0.1:2471/metrics` | `http://127.0.0.1:2470/xrpc/_health` |"; … }
#   nix-instantiate --eval --strict --json nix/tests/examples/endpoints.nix
let
  lib = import <nixpkgs/lib>;
  eval = import ../modules/eval.nix { inherit lib; };
  minimal = import ../modules/minimal.nix;
  names = builtins.attrNames (removeAttrs eval.modules [ "default" ]);

  configWith =
    name: extra:
    (eval.system [ { services.atproto.${name} = minimal.${name} // { enable = true; } // extra; } ]).config;

  metricsOf =
    name:
    let
      config = configWith name { metrics.enable = true; };
      # Modules without an endpoint refuse metrics.enable with an assertion.
      supported = builtins.all (a: a.assertion) config.assertions;
      job = builtins.head config.services.prometheus.scrapeConfigs;
    in
    if supported then "`${builtins.head (builtins.head job.static_configs).targets}${job.metrics_path}`" else "none";

  healthOf =
    name:
    let
      probe = (configWith name { }).systemd.services."atproto-${name}-health" or null;
    in
    if probe == null then "none" else "`${lib.last (lib.splitString " " probe.serviceConfig.ExecStart)}`";
in
lib.genAttrs names (name: "| `atproto-${name}` | ${metricsOf name} | ${healthOf name} |")
