import { createLogger } from '../../lib/log';
import type { AnomalySpec } from '../../lib/spec';
import { serviceConfig, type ServiceConfig } from './config';
import { Processor, patternSummary, type StateRecord } from './processor';

const T0 = Date.UTC(2025, 0, 6, 10, 0);
const MIN = 60_000;
const log = createLogger({ level: 'error', write: () => undefined });

const SPEC: AnomalySpec = {
  principal: 'sluice-anomaly',
  group: 'sluice-anomaly',
  alertsTopic: 'alerts',
  stateTopic: 'anomaly.state',
  startFrom: 'latest',
  resendSeconds: 60,
  tickSeconds: 10,
  series: [
    {
      topic: 'agg.iot.device-1m',
      key: ['device_id'],
      time: 'window_end',
      resolveAfter: 2,
      severity: 'warning',
      metrics: [
        { field: 'temperature_avg', rules: [{ kind: 'threshold', above: 30 }] },
        { field: 'temperature_max', rules: [{ kind: 'threshold', above: 35 }], severity: 'critical' },
        { field: 'readings', rules: [{ kind: 'absence', afterSeconds: 150 }] },
      ],
    },
  ],
  patterns: [
    {
      topic: 'patterns.card-testing',
      key: ['account_id'],
      time: 'first_ts',
      severity: 'critical',
      resolveAfterSeconds: 300,
    },
  ],
};

/** The service's config of a spec, alerting at once (no hold for grouping) unless a test says otherwise. */
function cfg(spec: AnomalySpec = SPEC, waitMs = 0): ServiceConfig {
  const config = serviceConfig(spec);
  return { ...config, grouping: { ...config.grouping, waitMs } };
}

function window(minute: number, temperature: number, device = 'dev-1', readings = 6): Record<string, unknown> {
  return {
    window_start: T0 + (minute - 1) * MIN,
    window_end: T0 + minute * MIN,
    device_id: device,
    site_id: 's1',
    readings,
    temperature_avg: temperature,
    temperature_max: temperature + 1,
    temperature_min: temperature - 1,
  };
}

/** Feeds minutes [from, to) of normal temperatures, `hot` ones at 40 °C; returns the event types. */
function feed(p: Processor, from: number, to: number, hot: number[] = [], device = 'dev-1'): string[] {
  for (let m = from; m < to; m++)
    p.handle(
      'agg.iot.device-1m',
      window(m, hot.includes(m) ? 40 : 21 + 0.2 * Math.sin(m), device),
      T0 + m * MIN + 15_000,
    );
  return p.drain().events.map((e) => e.type);
}

/** What a compacted topic keeps of the records: the last value per key, tombstones removed. */
function compact(records: StateRecord[]): StateRecord[] {
  const last = new Map<string, StateRecord>();
  for (const r of records) last.set(r.key, r);
  return [...last.values()].filter((r) => r.value !== null);
}

