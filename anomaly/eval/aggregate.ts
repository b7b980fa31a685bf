/**
 * The `agg.*` windows of the Flink SQL jobs, computed in process, so detectors can be evaluated on the
 * simulators without Kafka or Flink. One definition per job, written after its SQL file:
 *
 * - agg.iot.device-1m (sql/120-iot-device-1m.sql): valid readings (sql/020-views.sql's ranges), per
 *   device, 1-minute tumbling windows.
 * - agg.web.path-1m (sql/170-web-path-1m.sql): access logs per path, 1-minute tumbling windows.
 * - agg.finance.account-5m (sql/180-finance-account-5m.sql): transactions per account and currency,
 *   5-minute windows sliding by 1 minute.
 *
 * The functions are SQL's: COUNT(*) counts rows, AVG/MIN/MAX/STDDEV_POP/PERCENTILE skip nulls (and are
 * null when every value is), PERCENTILE interpolates linearly between the two nearest ranks. A window
 * closes, as in Flink, when the watermark (the newest event time minus the 5 s lateness bound) passes
 * its end; the event time of its row is its end.
 */

export const LATENESS_MS = 5_000;
const MINUTE = 60_000;

type Values = Record<string, unknown>;
export type Metrics = Record<string, number | null>;

export interface WindowDefinition {
  /** The output topic, e.g. agg.iot.device-1m. */
  name: string;
  /** The topic of the events it reads. */
  input: string;
  sizeMs: number;
  slideMs: number;
  /** The GROUP BY columns besides the window, and which of them is the series key (the Kafka key). */
  groupBy: readonly string[];
  keyField: string;
  /** The WHERE of the job's source view (iot_valid), if any. */
  accept?: (event: Values) => boolean;
  aggregate(events: readonly Values[]): Metrics;
}

export interface AggregateRow {
  window: string;
  windowStart: number;
  windowEnd: number;
  /** The series key: the value of keyField (a device, a path, an account). */
  key: string;
  group: Record<string, string>;
  metrics: Metrics;
}

const nums = (events: readonly Values[], field: string): number[] => {
  const out: number[] = [];
  for (const e of events) {
    const v = e[field];
    if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  }
  return out;
};

export function avg(values: readonly number[]): number | null {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
}

export function stddevPop(values: readonly number[]): number | null {
  const mean = avg(values);
  if (mean === null) return null;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
}

