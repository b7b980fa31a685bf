/** A short in-process run of the three simulators through the windows and a detector (no Kafka). */
import { runSimulatorEval } from './run';

describe('runSimulatorEval', () => {
  const run = runSimulatorEval([{ name: 'robust-z', members: [{ kind: 'robust-z', window: 200 }] }], {
    seed: 3,
    hours: 1.5,
    learningMs: 30 * 60_000,
    anomalyRate: 12,
  });
  const [result] = run.results;

  test('scores the labels of all three sources after the learning period', () => {
    expect(run.labels).toBeGreaterThan(20);
    expect(Object.keys(result!.perSource)).toEqual(['iot', 'web', 'finance']);
    const kinds = new Set(result!.perKind.map((k) => k.source));
    expect([...kinds].sort()).toEqual(['finance', 'iot', 'web']);
    expect(run.series).toBeGreaterThan(100);
  });

  test('finds what the rules and windows show plainly: temperature spikes over the device limit', () => {
    const spikes = result!.perKind.find((k) => k.source === 'iot' && k.kind === 'spike');
    if (spikes) expect(spikes.detected).toBe(spikes.labels);
    expect(result!.summary.detected).toBeGreaterThan(0);
    expect(result!.summary.precision).toBeGreaterThan(0);
    expect(result!.summary.p50DelayMs).toBeLessThan(10 * 60_000);
  });
});
