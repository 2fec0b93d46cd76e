# Prometheus scraping the firehose stack's metrics, an alert when a service
# stops answering, and Grafana on top — all bound to loopback.
{ ... }:
{
  imports = [ ./firehose.nix ];

  # Each turns on the program's metrics listener (127.0.0.1 only) and adds
  # a scrape job named after the unit to services.prometheus.scrapeConfigs.
  services.atproto.relay.metrics.enable = true;
  services.atproto.jetstream.metrics.enable = true;
  services.atproto.rainbow.metrics.enable = true;

  services.prometheus = {
    enable = true;
    listenAddress = "127.0.0.1";
    retentionTime = "30d";
    globalConfig.scrape_interval = "30s";
    rules = [
      ''
        groups:
          - name: atproto
            rules:
              - alert: AtprotoServiceDown
                expr: up{job=~"atproto-.*"} == 0
                for: 5m
                annotations:
                  summary: "{{ $labels.job }} has not answered its metrics scrape for 5 minutes"
      ''
    ];
  };

  services.grafana = {
    enable = true;
    settings = {
      # Port 3000 is the feed generator's.
      server = {
        http_addr = "127.0.0.1";
        http_port = 3001;
      };
      # Read by Grafana at start, so the key stays out of the Nix store.
      security.secret_key = "$__file{/var/lib/secrets/grafana-secret-key}";
    };
    provision = {
      enable = true;
      datasources.settings.datasources = [
        {
          name = "Prometheus";
          type = "prometheus";
          url = "http://127.0.0.1:9090";
          isDefault = true;
        }
      ];
    };
  };
}