/** PERCENTILE(x, p): linear interpolation between the two nearest ranks of the sorted values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return (sorted[lo] as number) + (position - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

const min = (values: readonly number[]) => (values.length ? Math.min(...values) : null);
const max = (values: readonly number[]) => (values.length ? Math.max(...values) : null);
const sum = (values: readonly number[]) => (values.length ? values.reduce((s, v) => s + v, 0) : null);

const within = (v: unknown, lo: number, hi: number) =>
  v === null || v === undefined || (typeof v === 'number' && v >= lo && v <= hi);

export const IOT_DEVICE_1M: WindowDefinition = {
  name: 'agg.iot.device-1m',
  input: 'iot.readings',
  sizeMs: MINUTE,
  slideMs: MINUTE,
  groupBy: ['device_id', 'site_id'],
  keyField: 'device_id',
  // iot_valid: every present value physically possible (late readings cannot happen in process).
  accept: (e) =>
    within(e.temperature_c, -60, 85) &&
    within(e.humidity_pct, 0, 100) &&
    within(e.pressure_hpa, 800, 1100) &&
    within(e.battery_pct, 0, 100) &&
    e.battery_pct !== null,
  aggregate(events) {
    const t = nums(events, 'temperature_c');
    return {
      readings: events.length,
      temperature_avg: avg(t),
      temperature_min: min(t),
      temperature_max: max(t),
      temperature_stddev: stddevPop(t),
      temperature_p95: percentile(t, 0.95),
      humidity_avg: avg(nums(events, 'humidity_pct')),
      battery_min: min(nums(events, 'battery_pct')),
    };
  },
};

export const WEB_PATH_1M: WindowDefinition = {
  name: 'agg.web.path-1m',
  input: 'web.access-logs',
  sizeMs: MINUTE,
  slideMs: MINUTE,
  groupBy: ['path'],
  keyField: 'path',
  aggregate(events) {
    const latency = nums(events, 'response_time_ms');
    const errors = events.filter((e) => typeof e.status === 'number' && e.status >= 500).length;
    return {
      requests: events.length,
      server_errors: errors,
      error_ratio: errors / events.length,
      latency_avg_ms: avg(latency),
      latency_min_ms: min(latency),
      latency_max_ms: max(latency),
      latency_stddev_ms: stddevPop(latency),
      latency_p95_ms: percentile(latency, 0.95),
    };
  },
};

export const FINANCE_ACCOUNT_5M: WindowDefinition = {
  name: 'agg.finance.account-5m',
  input: 'finance.transactions',
  sizeMs: 5 * MINUTE,
  slideMs: MINUTE,
  groupBy: ['account_id', 'currency'],
  keyField: 'account_id',
  aggregate(events) {
    const amounts = nums(events, 'amount');
    return {
      transactions: events.length,
      amount_total: sum(amounts),
      amount_avg: avg(amounts),
      amount_min: min(amounts),
      amount_max: max(amounts),
      amount_stddev: stddevPop(amounts),
      amount_p95: percentile(amounts, 0.95),
    };
  },
};

export const WINDOW_DEFINITIONS = [IOT_DEVICE_1M, WEB_PATH_1M, FINANCE_ACCOUNT_5M] as const;

/** The starts of the windows an event at `ts` falls in (one for tumbling windows, size/slide for hopping). */
export function windowStarts(ts: number, sizeMs: number, slideMs: number): number[] {
  const last = Math.floor(ts / slideMs) * slideMs;
  const out: number[] = [];
  for (let start = last; start > ts - sizeMs; start -= slideMs) out.push(start);
  return out.reverse();
}

/** Groups events into a definition's windows and emits each window's rows once the watermark passes its end. */
export class WindowAggregator {
  private readonly open = new Map<number, Map<string, { group: Record<string, string>; events: Values[] }>>();
  private watermark = -Infinity;

  constructor(readonly definition: WindowDefinition) {}

  add(event: Values, ts: number): void {
    this.watermark = Math.max(this.watermark, ts - LATENESS_MS);
    if (this.definition.accept && !this.definition.accept(event)) return;
    const group: Record<string, string> = {};
    for (const field of this.definition.groupBy) group[field] = String(event[field]);
    const groupKey = this.definition.groupBy.map((f) => group[f]).join('\u0000');
    for (const start of windowStarts(ts, this.definition.sizeMs, this.definition.slideMs)) {
      // A window that has already closed (an event later than the lateness bound) is not reopened.
      if (start + this.definition.sizeMs <= this.watermark) continue;
      let groups = this.open.get(start);
      if (!groups) this.open.set(start, (groups = new Map()));
      let entry = groups.get(groupKey);
      if (!entry) groups.set(groupKey, (entry = { group, events: [] }));
      entry.events.push(event);
    }
  }

  /** The rows of every window whose end the watermark (or `until`, if later) has passed, oldest first. */
  close(until = this.watermark): AggregateRow[] {
    const mark = Math.max(until, this.watermark);
    const rows: AggregateRow[] = [];
    const ready = [...this.open.keys()].filter((start) => start + this.definition.sizeMs <= mark).sort((a, b) => a - b);
    for (const start of ready) {
      const groups = this.open.get(start) as Map<string, { group: Record<string, string>; events: Values[] }>;
      this.open.delete(start);
      for (const { group, events } of groups.values()) {
        rows.push({
          window: this.definition.name,
          windowStart: start,
          windowEnd: start + this.definition.sizeMs,
          key: group[this.definition.keyField] as string,
          group,
          metrics: this.definition.aggregate(events),
        });
      }
    }
    return rows;
  }
}
