/**
 * What the anomaly service relies on: every kind is built from a JSON spec, and its state goes through
 * JSON and back with nothing lost, so a restarted detector carries on exactly where it stopped.
 */
import {
  DEFAULT_DETECTOR,
  DETECTOR_KINDS,
  createDetector,
  withRules,
  type DetectorSpec,
  type Observation,
} from './index';

const SPECS: Record<string, DetectorSpec> = {
  'robust-z': { kind: 'robust-z', window: 50 },
  ewma: { kind: 'ewma' },
  seasonal: { kind: 'seasonal', buckets: 4, bucketWindow: 10, minBucketPoints: 3 },
  context: { kind: 'context', warmup: 20, cooldown: 5 },
  shape: { kind: 'shape', step: 1, window: 4, warmup: 20, threshold: 0.5, cooldown: 5 },
  resonance: { kind: 'resonance', step: 1, window: 4, learningPeriod: 40, trend: 10, mask: 2, cooldown: 5 },
  likelihood: {
    kind: 'likelihood',
    raw: [{ kind: 'robust-z', window: 50 }, { kind: 'context' }],
    learningPeriod: 20,
    warmup: 20,
    averagingWindow: 1,
    spatialTolerance: 0.05,
    cooldown: 50,
  },
  threshold: { kind: 'threshold', above: 80 },
  'rate-of-change': { kind: 'rate-of-change', maxPerMinute: 5 },
  absence: { kind: 'absence', afterSeconds: 300 },
  ensemble: {
    kind: 'ensemble',
    rules: [
      { kind: 'threshold', above: 80 },
      { kind: 'absence', afterSeconds: 300 },
    ],
    cooldown: 3,
  },
};

/** A series with noise, a daily-ish wave, a gap and a few spikes. */
const series = (i: number) => ({
  timestamp: i * 60_000 + (i > 150 ? 600_000 : 0),
  value: 40 + 10 * Math.sin(i / 30) + 3 * Math.sin(i * 2.1) + (i % 97 === 0 ? 60 : 0),
});

describe('createDetector and snapshots', () => {
  test('there is a spec for every kind', () => {
    expect(Object.keys(SPECS).sort()).toEqual([...DETECTOR_KINDS].sort());
  });

  test.each(Object.entries(SPECS))(
    '%s: after snapshot → JSON → restore, it observes exactly as the original',
    (_, spec) => {
      const original = createDetector(spec);
      for (let i = 0; i < 120; i++) original.observe(series(i));
      const saved = JSON.parse(JSON.stringify(original.snapshot()));
      const restored = createDetector(spec);
      restored.restore(saved);
      const a: Array<Observation | undefined> = [];
      const b: Array<Observation | undefined> = [];
      for (let i = 120; i < 300; i++) {
        a.push(original.observe(series(i)), original.tick(series(i).timestamp + 400_000));
        b.push(restored.observe(series(i)), restored.tick(series(i).timestamp + 400_000));
      }
      expect(b).toEqual(a);
      expect(a.some((o) => o?.anomalous)).toBe(true);
    },
  );

  test.each(Object.entries(SPECS))(
    '%s: a point not later than the last learned is scored, not learned, not flagged, and counted',
    (_, spec) => {
      const d = createDetector(spec);
      for (let i = 0; i < 120; i++) d.observe(series(i));
      expect(d.stalePoints).toBe(0);
      const before = JSON.stringify(d.snapshot());
      // 55 minutes back, then a repeat of the last timestamp: far from normal, under the threshold rule's 80.
      const back = d.observe({ timestamp: series(119).timestamp - 55 * 60_000, value: 75 });
      const repeat = d.observe({ timestamp: series(119).timestamp, value: 75 });
      expect([back.anomalous, repeat.anomalous]).toEqual([false, false]);
      expect(JSON.stringify(d.snapshot())).toBe(before);
      expect(d.stalePoints).toBe(2);
      // Positive control: the same value in order is learned (the state moves) and not counted.
      d.observe({ timestamp: series(120).timestamp, value: 75 });
      expect(d.stalePoints).toBe(2);
      if (spec.kind !== 'threshold') expect(JSON.stringify(d.snapshot())).not.toBe(before);
    },
  );

  test('the same points give the same observations (no randomness, no clock)', () => {
    const run = () => {
      const d = createDetector();
      return Array.from({ length: 300 }, (_, i) => d.observe(series(i)).score);
    };
    expect(run()).toEqual(run());
  });

  test('an unknown kind or a non-object spec is SLUICE_CONFIG_INVALID with the kinds listed', () => {
    expect(() => createDetector({ kind: 'prophet' } as never)).toThrow(
      expect.objectContaining({
        code: 'SLUICE_CONFIG_INVALID',
        fix: expect.stringContaining('robust-z, ewma, seasonal'),
      }),
    );
    expect(() => createDetector('robust-z' as never)).toThrow(/must be an object with a kind/);
  });

  test('a snapshot of another version is refused', () => {
    const d = createDetector({ kind: 'ewma' });
    expect(() => d.restore({ ...d.snapshot(), version: 2 })).toThrow(
      /version is 2; this ewma detector reads version 1/,
    );
  });
});

