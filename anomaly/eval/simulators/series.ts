/**
 * Which series of the `agg.*` windows the simulator evaluation watches, and the rules each carries, as a
 * pipeline spec would declare them. Every candidate detector gets the same series and rules; only the
 * statistical part changes (a single detector runs as the one member of an ensemble, so it has the
 * rules and the ensemble's cooldown too).
 */
import type { RuleSpec, StatisticalOptions } from '../../detectors';
import { FINANCE_ACCOUNT_5M, IOT_DEVICE_1M, WEB_PATH_1M, type WindowDefinition } from '../aggregate';

export interface SeriesSpec {
  metric: string;
  /** Options for every statistical member on this series (e.g. only upward deviations count). */
  options?: StatisticalOptions;
  /** Rules of this series; `perKey` builds rules from reference data (a device's own limits). */
  rules?: RuleSpec[];
  perKey?: (reference: Record<string, unknown> | undefined) => RuleSpec[];
}

export interface SourceSeries {
  source: 'iot' | 'web' | 'finance';
  window: WindowDefinition;
  series: SeriesSpec[];
}

/**
 * A device reports every 10 s, so every device has a window every minute: silence for 150 s (two
 * windows and a half, more than a window plus the 5 s lateness) means its readings stopped.
 */
const IOT_ABSENCE: RuleSpec = { kind: 'absence', afterSeconds: 150 };

export const SIMULATOR_SERIES: readonly SourceSeries[] = [
  {
    source: 'iot',
    window: IOT_DEVICE_1M,
    series: [
      { metric: 'readings', rules: [IOT_ABSENCE], options: { direction: 'down' } },
      // The device registry's limits (sql/140-iot-over-threshold.sql uses the maximum the same way).
      {
        metric: 'temperature_max',
        rules: [IOT_ABSENCE],
        perKey: (device) =>
          typeof device?.temperature_max_c === 'number' ? [{ kind: 'threshold', above: device.temperature_max_c }] : [],
      },
      {
        metric: 'temperature_min',
        rules: [IOT_ABSENCE],
        perKey: (device) =>
          typeof device?.temperature_min_c === 'number' ? [{ kind: 'threshold', below: device.temperature_min_c }] : [],
      },
      { metric: 'temperature_avg', rules: [IOT_ABSENCE] },
      // A sensor's readings always carry some noise: six identical readings in a minute mean it is stuck.
      {
        metric: 'temperature_stddev',
        rules: [IOT_ABSENCE, { kind: 'threshold', below: 0.0005 }],
        options: { direction: 'down' },
      },
      { metric: 'humidity_avg', rules: [IOT_ABSENCE] },
    ],
  },
  {
    source: 'web',
    window: WEB_PATH_1M,
    // Quiet paths go minutes without a request, so no absence rule here. Counts get a floor of one
    // request on their scale (a path that gets 0 or 1 a minute is not anomalous at 2); errors are
    // counted, not taken as a ratio (1 error in 2 requests is a ratio of 0.5 and means nothing), and
    // errors and latency only count upwards.
    series: [
      { metric: 'requests', options: { minScale: 1 } },
      { metric: 'server_errors', options: { direction: 'up', minScale: 1 } },
      { metric: 'latency_p95_ms', options: { direction: 'up' } },
    ],
  },
  {
    source: 'finance',
    window: FINANCE_ACCOUNT_5M,
    // An account has a window only when it pays. Only the count is watched: amounts are log-normal with
    // long tails, so every large purchase would be an alert (sql/160-card-testing.sql checks the
    // small-then-large pattern itself).
    series: [{ metric: 'transactions', options: { direction: 'up', minScale: 1 } }],
  },
];

/**
 * Whether a label's anomaly can show in the windows at all: a bot flood is keyed by client IP and no
 * window is per IP; pressure is not aggregated; a stuck humidity sensor keeps a plausible average and
 * no window has the humidity's spread; impossible travel is about places, which no window keeps. Such
 * labels still count against recall; the report gives recall on the others too.
 */
export function observable(source: string, kind: string, detail: Record<string, unknown>): boolean {
  if (source === 'web') return kind !== 'bot_flood';
  if (source === 'finance') return kind !== 'impossible_travel';
  if (source === 'iot')
    return detail.sensor !== 'pressure_hpa' && !(kind === 'stuck_sensor' && detail.sensor === 'humidity_pct');
  return true;
}
