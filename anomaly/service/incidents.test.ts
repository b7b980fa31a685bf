import type { Observation } from '../detectors';
import { IncidentBook, highestSeverity, incidentId, type MetricPoint } from './incidents';

const T0 = Date.UTC(2025, 0, 6, 10, 0);
const MIN = 60_000;
const NOW = T0 + 1_000_000;

const normal: Observation = { score: 0.1, expected: { low: 19, high: 23 }, anomalous: false, warm: true, reasons: [] };
const flagged = (score = 0.9, reason = 'robust-z: 9.0σ above 21'): Observation => ({
  score,
  expected: { low: 19, high: 23 },
  anomalous: true,
  warm: true,
  reasons: [reason],
});
const silent: Observation = {
  score: 1,
  expected: { low: -Infinity, high: Infinity },
  anomalous: true,
  warm: true,
  reasons: ['absence: no point for 160s (limit 150s)'],
};

function point(metric: string, observation: Observation, value = 21, severity = 'warning', fresh = true): MetricPoint {
  return { metric, severity, value, observation, fresh };
}

const SRC = 'agg.iot.device-1m';
const KEY = { device_id: 'dev-1' };

describe('IncidentBook: series incidents', () => {
  test('an anomalous point fires one incident; further anomalous points of the key do not fire again (dedup)', () => {
    const book = new IncidentBook();
    expect(book.onPoints(SRC, 'dev-1', KEY, T0, [point('temperature_avg', normal)], 3, NOW)).toEqual([]);
    const fired = book.onPoints(SRC, 'dev-1', KEY, T0 + MIN, [point('temperature_avg', flagged(), 45)], 3, NOW);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      type: 'fired',
      incident: {
        kind: 'anomaly',
        source: SRC,
        key: 'dev-1',
        keyFields: KEY,
        startedAt: T0 + MIN,
        firedAt: NOW,
        severity: 'warning',
      },
    });
    expect(fired[0]!.incident.evidence).toEqual([
      {
        metric: 'temperature_avg',
        value: 45,
        expected: { low: 19, high: 23 },
        score: 0.9,
        reasons: ['robust-z: 9.0σ above 21'],
        ts: T0 + MIN,
        cause: 'point',
        severity: 'warning',
        normal: 0,
      },
    ]);
    expect(fired[0]!.incident.id).toBe(incidentId(SRC, 'dev-1', T0 + MIN));
    for (let i = 2; i < 6; i++)
      expect(
        book.onPoints(SRC, 'dev-1', KEY, T0 + i * MIN, [point('temperature_avg', flagged(0.95), 46)], 3, NOW),
      ).toEqual([]);
    expect(book.open()).toHaveLength(1);
    expect(book.open()[0]!.evidence[0]).toMatchObject({ value: 46, score: 0.95, ts: T0 + 5 * MIN });
  });

  test('several metrics of one key at once are one incident with all the evidence, strongest first, at the highest severity', () => {
    const book = new IncidentBook();
    const events = book.onPoints(
      SRC,
      'dev-1',
      KEY,
      T0,
      [
        point('temperature_avg', flagged(0.7), 40),
        point('temperature_max', flagged(1, 'threshold: 48 above 35'), 48, 'critical'),
        point('readings', normal, 6),
      ],
      3,
      NOW,
    );
    expect(events.map((e) => e.type)).toEqual(['fired']);
    expect(events[0]!.incident.evidence.map((e) => e.metric)).toEqual(['temperature_max', 'temperature_avg']);
    expect(events[0]!.incident.severity).toBe('critical');
  });

  test('a metric that goes anomalous while its key is firing joins the incident (updated, not fired)', () => {
    const book = new IncidentBook();
    book.onPoints(
      SRC,
      'dev-1',
      KEY,
      T0,
      [point('temperature_avg', flagged(), 40), point('readings', normal, 6)],
      3,
      NOW,
    );
    const events = book.onPoints(
      SRC,
      'dev-1',
      KEY,
      T0 + MIN,
      [point('temperature_avg', flagged(), 41), point('readings', flagged(0.8), 1)],
      3,
      NOW,
    );
    expect(events.map((e) => e.type)).toEqual(['updated']);
    expect(events[0]!.incident.evidence.map((e) => e.metric)).toEqual(['temperature_avg', 'readings']);
    // The labels Alertmanager identifies the alert by stay: same id, same severity.
    expect(events[0]!.incident.id).toBe(incidentId(SRC, 'dev-1', T0));
  });

  test('other keys have incidents of their own', () => {
    const book = new IncidentBook();
    book.onPoints(SRC, 'dev-1', KEY, T0, [point('temperature_avg', flagged())], 3, NOW);
    const other = book.onPoints(
      SRC,
      'dev-2',
      { device_id: 'dev-2' },
      T0,
      [point('temperature_avg', flagged())],
      3,
      NOW,
    );
    expect(other.map((e) => e.type)).toEqual(['fired']);
    expect(book.open().map((i) => i.key)).toEqual(['dev-1', 'dev-2']);
  });

  test("resolves when every metric of the incident has been normal for resolveAfter points in a row, at that point's event time", () => {
    const book = new IncidentBook();
    book.onPoints(SRC, 'dev-1', KEY, T0, [point('a', flagged()), point('b', flagged())], 3, NOW);
    expect(book.onPoints(SRC, 'dev-1', KEY, T0 + 1 * MIN, [point('a', normal), point('b', normal)], 3, NOW)).toEqual(
      [],
    );
    expect(book.onPoints(SRC, 'dev-1', KEY, T0 + 2 * MIN, [point('a', normal), point('b', flagged())], 3, NOW)).toEqual(
      [],
    ); // b again: its count restarts
    expect(book.onPoints(SRC, 'dev-1', KEY, T0 + 3 * MIN, [point('a', normal), point('b', normal)], 3, NOW)).toEqual(
      [],
    );
    expect(book.onPoints(SRC, 'dev-1', KEY, T0 + 4 * MIN, [point('a', normal), point('b', normal)], 3, NOW)).toEqual(
      [],
    );
    const resolved = book.onPoints(SRC, 'dev-1', KEY, T0 + 5 * MIN, [point('a', normal), point('b', normal)], 3, NOW);
    expect(resolved.map((e) => e.type)).toEqual(['resolved']);
    expect(resolved[0]!.incident.resolvedAt).toBe(T0 + 5 * MIN);
    expect(book.open()).toEqual([]);
    // The next anomaly is a new incident, with a new id.
    const again = book.onPoints(SRC, 'dev-1', KEY, T0 + 9 * MIN, [point('a', flagged())], 3, NOW);
    expect(again.map((e) => e.type)).toEqual(['fired']);
    expect(again[0]!.incident.id).not.toBe(resolved[0]!.incident.id);
  });

  test('stale or missing points neither fire nor count towards resolution', () => {
    const book = new IncidentBook();
    expect(book.onPoints(SRC, 'dev-1', KEY, T0, [point('a', flagged(), 40, 'warning', false)], 1, NOW)).toEqual([]);
    book.onPoints(SRC, 'dev-1', KEY, T0, [point('a', flagged())], 1, NOW);
    expect(
      book.onPoints(SRC, 'dev-1', KEY, T0 + MIN, [point('a', normal, Number.NaN, 'warning', false)], 1, NOW),
    ).toEqual([]);
    expect(book.onPoints(SRC, 'dev-1', KEY, T0 + 2 * MIN, [point('a', normal)], 1, NOW).map((e) => e.type)).toEqual([
      'resolved',
    ]);
  });

  test('an absence opens an incident (grouping every silent metric of the key) that resolves at the first point that comes back', () => {
    const book = new IncidentBook();
    const fired = book.onAbsence(
      SRC,
      'dev-1',
      KEY,
      T0 + 3 * MIN,
      [
        { metric: 'readings', severity: 'warning', observation: silent },
        { metric: 'temperature_avg', severity: 'warning', observation: silent },
      ],
      NOW,
    );
    expect(fired.map((e) => e.type)).toEqual(['fired']);
    expect(fired[0]!.incident.evidence.map((e) => [e.metric, e.cause, e.value, e.expected])).toEqual([
      ['readings', 'absence', null, null],
      ['temperature_avg', 'absence', null, null],
    ]);
    // A second check of the same silence adds nothing.
    expect(
      book.onAbsence(
        SRC,
        'dev-1',
        KEY,
        T0 + 4 * MIN,
        [{ metric: 'readings', severity: 'warning', observation: silent }],
        NOW,
      ),
    ).toEqual([]);
    const back = book.onPoints(
      SRC,
      'dev-1',
      KEY,
      T0 + 5 * MIN,
      [point('readings', normal, 6), point('temperature_avg', normal)],
      3,
      NOW,
    );
    expect(back.map((e) => e.type)).toEqual(['resolved']);
    expect(back[0]!.incident.resolvedAt).toBe(T0 + 5 * MIN);
  });

  test('an absence of a metric of a firing key joins its incident', () => {
    const book = new IncidentBook();
    book.onPoints(SRC, 'dev-1', KEY, T0, [point('temperature_avg', flagged())], 3, NOW);
    expect(
      book
        .onAbsence(
          SRC,
          'dev-1',
          KEY,
          T0 + 3 * MIN,
          [{ metric: 'readings', severity: 'warning', observation: silent }],
          NOW,
        )
        .map((e) => e.type),
    ).toEqual(['updated']);
    expect(
      book
        .open()[0]!
        .evidence.map((e) => e.metric)
        .sort(),
    ).toEqual(['readings', 'temperature_avg']);
  });

  test('every change marks its key for the state topic; a resolved incident becomes a tombstone', () => {
    const book = new IncidentBook();
    book.onPoints(SRC, 'dev-1', KEY, T0, [point('a', flagged())], 1, NOW);
    const open = book.takeDirty();
    expect(open).toEqual([
      {
        kind: 'incident',
        source: SRC,
        key: 'dev-1',
        value: expect.objectContaining({ id: incidentId(SRC, 'dev-1', T0) }),
      },
    ]);
    expect(book.takeDirty()).toEqual([]);
    book.onPoints(SRC, 'dev-1', KEY, T0 + MIN, [point('a', normal)], 1, NOW);
    expect(book.takeDirty()).toEqual([{ kind: 'incident', source: SRC, key: 'dev-1', value: null }]);
  });

  test('a loaded incident carries on as if it had never left (state round trip)', () => {
    const first = new IncidentBook();
    first.onPoints(SRC, 'dev-1', KEY, T0, [point('a', flagged())], 2, NOW);
    first.onPoints(SRC, 'dev-1', KEY, T0 + MIN, [point('a', normal)], 2, NOW);
    const saved = JSON.parse(JSON.stringify(first.takeDirty()));
    const second = new IncidentBook();
    for (const s of saved) second.load(s.kind, s.source, s.key, s.value);
    expect(second.onPoints(SRC, 'dev-1', KEY, T0 + MIN, [point('a', flagged(), 40, 'warning', false)], 2, NOW)).toEqual(
      [],
    ); // a redelivery
    expect(second.onPoints(SRC, 'dev-1', KEY, T0 + 2 * MIN, [point('a', normal)], 2, NOW).map((e) => e.type)).toEqual([
      'resolved',
    ]);
  });
});

