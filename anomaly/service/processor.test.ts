import { createLogger } from '../../lib/log';
import type { AnomalySpec } from '../../lib/spec';
import { serviceConfig } from './config';
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
    const p = new Processor(serviceConfig(SPEC), log);
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
    const p = new Processor(serviceConfig(SPEC), log);
    expect(p.handle('agg.iot.device-1m', { ...window(1, 21), device_id: null }, T0)).toBe('no-key');
    expect(p.handle('agg.iot.device-1m', { ...window(1, 21), window_end: null }, T0)).toBe('no-time');
    expect(p.handle('agg.web.path-1m', window(1, 21), T0)).toBe('not-watched');
    expect(p.seriesCount).toBe(0);
  });

  test('state round trip: after a restart from the compacted state, an open incident stays open (no new firing) and resolves once', () => {
    const first = new Processor(serviceConfig(SPEC), log);
    const written: StateRecord[] = [];
    for (let m = 1; m <= 40; m++) {
      first.handle('agg.iot.device-1m', window(m, m === 40 ? 40 : 21), T0 + m * MIN);
      written.push(...first.drain().state);
    }
    expect(first.openIncidents()).toHaveLength(1);
    const id = first.openIncidents()[0]!.id;

    const second = new Processor(serviceConfig(SPEC), log);
    const summary = second.restore(compact(written), T0 + 41 * MIN);
    expect(summary).toEqual({ detectors: 3, incidents: 1, restarted: 0, dropped: 0 });
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
    const first = new Processor(serviceConfig(spec), log);
    const written: StateRecord[] = [];
    const events: string[] = [];
    for (let m = 1; m <= 30; m++) {
      first.handle('agg.iot.device-1m', window(m, m === 25 ? 40 : 21 + 0.2 * Math.sin(m)), T0 + m * MIN);
      const out = first.drain();
      written.push(...out.state);
      events.push(...out.events.map((e) => `${e.type}@${m}`));
    }
    expect(events).toEqual(['fired@25', 'resolved@27']);
    const second = new Processor(serviceConfig(spec), log);
    second.restore(compact(written), T0 + 31 * MIN);
    expect(second.openIncidents()).toEqual([]);
    // Warm at once (no new warm-up): the next hot window fires a new incident.
    expect(feed(second, 31, 35, [33])).toEqual(['fired']);
  });

  test('absence: a silent device fires once on the tick (its metrics grouped), and resolves when it reports again', () => {
    const p = new Processor(serviceConfig(SPEC), log);
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
    const p = new Processor(serviceConfig(SPEC), log);
    const wall = T0 + 10 * 60 * MIN; // the service comes back ten hours later
    for (let m = 1; m <= 30; m++) {
      p.handle('agg.iot.device-1m', window(m, 21), wall + m * 100);
      p.tick(wall + m * 100);
    }
    expect(p.drain().events).toEqual([]);
  });

  test('patterns: one incident per match, deduplicated, resolved after resolveAfterSeconds; the summary from the record', () => {
    const p = new Processor(serviceConfig(SPEC), log);
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
      serviceConfig({
        ...SPEC,
        series: [...SPEC.series, { ...SPEC.series[0]!, topic: 'agg.iot.site-1m', key: ['site_id'] }],
      }),
      log,
    );
    old.handle('agg.iot.site-1m', window(1, 40), T0);
    const state = old.drain().state;
    const p = new Processor(serviceConfig(SPEC), log);
    const summary = p.restore(state, T0 + MIN);
    expect(summary.dropped).toBe(4);
    const out = p.drain();
    expect(out.events.map((e) => [e.type, e.incident.source])).toEqual([['resolved', 'agg.iot.site-1m']]);
    expect(out.state.every((s) => s.value === null)).toBe(true);
    expect(out.state).toHaveLength(4);
  });

  test('restore starts a series afresh when its snapshot no longer fits its detector (the spec changed)', () => {
    const old = new Processor(serviceConfig(SPEC), log);
    old.handle('agg.iot.device-1m', window(1, 21), T0);
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
    const p = new Processor(serviceConfig(changed), log);
    expect(p.restore(state, T0)).toMatchObject({ detectors: 3, restarted: 3 });
    expect(p.drain().state).toHaveLength(3); // their fresh snapshots
  });
});

test("state records are sent in chunks that keep each record batch under the brokers' 1 MB", async () => {
  const { chunks } = await import('./service');
  const records = Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(398) }));
  expect(chunks(records, 1000).map((c) => c.map((r) => r.key))).toEqual([['k0', 'k1'], ['k2', 'k3'], ['k4']]);
  expect(
    chunks(
      [
        { key: 'big', value: 'x'.repeat(5000) },
        { key: 'k', value: null },
      ],
      1000,
    ).map((c) => c.length),
  ).toEqual([1, 1]);
});
