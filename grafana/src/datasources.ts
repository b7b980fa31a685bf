/**
 * The datasources every dashboard and alert rule names, by uid. grafana/provisioning/datasources
 * provisions them with the same uids, from the platform's environment (SLUICE_INFLUX_URL, …), so the
 * launcher, docker-compose and Ansible all use the same files.
 */
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

export const INFLUX: Required<DataSourceRef> = { type: 'influxdb', uid: 'sluice-influxdb' };
export const PROMETHEUS: Required<DataSourceRef> = { type: 'prometheus', uid: 'sluice-prometheus' };
export const ALERTMANAGER: Required<DataSourceRef> = { type: 'alertmanager', uid: 'sluice-alertmanager' };

/** The InfluxDB database deploy-pipeline creates and the Connect sink writes the Flink aggregates to. */
export const INFLUX_DATABASE = 'sluice';