describe('IncidentBook: resolutions and bounds', () => {
  test('a resolution says how it ended: back to normal with the values', () => {
    const book = new IncidentBook();
    book.onPoints(SRC, 'dev-1', KEY, T0, [point('temperature_avg', flagged(), 45)], 2, NOW);
    book.onPoints(SRC, 'dev-1', KEY, T0 + MIN, [point('temperature_avg', normal, 21.3)], 2, NOW);
    const [resolved] = book.onPoints(SRC, 'dev-1', KEY, T0 + 2 * MIN, [point('temperature_avg', normal, 21.1)], 2, NOW);
    expect(resolved!.incident.resolution).toBe(
      'back to normal for 2 points in a row: temperature_avg 21.1 (expected 19 – 23)',
    );
  });

  test('an evicted metric leaves its incident; with none left the incident resolves, saying why', () => {
    const book = new IncidentBook();
    book.onPoints(SRC, 'dev-1', KEY, T0, [point('a', flagged()), point('b', flagged())], 3, NOW);
    book.takeDirty();
    expect(book.dropMetric(SRC, 'dev-1', 'a', T0 + MIN, 'evicted')).toEqual([]);
    expect(book.incidentOf(SRC, 'dev-1')!.evidence.map((e) => e.metric)).toEqual(['b']);
    const out = book.dropMetric(SRC, 'dev-1', 'b', T0 + 2 * MIN, 'no longer tracked');
    expect(out.map((e) => [e.type, e.incident.resolvedAt, e.incident.resolution])).toEqual([
      ['resolved', T0 + 2 * MIN, 'no longer tracked'],
    ]);
    expect(book.takeDirty()).toEqual([{ kind: 'incident', source: SRC, key: 'dev-1', value: null }]);
    expect(book.dropMetric(SRC, 'dev-9', 'a', T0, 'x')).toEqual([]);
  });

  test('resolveStale resolves the incidents it picks, at the time it gives', () => {
    const book = new IncidentBook();
    book.onPoints(SRC, 'dev-1', KEY, T0, [point('a', flagged())], 3, NOW);
    book.onPoints(SRC, 'dev-2', { device_id: 'dev-2' }, T0, [point('a', flagged())], 3, NOW);
    const out = book.resolveStale(
      (i) => (i.key === 'dev-1' ? T0 + 99 * MIN : undefined),
      () => 'idle',
    );
    expect(out.map((e) => [e.incident.key, e.incident.resolvedAt, e.incident.resolution])).toEqual([
      ['dev-1', T0 + 99 * MIN, 'idle'],
    ]);
    expect(book.open().map((i) => i.key)).toEqual(['dev-2']);
  });

  test('pattern keys with nothing open are forgotten when idle, and beyond a maximum the oldest first', () => {
    const book = new IncidentBook();
    const options = { name: 'p', severity: 'warning', summary: 's', resolveAfterMs: 1000 };
    for (let i = 0; i < 5; i++) book.onMatch('patterns.p', `k${i}`, {}, T0 + i * MIN, {}, options, NOW);
    book.expire(NOW + 1000); // all closed now
    book.takeDirty();
    expect(book.prunePatterns(() => T0 + 2 * MIN, 100)).toBe(2); // k0, k1 idle
    expect(book.prunePatterns(() => undefined, 2)).toBe(1); // k2: the oldest beyond 2
    expect(book.size).toEqual({ incidents: 0, patternKeys: 2 });
    expect(book.takeDirty().map((c) => [c.key, c.value])).toEqual([
      ['k0', null],
      ['k1', null],
      ['k2', null],
    ]);
  });
});

