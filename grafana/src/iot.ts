/** IoT fleet: temperatures, readings and batteries per site and device, from agg.iot.*. */
import type { DashboardDefinition } from './dashboard';
import { INFLUX } from './datasources';
import { influx, measurement } from './queries';
import { stat, table, timeseries } from './panels';

const SITE_1M = measurement('agg.iot.site-1m');
const SITE_5M = measurement('agg.iot.site-5m');
const DEVICE_1M = measurement('agg.iot.device-1m');

export const iotFleet: DashboardDefinition = {
  uid: 'sluice-iot',
  title: 'Sluice / IoT fleet',
  description: 'Sensor readings per site and device (Flink windows agg.iot.site-1m, -5m and agg.iot.device-1m).',
  tags: ['iot'],
  alertsOf: [
    'agg.iot.device-1m',
    'agg.iot.device-5m',
    'agg.iot.site-1m',
    'agg.iot.site-5m',
    'patterns.iot-over-threshold',
  ],
  rows: [
    {
      title: 'Sites',
      panels: [
        stat({
          title: 'Devices reporting',
          description: 'Devices with at least one valid reading in the last minute, all sites.',
          datasource: INFLUX,
          targets: [influx(`SELECT sum("devices") FROM ${SITE_1M} WHERE $timeFilter GROUP BY time(1m) fill(none)`)],
        }),
        stat({
          title: 'Readings per minute',
          description: 'Valid readings, all sites.',
          datasource: INFLUX,
          targets: [influx(`SELECT sum("readings") FROM ${SITE_1M} WHERE $timeFilter GROUP BY time(1m) fill(none)`)],
        }),
        timeseries({
          title: 'Temperature by site',
          description: 'Mean temperature per site, five minutes every minute.',
          datasource: INFLUX,
          unit: 'celsius',
          width: 12,
          targets: [
            influx(
              `SELECT mean("temperature_avg") FROM ${SITE_5M} WHERE $timeFilter GROUP BY time(1m), "site_id" fill(none)`,
            ),
          ],
        }),
      ],
    },
    {
      title: 'Devices',
      panels: [
        timeseries({
          title: 'Hottest devices (p95 temperature)',
          description: 'Per device and minute, the 95th percentile of its temperature.',
          datasource: INFLUX,
          unit: 'celsius',
          targets: [
            influx(
              `SELECT max("temperature_p95") FROM ${DEVICE_1M} WHERE $timeFilter GROUP BY time(1m), "device_id" fill(none) SLIMIT 10`,
            ),
          ],
        }),
        timeseries({
          title: 'Lowest battery by site',
          description: "The emptiest battery among a site's devices, per minute.",
          datasource: INFLUX,
          unit: 'percent',
          min: 0,
          max: 100,
          targets: [
            influx(
              `SELECT min("battery_min") FROM ${SITE_1M} WHERE $timeFilter GROUP BY time(1m), "site_id" fill(none)`,
            ),
          ],
        }),
        table({
          title: 'Devices with the widest temperature swing',
          description: 'Standard deviation of the temperature per device over the range.',
          datasource: INFLUX,
          targets: [
            influx(
              `SELECT max("temperature_stddev") AS "stddev", max("temperature_max") AS "max", min("temperature_min") AS "min" FROM ${DEVICE_1M} WHERE $timeFilter GROUP BY "device_id"`,
              'A',
              'table',
            ),
          ],
        }),
      ],
    },
  ],
};
