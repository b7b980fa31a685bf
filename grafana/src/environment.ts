/**
 * The variables grafana/provisioning reads (Grafana expands `${NAME}` in provisioning files). The launcher
 * sets them for its Grafana process (orchestrator/platform/components/grafana.ts), docker-compose.yml and
 * the Ansible role set the same names; a unit test checks the files use no other.
 */
export const GRAFANA_ENV_VARS = [
  'SLUICE_INFLUX_URL',
  'SLUICE_INFLUX_DATABASE',
  'SLUICE_GRAFANA_INFLUX_USER',
  'SLUICE_GRAFANA_INFLUX_PASSWORD',
  'SLUICE_PROMETHEUS_URL',
  'SLUICE_ALERTMANAGER_URL',
  'SLUICE_MONITORING_USER',
  'SLUICE_MONITORING_PASSWORD',
  'SLUICE_GRAFANA_DASHBOARDS_DIR',
] as const;
