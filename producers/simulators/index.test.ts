import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isSluiceError, type SluiceError } from '../../lib/errors';
import { repoRoot } from '../../lib/repo';
import type { OutgoingRecord, RecordSource } from '../engine/engine';
import {
  ANOMALY_KINDS,
  SIMULATOR_SOURCES,
  SIMULATOR_TOPICS,
  TOPIC_SCHEMAS,
  createSimulator,
  topicsOf,
  simulatorOptionNames,
  type SimulatedRecord,
  type Simulator,
} from './index';
import { HOUR, MINUTE, MONDAY, firstDifference, labelsOf, run } from './testing/run';

const fast = {
  web: { eventsPerSecond: 5 },
  iot: { devices: 10, sites: 2 },
  finance: { eventsPerSecond: 5, accounts: 500 },
} as const;
const make = (
  source: (typeof SIMULATOR_SOURCES)[number],
  seed: number | string,
  extra: Record<string, unknown> = {},
): Simulator => createSimulator(source, { ...fast[source], seed, anomalyRate: 15, ...extra });

function configError(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (error) {
    if (isSluiceError(error, 'SLUICE_CONFIG_INVALID')) return error;
    throw error;
  }
  throw new Error('no error thrown');
}

describe.each(SIMULATOR_SOURCES.map((s) => [s]))('%s simulator', (source) => {
  test('the same seed and the same calls give identical records, references included', () => {
    const a = make(source, 42);
    const b = make(source, 42);
    expect(a.referenceData()).toEqual(b.referenceData());
    const first = run(a, MONDAY + 9 * HOUR, HOUR, 3000);
    expect(first.length).toBeGreaterThan(1000);
    expect(labelsOf(first).length).toBeGreaterThan(3);
    expect(firstDifference(run(b, MONDAY + 9 * HOUR, HOUR, 3000), first)).toBeUndefined();
  });

  test('another seed gives other records and other reference data', () => {
    const a = run(make(source, 42), MONDAY, 10 * MINUTE);
    const b = run(make(source, 43), MONDAY, 10 * MINUTE);
    expect(b).not.toEqual(a);
    expect(make(source, 'x').referenceData()).not.toEqual(make(source, 'y').referenceData());
  });

  test('how simulated time is cut into next() calls does not change the records', () => {
    const steady = run(make(source, 7), MONDAY + 12 * HOUR, HOUR, 1000);
    // Irregular steps, repeated and backward times included.
    const simulator = make(source, 7);
    const jumpy: SimulatedRecord[] = [...simulator.next(MONDAY + 12 * HOUR)];
    let t = MONDAY + 12 * HOUR;
    for (let i = 0; t < MONDAY + 13 * HOUR; i++) {
      t = Math.min(MONDAY + 13 * HOUR, t + ((i * 7919) % 45_000));
      jumpy.push(...simulator.next(t), ...simulator.next(t), ...simulator.next(t - 5000));
    }
    expect(firstDifference(jumpy, steady)).toBeUndefined();
  });

  test('next() returns records in timestamp order, each in (previous now, now]', () => {
    const simulator = make(source, 1);
    expect(simulator.next(MONDAY)).toEqual([]);
    let previous = MONDAY;
    for (let now = MONDAY + 2500; now <= MONDAY + 30 * MINUTE; now += 2500) {
      const records = simulator.next(now);
      expect(
        records.every(
          (r, i) =>
            r.timestamp > previous &&
            r.timestamp <= now &&
            (i === 0 || r.timestamp >= (records[i - 1] as SimulatedRecord).timestamp),
        ),
      ).toBe(true);
      previous = now;
    }
  });

  test('writes only its own topics, each with a schema', () => {
    const records = [...make(source, 2).referenceData(), ...run(make(source, 2), MONDAY, HOUR, 5000)];
    const topics = new Set(records.map((r) => r.topic));
    expect([...topics].sort()).toEqual(topicsOf(source).sort());
    for (const topic of topics) expect(TOPIC_SCHEMAS[topic]).toBeDefined();
  });

  test('anomalies only add events, or change events inside their labelled spans; the rest is the run without anomalies', () => {
    const start = MONDAY + 9 * HOUR;
    const events = (records: SimulatedRecord[]) =>
      new Map(
        records
          .filter((r) => r.topic === SIMULATOR_TOPICS[source].events)
          .map((r) => [r.value.event_id as string, r.value]),
      );
    const withAnomalies = run(make(source, 21, { anomalyRate: 30 }), start, HOUR, 5000);
    const anomalous = events(withAnomalies);
    const normal = events(run(make(source, 21, { anomalyRate: 0 }), start, HOUR, 5000));
    const labels = labelsOf(withAnomalies);
    const explained = (event: Record<string, unknown>) =>
      labels.some(
        (l) =>
          event[l.details.key_field as string] === l.key &&
          (event.ts as number) >= l.start_ts &&
          (event.ts as number) <= l.end_ts,
      );
    const changed = [...normal.values()].filter(
      (e) => JSON.stringify(e) !== JSON.stringify(anomalous.get(e.event_id as string)),
    );
    const added = [...anomalous.values()].filter((e) => !normal.has(e.event_id as string));
    expect(labels.length).toBeGreaterThan(10);
    expect(changed.length + added.length).toBeGreaterThan(labels.length);
    expect(changed.filter((e) => !explained(e))).toEqual([]);
    expect(added.filter((e) => !explained(e))).toEqual([]);
  });

  test.each([
    ['at night', 3 * HOUR],
    ['at noon', 12 * HOUR],
    ['in the evening', 19 * HOUR],
  ])('over 60 s %s, the events follow expectedRate within 5%%', (_, offset) => {
    const rates = {
      web: { eventsPerSecond: 400 },
      iot: { devices: 4000, sites: 5 },
      finance: { eventsPerSecond: 400, accounts: 2000 },
    } as const;
    const simulator = createSimulator(source, { ...rates[source], seed: 11, anomalyRate: 0 });
    const start = MONDAY + offset;
    const events = run(simulator, start, MINUTE, 1000).filter(
      (r) => r.topic === SIMULATOR_TOPICS[source].events,
    ).length;
    let expected = 0;
    for (let t = start; t < start + MINUTE; t += 100) expected += simulator.expectedRate(t) / 10;
    expect(Math.abs(events - expected) / expected).toBeLessThan(0.05);
  });

  test('anomalyRate 0 injects no anomalies', () => {
    expect(labelsOf(run(make(source, 3, { anomalyRate: 0 }), MONDAY, 3 * HOUR, 10_000))).toEqual([]);
  });

  test('the anomaly rate sets how many anomalies start (per simulated hour)', () => {
    // (Web: slow endpoints only, bot floods make many records.)
    const kinds = source === 'web' ? { anomalyKinds: ['slow_endpoint'] } : {};
    const count = (rate: number) =>
      labelsOf(run(make(source, 4, { ...kinds, anomalyRate: rate }), MONDAY, 4 * HOUR, 10_000)).length;
    const few = count(2);
    const many = count(20);
    expect(few).toBeGreaterThanOrEqual(1);
    expect(few).toBeLessThanOrEqual(16);
    expect(many).toBeGreaterThan(3 * few);
  });

  test('rejects options with the wrong value, naming the option and a fix', () => {
    const error = configError(() => createSimulator(source, { seed: 1, anomalyRate: -1 }));
    expect(error.path).toBe('anomalyRate');
    expect(error.message).toMatch(/anomalyRate: must be a number at least 0 and at most 3600, got -1/);
    expect(error.fix).toMatch(/anomalyRate: 6/);
    expect(configError(() => createSimulator(source, { seed: 1.5 })).path).toBe('seed');
    expect(configError(() => createSimulator(source, { anomalyKinds: ['nope'] })).message).toMatch(
      new RegExp(`no anomaly kind 'nope'.*use a non-empty list of: ${ANOMALY_KINDS[source].join(', ')}`),
    );
    expect(configError(() => createSimulator(source, { anomalyKinds: [] })).path).toBe('anomalyKinds');
  });
});