describe('Processor', () => {
  test('a hot window fires one incident with both broken metrics; two normal windows resolve it', () => {
    const p = new Processor(cfg(SPEC), log);
    expect(feed(p, 1, 40)).toEqual([]);
    p.handle('agg.iot.device-1m', window(40, 40), T0 + 40 * MIN + 15_000);
    const { events } = p.drain();
    expect(events.map((e) => e.type)).toEqual(['fired']);
    expect(events[0]!.incident).toMatchObject({
      source: 'agg.iot.device-1m',
      key: 'dev-1',
      keyFields: { device_id: 'dev-1' },
      severity: 'critical',
      startedAt: T0 + 40 * MIN,
      firedAt: T0 + 40 * MIN + 15_000,
    });
    expect(events[0]!.incident.evidence.map((e) => [e.metric, e.value, e.score])).toEqual([
      ['temperature_max', 41, 1],
      ['temperature_avg', 40, 1],
    ]);
    expect(feed(p, 41, 42, [41])).toEqual([]); // still hot: the same incident
    expect(feed(p, 42, 43)).toEqual([]);
    expect(feed(p, 43, 44)).toEqual(['resolved']);
    expect(p.openIncidents()).toEqual([]);
  });

  test('a record without its key or time is skipped, not fatal', () => {
    const p = new Processor(cfg(SPEC), log);
    expect(p.handle('agg.iot.device-1m', { ...window(1, 21), device_id: null }, T0)).toBe('no-key');
    expect(p.handle('agg.iot.device-1m', { ...window(1, 21), window_end: null }, T0)).toBe('no-time');
    expect(p.handle('agg.web.path-1m', window(1, 21), T0)).toBe('not-watched');
    expect(p.seriesCount).toBe(0);
  });

  test('state round trip: after a restart from the compacted state, an open incident stays open (no new firing) and resolves once', () => {
    const first = new Processor(cfg(SPEC), log);
    const written: StateRecord[] = [];
    for (let m = 1; m <= 40; m++) {
      first.handle('agg.iot.device-1m', window(m, m === 40 ? 40 : 21), T0 + m * MIN);
      written.push(...first.drain().state);
    }
    expect(first.openIncidents()).toHaveLength(1);
    const id = first.openIncidents()[0]!.id;

    const second = new Processor(cfg(SPEC), log);
    const summary = second.restore(compact(written), T0 + 41 * MIN);
    expect(summary).toEqual({ detectors: 3, incidents: 1, evicted: 0, restarted: 0, dropped: 0 });
    expect(second.openIncidents().map((i) => i.id)).toEqual([id]);
    expect(second.drain()).toEqual({ events: [], state: [] });
    expect(feed(second, 41, 42, [41])).toEqual([]); // hot again: still the same incident, no new alert
    expect(feed(second, 42, 43)).toEqual([]);
    expect(feed(second, 43, 44)).toEqual(['resolved']);
  });

  test('state round trip: a resolved incident is not fired again by a restart, and the detectors keep what they learned', () => {
    const spec: AnomalySpec = {
      ...SPEC,
      series: [
        {
          ...SPEC.series[0]!,
          metrics: [{ field: 'temperature_avg', detector: { kind: 'robust-z', warmup: 10, cooldown: 0 }, rules: [] }],
        },
      ],
    };
    const first = new Processor(cfg(spec), log);
    const written: StateRecord[] = [];
    const events: string[] = [];
    for (let m = 1; m <= 30; m++) {
      first.handle('agg.iot.device-1m', window(m, m === 25 ? 40 : 21 + 0.2 * Math.sin(m)), T0 + m * MIN);
      const out = first.drain();
      written.push(...out.state);
      events.push(...out.events.map((e) => `${e.type}@${m}`));
    }
    expect(events).toEqual(['fired@25', 'resolved@27']);
    const second = new Processor(cfg(spec), log);
    second.restore(compact(written), T0 + 31 * MIN);
    expect(second.openIncidents()).toEqual([]);
    // Warm at once (no new warm-up): the next hot window fires a new incident.
    expect(feed(second, 31, 35, [33])).toEqual(['fired']);
  });

  test('absence: a silent device fires once on the tick (its metrics grouped), and resolves when it reports again', () => {
    const p = new Processor(cfg(SPEC), log);
    feed(p, 1, 10, [], 'dev-1');
    feed(p, 1, 10, [], 'dev-2');
    // dev-2 goes on, dev-1 stops after minute 9: the topic's event clock follows dev-2's windows.
    for (let m = 10; m <= 13; m++) {
      p.handle('agg.iot.device-1m', window(m, 21, 'dev-2'), T0 + m * MIN + 15_000);
      p.tick(T0 + m * MIN + 20_000);
    }
    const { events } = p.drain();
    expect(events.map((e) => [e.type, e.incident.key, e.incident.evidence.map((x) => x.cause)])).toEqual([
      ['fired', 'dev-1', ['absence']],
    ]);
    p.tick(T0 + 14 * MIN);
    expect(p.drain().events).toEqual([]);
    expect(feed(p, 14, 15, [], 'dev-1')).toEqual(['resolved']);
  });

  test('absence: while a backlog is replayed the event clock follows the records, so old silences are not alarms', () => {
    const p = new Processor(cfg(SPEC), log);
    const wall = T0 + 10 * 60 * MIN; // the service comes back ten hours later
    for (let m = 1; m <= 30; m++) {
      p.handle('agg.iot.device-1m', window(m, 21), wall + m * 100);
      p.tick(wall + m * 100);
    }
    expect(p.drain().events).toEqual([]);
  });

  test('patterns: one incident per match, deduplicated, resolved after resolveAfterSeconds; the summary from the record', () => {
    const p = new Processor(cfg(SPEC), log);
    const match = {
      account_id: 'acc-9',
      first_ts: T0,
      large_ts: T0 + 60_000,
      small_count: 3,
      small_total: 4.5,
      large_amount: 900,
      large_merchant_id: 'm1',
    };
    p.handle('patterns.card-testing', match, T0 + 70_000);
    p.handle('patterns.card-testing', match, T0 + 71_000);
    const fired = p.drain().events;
    expect(fired.map((e) => e.type)).toEqual(['fired']);
    expect(fired[0]!.incident).toMatchObject({
      kind: 'pattern',
      key: 'acc-9',
      severity: 'critical',
      startedAt: T0,
      summary: `card-testing on acc-9: first_ts=${new Date(T0).toISOString()}, large_ts=${new Date(T0 + 60_000).toISOString()}, small_count=3, small_total=4.5, large_amount=900, large_merchant_id=m1`,
    });
    p.tick(T0 + 70_000 + 300_000);
    expect(p.drain().events.map((e) => e.type)).toEqual(['resolved']);
  });

  test('patternSummary fills {field} placeholders and leaves unknown ones', () => {
    expect(
      patternSummary({ topic: 'patterns.x', key: ['path'], summary: '{errors} errors on {path} {nope}' }, '/a', {
        errors: 5,
        path: '/a',
      }),
    ).toBe('5 errors on /a {nope}');
  });

  test('restore drops the state of series no longer watched and resolves their incidents', () => {
    const old = new Processor(
      cfg({
        ...SPEC,
        series: [...SPEC.series, { ...SPEC.series[0]!, topic: 'agg.iot.site-1m', key: ['site_id'] }],
      }),
      log,
    );
    // Three windows: the series are promoted (their detectors written), the third is hot.
    for (let m = 1; m <= 3; m++) old.handle('agg.iot.site-1m', window(m, m === 3 ? 40 : 21), T0 + m * MIN);
    const state = old.drain().state;
    const p = new Processor(cfg(SPEC), log);
    const summary = p.restore(state, T0 + MIN);
    expect(summary.dropped).toBe(4);
    const out = p.drain();
    expect(out.events.map((e) => [e.type, e.incident.source])).toEqual([['resolved', 'agg.iot.site-1m']]);
    expect(out.state.every((s) => s.value === null)).toBe(true);
    expect(out.state).toHaveLength(4);
  });

  test('restore starts a series afresh when its snapshot no longer fits its detector (the spec changed)', () => {
    const old = new Processor(cfg(SPEC), log);
    for (let m = 1; m <= 3; m++) old.handle('agg.iot.device-1m', window(m, 21), T0 + m * MIN);
    const state = old.drain().state;
    const changed: AnomalySpec = {
      ...SPEC,
      series: [
        {
          ...SPEC.series[0]!,
          metrics: SPEC.series[0]!.metrics.map((m) => ({
            ...m,
            rules: [...m.rules, { kind: 'rate-of-change', maxPerMinute: 5 }],
          })),
        },
      ],
    };
    const p = new Processor(cfg(changed), log);
    expect(p.restore(state, T0)).toMatchObject({ detectors: 3, restarted: 3 });
    expect(p.drain().state).toHaveLength(3); // their fresh snapshots
  });
});