describe('the example of docs/guides/anomaly-detection.md', () => {
  test('one detector per series, fed window by window, ticked, saved and restored', () => {
    // --- the guide's example, from here ---
    const spec: DetectorSpec = { kind: 'ensemble', rules: [{ kind: 'absence', afterSeconds: 150 }] };
    const detector = createDetector(spec);
    const alerts: string[][] = [];
    for (let minute = 1; minute <= 120; minute++) {
      const windowEnd = Date.UTC(2025, 0, 6, 0, minute); // a window's end is its point's time
      const temperature = minute === 100 ? 35 : 21 + 0.3 * Math.sin(minute);
      const o = detector.observe({ timestamp: windowEnd, value: temperature });
      if (o.anomalous) alerts.push(o.reasons); // ['robust-z: 44.0σ above 21.01', 'ewma: 65.5σ above 21', …]
    }
    // On a timer: silence is only seen by ticking.
    const silence = detector.tick(Date.UTC(2025, 0, 6, 2, 3));
    // The learned state is plain JSON; after a restart, build from the spec and restore it.
    const saved = JSON.parse(JSON.stringify(detector.snapshot()));
    const again = createDetector(spec);
    again.restore(saved);
    // --- to here ---
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.join(' ')).toMatch(/robust-z: .*σ above 21/);
    expect(silence?.reasons).toEqual(['absence: no point for 180s (limit 150s)']);
    expect(again.snapshot()).toEqual(detector.snapshot());
  });
});

test("withRules: the spec's rules join an ensemble, wrap a single detector, or take the default", () => {
  const rule = { kind: 'threshold', above: 30 } as const;
  expect(withRules(undefined, [])).toEqual(DEFAULT_DETECTOR);
  expect(withRules(undefined, [rule])).toEqual({
    kind: 'ensemble',
    members: [{ kind: 'seasonal', threshold: 8, cooldown: 200 }],
    rules: [rule],
    cooldown: 200,
  });
  expect(
    withRules({ kind: 'likelihood', raw: { kind: 'robust-z' }, cooldown: 20 }, [rule]) as { members: unknown[] },
  ).toMatchObject({ members: [{ kind: 'likelihood' }], cooldown: 20 });
  expect(createDetector(withRules({ kind: 'likelihood' }, [rule])).observe({ timestamp: 1, value: 31 }).anomalous).toBe(
    true,
  );
  expect(withRules({ kind: 'ensemble', rules: [{ kind: 'absence', afterSeconds: 150 }] }, [rule])).toEqual({
    kind: 'ensemble',
    rules: [{ kind: 'absence', afterSeconds: 150 }, rule],
  });
  expect(withRules({ kind: 'robust-z', warmup: 10 }, [rule])).toEqual({
    kind: 'ensemble',
    members: [{ kind: 'robust-z', warmup: 10 }],
    rules: [rule],
    warmup: 10,
  });
  expect(withRules({ kind: 'ewma' }, [])).toEqual({ kind: 'ewma' });
  expect(withRules({ kind: 'absence', afterSeconds: 60 }, [rule])).toEqual({
    kind: 'ensemble',
    members: [],
    rules: [{ kind: 'absence', afterSeconds: 60 }, rule],
  });
  expect(
    createDetector(withRules({ kind: 'absence', afterSeconds: 60 }, [rule])).observe({ timestamp: 1, value: 31 })
      .anomalous,
  ).toBe(true);
});