describe('createSimulator options', () => {
  test('reports every problem at once, each with its option and fix', () => {
    const error = configError(() => createSimulator('web', { seed: '', eventsPerSecond: 0, paths: 2.5, botShare: 2 }));
    expect(error.message.split('\n')).toEqual([
      'invalid options for the web simulator:',
      "  - seed: must be an integer or a non-empty string, got '' (fix: use an integer such as 42 (the same seed gives the same records))",
      '  - eventsPerSecond: must be a number greater than 0 and at most 100000, got 0 (fix: use a number greater than 0 and at most 100000, e.g. eventsPerSecond: 20)',
      '  - paths: must be an integer at least 10 and at most 10000, got 2.5 (fix: use an integer at least 10 and at most 10000, e.g. paths: 60)',
      '  - botShare: must be a number at least 0 and at most 0.9, got 2 (fix: use a number at least 0 and at most 0.9, e.g. botShare: 0.08)',
    ]);
    expect(error.details?.problems).toHaveLength(4);
    expect(error.retriable).toBe(false);
  });

  test('an unknown option is an error, with the spelling it probably meant', () => {
    const error = configError(() => createSimulator('iot', { anomaly_rate: 3 }));
    expect(error.message).toMatch(/the iot simulator has no option 'anomaly_rate'/);
    expect(error.fix).toBe("rename it to 'anomalyRate'");
    expect(configError(() => createSimulator('finance', { devices: 3 })).fix).toMatch(
      /^remove it; the options are seed, anomalyRate, anomalyKinds, eventsPerSecond, traffic, accounts, merchants$/,
    );
  });

  test('options that contradict each other', () => {
    expect(configError(() => createSimulator('iot', { devices: 3, sites: 5 })).path).toBe('sites');
    expect(configError(() => createSimulator('web', { bots: 0, botShare: 0.1 })).path).toBe('botShare');
    expect(() => createSimulator('web', { bots: 0, botShare: 0 })).not.toThrow();
  });

  test('an unknown source, and options that are not an object', () => {
    const error = configError(() => createSimulator('weather', {}));
    expect(error).toMatchObject({ path: 'source', fix: 'use one of: web, iot, finance' });
    expect(configError(() => createSimulator('web', null as unknown as Record<string, unknown>)).path).toBe('options');
  });

  test('defaults work without any option', () => {
    const simulator = createSimulator('iot');
    expect(simulator.source).toBe('iot');
    expect(simulator.referenceData()).toHaveLength(50);
  });

  test('next() refuses a time that is not a number', () => {
    expect(configError(() => createSimulator('web').next(Number.NaN)).path).toBe('now');
  });
});