/** The demo's IoT series: readings with an absence rule, temperature_avg, and the stuck-sensor rule on the stddev (at least 3 readings). */
const IOT = {
  topic: 'agg.iot.device-1m',
  key: ['device_id'],
  time: 'window_end',
  resolveAfter: 2,
  severity: 'warning',
  countField: 'readings',
  metrics: [
    { field: 'readings', rules: [{ kind: 'absence', afterSeconds: 150 }] },
    { field: 'temperature_avg', rules: [{ kind: 'threshold', above: 30 }] },
    { field: 'temperature_stddev', minCount: 3, rules: [{ kind: 'threshold', below: 0.0005 }] },
  ],
};

function bounded(extra: Record<string, unknown> = {}, waitMs = 0): ServiceConfig {
  return cfg({ ...SPEC, series: [IOT], ...extra } as unknown as AnomalySpec, waitMs);
}

/** Counts what the processor reports for the metrics. */
function counting() {
  const counts = { outOfOrder: 0, belowMinCount: 0, idle: 0, limit: 0, established: 0 };
  return {
    counts,
    counters: {
      outOfOrder: () => void counts.outOfOrder++,
      belowMinCount: () => void counts.belowMinCount++,
      evicted: (reason: 'idle' | 'limit', n: number, established: number) => {
        counts[reason] += n;
        counts.established += established;
      },
    },
  };
}