describe('IncidentBook: patterns', () => {
  const options = {
    name: 'card-testing',
    severity: 'critical',
    summary: 'card testing on acc-1',
    resolveAfterMs: 300_000,
  };

  test('each match is an incident of its own; a match seen twice (same key and time) is dropped', () => {
    const book = new IncidentBook();
    const first = book.onMatch(
      'patterns.card-testing',
      'acc-1',
      { account_id: 'acc-1' },
      T0,
      { account_id: 'acc-1', small_count: 3 },
      options,
      NOW,
    );
    expect(first).toHaveLength(1);
    expect(first[0]!.incident).toMatchObject({
      kind: 'pattern',
      severity: 'critical',
      startedAt: T0,
      expiresAt: NOW + 300_000,
      summary: 'card testing on acc-1',
      match: { small_count: 3 },
    });
    expect(
      book.onMatch(
        'patterns.card-testing',
        'acc-1',
        { account_id: 'acc-1' },
        T0,
        { account_id: 'acc-1' },
        options,
        NOW,
      ),
    ).toEqual([]);
    expect(
      book.onMatch(
        'patterns.card-testing',
        'acc-1',
        { account_id: 'acc-1' },
        T0 + MIN,
        { account_id: 'acc-1' },
        options,
        NOW,
      ),
    ).toHaveLength(1);
    expect(book.open()).toHaveLength(2);
  });

  test('resolves resolveAfterMs after it fired, and is not fired again by the same match afterwards', () => {
    const book = new IncidentBook();
    book.onMatch('patterns.card-testing', 'acc-1', { account_id: 'acc-1' }, T0, {}, options, NOW);
    expect(book.expire(NOW + 299_999)).toEqual([]);
    const resolved = book.expire(NOW + 300_000);
    expect(resolved.map((e) => [e.type, e.incident.resolvedAt])).toEqual([['resolved', NOW + 300_000]]);
    expect(book.open()).toEqual([]);
    expect(
      book.onMatch('patterns.card-testing', 'acc-1', { account_id: 'acc-1' }, T0, {}, options, NOW + 400_000),
    ).toEqual([]);
  });
});

test('severities rank info < warning < error < critical; an unknown word ranks as a warning', () => {
  expect(highestSeverity(['info', 'critical', 'warning'])).toBe('critical');
  expect(highestSeverity(['info', 'page'])).toBe('page');
  expect(highestSeverity(['page', 'warning'])).toBe('page');
});