describe('fits the rest of Sluice', () => {
  test('every topic the simulators write is declared in pipeline.yaml, and the simulator principal may produce to it', () => {
    const spec = parse(readFileSync(join(repoRoot(), 'pipeline.yaml'), 'utf8')) as {
      topics: Array<{ name: string }>;
      principals: Array<{ name: string; produces?: string[] }>;
    };
    const declared = spec.topics.map((t) => t.name);
    for (const source of SIMULATOR_SOURCES) {
      const principal = spec.principals.find((p) => p.name === `sim-${source}`);
      for (const topic of topicsOf(source)) {
        expect(declared).toContain(topic);
        expect(principal?.produces).toContain(topic);
      }
    }
  });

  test('docs/guides/producers.md documents every option and anomaly kind of each simulator', () => {
    const doc = readFileSync(join(repoRoot(), 'docs', 'guides', 'producers.md'), 'utf8');
    const section = (heading: string) => {
      const from = doc.indexOf(`\n## ${heading}\n`);
      expect(from).toBeGreaterThan(0);
      const to = doc.indexOf('\n## ', from + 1);
      return doc.slice(from, to < 0 ? undefined : to);
    };
    const common = ['seed', 'anomalyRate', 'anomalyKinds'];
    const headings = { web: 'Web access logs', iot: 'IoT sensor readings', finance: 'Financial transactions' } as const;
    for (const option of common) expect(section('Using a simulator')).toContain(`| \`${option}\` |`);
    for (const source of SIMULATOR_SOURCES) {
      const text = section(headings[source]);
      const options = simulatorOptionNames(source);
      expect(options.slice(0, 3)).toEqual(common);
      const missing = [
        ...options.slice(3).filter((o) => !text.includes(`| \`${o}\` |`)),
        ...ANOMALY_KINDS[source].filter((k) => !text.includes(`| \`${k}\` |`)),
      ];
      expect(missing).toEqual([]);
    }
  });

  test("a simulator is a RecordSource for the producer engine, and its reference data the engine's preamble", () => {
    const simulator = createSimulator('finance', { seed: 1 });
    const source: RecordSource = simulator;
    const preamble: OutgoingRecord[] = simulator.referenceData(MONDAY);
    expect(preamble).toHaveLength(5000);
    expect(source.next(MONDAY)).toEqual([]);
    expect(source.next(MONDAY + MINUTE).length).toBeGreaterThan(0);
  });
});