function iotWindow(
  minute: number,
  device: string,
  readings: number,
  stddev: number,
  avg = 21,
): Record<string, unknown> {
  return {
    window_end: T0 + minute * MIN,
    device_id: device,
    readings,
    temperature_avg: avg,
    temperature_stddev: stddev,
  };
}

describe('Processor: bounds, minimum counts, out-of-order points, grouping (issue 10 item 3, issue 15 items 3 and 5)', () => {
  test('the burst: 40,000 new devices with one reading each fire nothing, stay within the series limit, and write no state', () => {
    const { counts, counters } = counting();
    const p = new Processor(bounded({ maxSeries: 10_000 }, 2000), log, counters);
    // 50 established devices.
    for (let m = 1; m <= 5; m++) {
      for (let d = 0; d < 50; d++) p.handle(IOT.topic, iotWindow(m, `dev-${d}`, 6, 0.3), T0 + m * MIN + 15_000);
      expect(p.drain(T0 + m * MIN + 20_000, true).events).toEqual([]);
    }
    expect(p.promotedCount).toBe(150);
    // The burst: windows of one reading (stddev 0) for 40,000 new devices.
    const events: string[] = [];
    let stateRecords = 0;
    for (let d = 0; d < 40_000; d++) {
      p.handle(IOT.topic, iotWindow(6, `burst-${d}`, 1, 0), T0 + 6 * MIN + 15_000);
      if (d % 1000 === 999) {
        const out = p.drain(T0 + 6 * MIN + 16_000);
        events.push(...out.events.map((e) => e.type));
        stateRecords += out.state.length;
      }
    }
    expect(p.seriesCount).toBe(10_000);
    expect(counts.limit).toBe(3 * 40_000 + 150 - 10_000);
    expect(counts.established).toBe(0); // only one-off keys went
    expect(counts.belowMinCount).toBe(40_000);
    // The established devices are all still there, warm.
    for (let d = 0; d < 50; d++) p.handle(IOT.topic, iotWindow(7, `dev-${d}`, 6, 0.3), T0 + 7 * MIN + 15_000);
    expect(p.promotedCount).toBe(150);
    for (let m = 8; m < 12; m++) {
      for (let d = 0; d < 50; d++) p.handle(IOT.topic, iotWindow(m, `dev-${d}`, 6, 0.3), T0 + m * MIN + 15_000);
      p.tick(T0 + m * MIN + 20_000);
    }
    events.push(...p.drain(T0 + 12 * MIN, true).events.map((e) => e.type));
    expect(events).toEqual([]);
    expect(stateRecords).toBe(0); // light series are not written
  });

  test('a stuck sensor (stddev 0) fires with enough readings; with fewer than minCount the metric is missing, not flagged', () => {
    const { counts, counters } = counting();
    const p = new Processor(bounded(), log, counters);
    p.handle(IOT.topic, iotWindow(1, 'few', 1, 0), T0 + MIN);
    p.handle(IOT.topic, iotWindow(1, 'stuck', 6, 0), T0 + MIN);
    const { events } = p.drain(T0 + MIN, true);
    expect(events.map((e) => [e.type, e.incident.key, e.incident.evidence.map((x) => x.metric)])).toEqual([
      ['fired', 'stuck', ['temperature_stddev']],
    ]);
    expect(counts.belowMinCount).toBe(1);
  });

  test('a point not later than its series last one (out of order, repeated) is scored, not learned, not flagged, and counted', () => {
    const { counts, counters } = counting();
    const p = new Processor(bounded(), log, counters);
    for (let m = 1; m <= 5; m++) p.handle(IOT.topic, iotWindow(m, 'd', 6, 0.3), T0 + m * MIN);
    const before = p.drain(T0 + 5 * MIN, true).state;
    expect(before.length).toBeGreaterThan(0);
    // Minute 3 again, hot: too late to count, and nothing is learned (no state to write).
    p.handle(IOT.topic, iotWindow(3, 'd', 6, 0.3, 45), T0 + 6 * MIN);
    expect(p.drain(T0 + 6 * MIN, true)).toEqual({ events: [], state: [] });
    expect(counts.outOfOrder).toBe(3); // one per metric of the window
    // A later hot window still fires: the positive control.
    p.handle(IOT.topic, iotWindow(6, 'd', 6, 0.3, 45), T0 + 6 * MIN);
    expect(p.drain(T0 + 6 * MIN, true).events.map((e) => e.type)).toEqual(['fired']);
  });

  test('a series idle for idleSeconds is evicted on the tick: its snapshot tombstoned, its incident resolved saying why', () => {
    const { counts, counters } = counting();
    const p = new Processor(bounded({ idleSeconds: 600 }), log, counters);
    for (let m = 1; m <= 4; m++) {
      p.handle(IOT.topic, iotWindow(m, 'gone', 6, 0.3, m === 4 ? 40 : 21), T0 + m * MIN);
      p.handle(IOT.topic, iotWindow(m, 'stays', 6, 0.3), T0 + m * MIN);
    }
    p.drain(T0 + 4 * MIN, true);
    expect(p.openIncidents().map((i) => i.key)).toEqual(['gone']);
    for (let m = 5; m <= 20; m++) {
      p.handle(IOT.topic, iotWindow(m, 'stays', 6, 0.3), T0 + m * MIN);
      p.tick(T0 + m * MIN);
    }
    const out = p.drain(T0 + 20 * MIN, true);
    expect(counts.idle).toBe(3);
    expect(p.seriesCount).toBe(3);
    const resolved = out.events.filter((e) => e.type === 'resolved');
    expect(resolved.map((e) => [e.incident.key, e.incident.resolution])).toEqual([
      ['gone', 'no longer tracked: no data for 600 s (anomaly.idleSeconds)'],
    ]);
    const tombstones = out.state.filter((s) => s.value === null).map((s) => JSON.parse(s.key) as string[]);
    expect(tombstones).toEqual(
      expect.arrayContaining([
        ['detector', IOT.topic, 'readings', 'gone'],
        ['detector', IOT.topic, 'temperature_avg', 'gone'],
        ['detector', IOT.topic, 'temperature_stddev', 'gone'],
        ['incident', IOT.topic, 'gone'],
      ]),
    );
  });

  test('the absence of many devices at once is one group incident, resolved once when they are back; a lone anomaly later fires alone', () => {
    const p = new Processor(bounded({}, 2000), log);
    const devices = Array.from({ length: 200 }, (_, i) => `dev-${i}`);
    for (let m = 1; m <= 5; m++)
      for (const d of devices) p.handle(IOT.topic, iotWindow(m, d, 6, 0.3), T0 + m * MIN + 15_000);
    p.drain(T0 + 5 * MIN + 20_000, true);
    // 150 devices stop (a site loses power); the others go on.
    const alerts: string[] = [];
    const take = (now: number, flush = false) =>
      alerts.push(
        ...p
          .drain(now, flush)
          .events.map((e) => `${e.type} ${e.incident.members ? `${e.incident.members.total} series` : e.incident.key}`),
      );
    for (let m = 6; m <= 9; m++) {
      for (const d of devices.slice(150)) p.handle(IOT.topic, iotWindow(m, d, 6, 0.3), T0 + m * MIN + 15_000);
      p.tick(T0 + m * MIN + 20_000);
      take(T0 + m * MIN + 20_000);
      take(T0 + m * MIN + 23_000);
    }
    expect(alerts).toEqual(['fired 150 series']);
    const group = p.openIncidents()[0]!;
    expect(group).toMatchObject({ key: '*', members: { metric: 'readings', open: 150, total: 150 } });
    // They come back: the group resolves once, with its members.
    for (const d of devices) p.handle(IOT.topic, iotWindow(10, d, 6, 0.3), T0 + 10 * MIN + 15_000);
    take(T0 + 10 * MIN + 20_000, true);
    expect(alerts).toEqual(['fired 150 series', 'resolved 150 series']);
    // The positive control: one device running hot later is an alert of its own.
    p.handle(IOT.topic, iotWindow(11, 'dev-7', 6, 0.3, 45), T0 + 11 * MIN + 15_000);
    take(T0 + 11 * MIN + 20_000, true);
    expect(alerts).toEqual(['fired 150 series', 'resolved 150 series', 'fired dev-7']);
  });

  test('restore keeps at most maxSeries series (the most recent), tombstones the rest, and does not restore idle ones', () => {
    const big = new Processor(bounded({ maxSeries: 100_000 }), log);
    const written: StateRecord[] = [];
    for (let m = 1; m <= 3; m++) {
      for (let d = 0; d < 40; d++) big.handle(IOT.topic, iotWindow(m + d, `dev-${d}`, 6, 0.3), T0 + (m + d) * MIN);
      written.push(...big.drain(T0 + 50 * MIN, true).state);
    }
    expect(big.promotedCount).toBe(120);
    const { counts, counters } = counting();
    const small = new Processor(bounded({ maxSeries: 30 }), log, counters);
    const summary = small.restore(compact(written), T0 + 50 * MIN);
    expect(summary).toMatchObject({ detectors: 30, evicted: 90 });
    expect(small.seriesCount).toBe(30);
    expect(counts.limit).toBe(90);
    // The ten most recent devices (their last window is the latest) are kept.
    const out = small.drain(T0 + 50 * MIN, true);
    const tombstoned = new Set(
      out.state.filter((s) => s.value === null).map((s) => (JSON.parse(s.key) as string[])[3]),
    );
    expect(tombstoned.size).toBe(30);
    expect(tombstoned.has('dev-39')).toBe(false);
    expect(tombstoned.has('dev-0')).toBe(true);
    // Idle series are not restored: idle for more than idleSeconds behind the topic's newest record.
    const later = new Processor(bounded({ idleSeconds: 3600 }), log);
    later.restore(compact(written), T0 + 50 * MIN);
    expect(later.seriesCount).toBe(120); // the topic's clock is its newest record: nobody idle yet
    const restoredLate = new Processor(bounded({ idleSeconds: 600 }), log);
    // The newest record is at minute 42: with 600 s, devices whose last window is before minute 32 are idle.
    expect(restoredLate.restore(compact(written), T0 + 50 * MIN)).toMatchObject({ detectors: 33, evicted: 87 });
  });

  test('restore streams: a tombstone after a value removes it; a held incident is held again and released after the wait', () => {
    const first = new Processor(bounded({}, 2000), log);
    const written: StateRecord[] = [];
    for (let m = 1; m <= 3; m++) first.handle(IOT.topic, iotWindow(m, 'd', 6, 0.3, m === 3 ? 40 : 21), T0 + m * MIN);
    written.push(...first.drain(T0 + 3 * MIN).state); // fired, still held
    expect(first.openIncidents()).toEqual([]);
    const second = new Processor(bounded({}, 2000), log);
    second.restore(
      [...written, { key: JSON.stringify(['detector', IOT.topic, 'readings', 'd']), value: null }],
      T0 + 4 * MIN,
    );
    expect(second.seriesCount).toBe(2);
    expect(second.nextRelease()).toBe(T0 + 4 * MIN + 2000);
    expect(second.drain(T0 + 4 * MIN + 2000).events.map((e) => [e.type, e.incident.key])).toEqual([['fired', 'd']]);
  });

  test('the transaction budget: pendingBytes grows with what the next drain writes, and is 0 after it', () => {
    const p = new Processor(bounded(), log);
    for (let m = 1; m <= 3; m++) p.handle(IOT.topic, iotWindow(m, 'd', 6, 0.3), T0 + m * MIN);
    expect(p.pendingBytes).toBeGreaterThan(3 * 1000);
    p.drain(T0 + 3 * MIN);
    expect(p.pendingBytes).toBe(0);
    p.handle(IOT.topic, iotWindow(4, 'd', 6, 0.3), T0 + 4 * MIN);
    const expected = p.pendingBytes;
    const written = p.drain(T0 + 4 * MIN).state.reduce((n, s) => n + s.key.length + (s.value?.length ?? 0), 0);
    expect(Math.abs(written - expected) / written).toBeLessThan(0.2); // the last snapshot's size predicts the next
  });
});
