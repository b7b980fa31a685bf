/** The public API sources: air quality by city, congestion, price moves, from agg.api.*. */
import type { DashboardDefinition } from './dashboard';
import { INFLUX } from './datasources';
import { influx, measurement } from './queries';
import { table, timeseries } from './panels';

export const publicData: DashboardDefinition = {
  uid: 'sluice-public-data',
  title: 'Sluice / Public data',
  description:
    'Air quality (OpenAQ), traffic (TomTom, Google Maps) and market prices (Yahoo, Alpha Vantage), from the public API ingestors and their Flink windows.',
  tags: ['apis'],
  // Hourly windows that close two hours late (air quality): a day shows their course.
  from: 'now-24h',
  rows: [
    {
      title: 'Air quality',
      panels: [
        timeseries({
          title: 'PM2.5 by city',
          description: 'Hourly mean of the stations of each city.',
          datasource: INFLUX,
          unit: 'conμgm3',
          targets: [
            influx(
              `SELECT mean("value_avg") FROM ${measurement('agg.api.air-quality-1h')} WHERE "parameter" = 'pm25' AND $timeFilter GROUP BY time(1h), "city" fill(none)`,
            ),
          ],
        }),
        table({
          title: 'Latest hour per city and pollutant',
          description: 'Mean, lowest and highest value and the stations reporting.',
          datasource: INFLUX,
          width: 12,
          targets: [
            influx(
              `SELECT last("value_avg") AS "mean", last("value_min") AS "min", last("value_max") AS "max", last("sensors") AS "stations" FROM ${measurement('agg.api.air-quality-1h')} WHERE $timeFilter GROUP BY "city", "parameter", "units"`,
              'A',
              'table',
            ),
          ],
        }),
      ],
    },
    {
      title: 'Traffic and markets',
      panels: [
        timeseries({
          title: 'Congestion ratio by road segment',
          description: 'currentSpeed / freeFlowSpeed per 15 minutes: 1 is free flow, 0.5 half speed.',
          datasource: INFLUX,
          unit: 'percentunit',
          min: 0,
          max: 1.2,
          targets: [
            influx(
              `SELECT mean("congestion_ratio_avg") FROM ${measurement('agg.api.traffic-15m')} WHERE $timeFilter GROUP BY time(15m), "segment_id" fill(none)`,
            ),
          ],
        }),
        timeseries({
          title: 'Hourly price move by symbol',
          description: 'Last over first price of each hour, in percent.',
          datasource: INFLUX,
          unit: 'percent',
          targets: [
            influx(
              `SELECT last("move_pct") FROM ${measurement('agg.api.price-moves-1h')} WHERE $timeFilter GROUP BY time(1h), "symbol" fill(none)`,
            ),
          ],
        }),
      ],
    },
  ],
};
