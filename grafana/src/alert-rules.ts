/**
 * Grafana-managed alert rules on the InfluxDB aggregates, written to grafana/provisioning/alerting/rules.yaml
 * by `npm run grafana`. Each rule is one InfluxQL query (A), reduced to its last value per series (B)
 * and compared with a threshold (C); Grafana sends what fires to the platform's Alertmanager
 * (contact-points.yaml). The platform's own rules (broker down, lag, jobs) are Prometheus rules.
 */
import { INFLUX } from './datasources';
import { measurement } from './queries';

export interface DataAlertRule {
  uid: string;
  title: string;
  summary: string;
  /** InfluxQL giving one series per key; `$timeFilter` is the last `windowMinutes`. */
  query: string;
  windowMinutes: number;
  /** Fires when the last value is above (gt) or below (lt) the threshold. */
  comparison: 'gt' | 'lt';
  threshold: number;
  for: string;
  severity: 'warning' | 'critical';
  source: string;
}

export const DATA_ALERT_RULES: DataAlertRule[] = [
  {
    uid: 'sluice-web-error-ratio',
    title: 'Web: server error ratio above 20 %',
    summary: 'A path answers more than one request in five with a 5xx over five minutes.',
    query: `SELECT sum("server_errors") / sum("requests") FROM ${measurement('agg.web.path-5m')} WHERE $timeFilter GROUP BY time(1m), "path" fill(none)`,
    windowMinutes: 10,
    comparison: 'gt',
    threshold: 0.2,
    for: '2m',
    severity: 'critical',
    source: 'web',
  },
  {
    uid: 'sluice-iot-site-temperature',
    title: 'IoT: site temperature above 35 °C',
    summary: 'The mean temperature of a site over five minutes is above 35 °C.',
    query: `SELECT mean("temperature_avg") FROM ${measurement('agg.iot.site-5m')} WHERE $timeFilter GROUP BY time(1m), "site_id" fill(none)`,
    windowMinutes: 10,
    comparison: 'gt',
    threshold: 35,
    for: '2m',
    severity: 'warning',
    source: 'iot',
  },
  {
    uid: 'sluice-iot-battery-low',
    title: 'IoT: a device battery below 10 %',
    summary: 'The emptiest battery of a site is below 10 %.',
    query: `SELECT min("battery_min") FROM ${measurement('agg.iot.site-1m')} WHERE $timeFilter GROUP BY time(1m), "site_id" fill(none)`,
    windowMinutes: 10,
    comparison: 'lt',
    threshold: 10,
    for: '5m',
    severity: 'warning',
    source: 'iot',
  },
  {
    uid: 'sluice-finance-large-amounts',
    title: 'Finance: an account moved more than 10,000 in five minutes',
    summary: "The total of an account's transactions in a hopping five-minute window is above 10,000 (any currency).",
    query: `SELECT max("amount_total") FROM ${measurement('agg.finance.account-5m')} WHERE $timeFilter GROUP BY time(1m), "account_id" fill(none)`,
    windowMinutes: 10,
    comparison: 'gt',
    threshold: 10_000,
    for: '0s',
    severity: 'warning',
    source: 'finance',
  },
];

/** The rules in Grafana's alerting provisioning format (apiVersion 1). */
export function alertRulesProvisioning(rules: DataAlertRule[] = DATA_ALERT_RULES): unknown {
  return {
    apiVersion: 1,
    groups: [
      {
        orgId: 1,
        name: 'sluice-data',
        folder: 'Sluice',
        interval: '1m',
        rules: rules.map((r) => ({
          uid: r.uid,
          title: r.title,
          condition: 'C',
          data: [
            {
              refId: 'A',
              relativeTimeRange: { from: r.windowMinutes * 60, to: 0 },
              datasourceUid: INFLUX.uid,
              model: { refId: 'A', query: r.query, rawQuery: true, resultFormat: 'time_series' },
            },
            {
              refId: 'B',
              datasourceUid: '__expr__',
              model: { refId: 'B', type: 'reduce', expression: 'A', reducer: 'last', settings: { mode: 'dropNN' } },
            },
            {
              refId: 'C',
              datasourceUid: '__expr__',
              model: {
                refId: 'C',
                type: 'threshold',
                expression: 'B',
                conditions: [{ evaluator: { type: r.comparison, params: [r.threshold] } }],
              },
            },
          ],
          noDataState: 'OK',
          execErrState: 'Error',
          for: r.for,
          annotations: { summary: r.summary },
          labels: { severity: r.severity, source: r.source, component: 'grafana' },
        })),
      },
    ],
  };
}
