/** Web traffic: requests, errors and latency per path, from the Flink windows on agg.web.path-1m / -5m. */
import type { DashboardDefinition } from './dashboard';
import { INFLUX } from './datasources';
import { influx, measurement } from './queries';
import { stat, table, timeseries } from './panels';

const PATH_1M = measurement('agg.web.path-1m');
const PATH_5M = measurement('agg.web.path-5m');

export const webTraffic: DashboardDefinition = {
  uid: 'sluice-web',
  title: 'Sluice / Web traffic',
  description:
    'Requests, server errors and response times per path, from the web access logs (Flink windows agg.web.path-1m and -5m).',
  tags: ['web'],
  alertsOf: ['agg.web.path-1m', 'agg.web.path-5m', 'patterns.web-error-burst'],
  rows: [
    {
      title: 'Traffic',
      panels: [
        stat({
          title: 'Requests per minute',
          description: 'All paths, last complete minute.',
          datasource: INFLUX,
          unit: 'reqpm',
          targets: [influx(`SELECT sum("requests") FROM ${PATH_1M} WHERE $timeFilter GROUP BY time(1m) fill(none)`)],
        }),
        stat({
          title: 'Server error ratio',
          description: '5xx share of all requests over the last five minutes.',
          datasource: INFLUX,
          unit: 'percentunit',
          targets: [
            influx(
              `SELECT sum("server_errors") / sum("requests") FROM ${PATH_5M} WHERE $timeFilter GROUP BY time(1m) fill(none)`,
            ),
          ],
        }),
        timeseries({
          title: 'Requests per minute by path',
          description: 'Tumbling one-minute windows per path.',
          datasource: INFLUX,
          unit: 'reqpm',
          width: 12,
          targets: [
            influx(`SELECT sum("requests") FROM ${PATH_1M} WHERE $timeFilter GROUP BY time(1m), "path" fill(none)`),
          ],
        }),
      ],
    },
    {
      title: 'Errors and latency',
      panels: [
        timeseries({
          title: 'Server error ratio by path',
          description: 'Share of 5xx responses per path, five minutes every minute.',
          datasource: INFLUX,
          unit: 'percentunit',
          min: 0,
          max: 1,
          targets: [
            influx(`SELECT mean("error_ratio") FROM ${PATH_5M} WHERE $timeFilter GROUP BY time(1m), "path" fill(none)`),
          ],
        }),
        timeseries({
          title: 'Response time p95 by path',
          description: 'Exact 95th percentile of the response time per path and minute.',
          datasource: INFLUX,
          unit: 'ms',
          targets: [
            influx(
              `SELECT max("latency_p95_ms") FROM ${PATH_1M} WHERE $timeFilter GROUP BY time(1m), "path" fill(none)`,
            ),
          ],
        }),
        table({
          title: 'Slowest paths',
          description: 'Mean and worst response time per path over the dashboard range.',
          datasource: INFLUX,
          targets: [
            influx(
              `SELECT mean("latency_avg_ms") AS "mean_ms", max("latency_max_ms") AS "max_ms", sum("requests") AS "requests" FROM ${PATH_1M} WHERE $timeFilter GROUP BY "path"`,
              'A',
              'table',
            ),
          ],
        }),
      ],
    },
  ],
};
