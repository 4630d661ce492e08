/**
 * The configuration `vigil server` runs with when no --config.file is given:
 * the server scrapes itself and the built-in host collectors it mounts at
 * /metrics/node. Rule files are added by the rules subsystem's defaults.
 */
export const DEFAULT_SERVER_CONFIG_YAML = `# Vigil default configuration (used when no --config.file is given).
global:
  scrape_interval: 15s
  evaluation_interval: 15s

scrape_configs:
  - job_name: vigil
    static_configs:
      - targets: ['localhost:9090']

  - job_name: node
    metrics_path: /metrics/node
    static_configs:
      - targets: ['localhost:9090']
`;
