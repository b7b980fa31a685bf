import type { AnomalyLabel } from '../../../producers/simulators';
import { groupIncidents, matchAlerts, type Alert } from './matching';

const MIN = 60_000;
const alert = (key: string, minute: number, metric = 'm'): Alert => ({
  source: 'web',
  key,
  metric,
  start: minute * MIN,
  end: (minute + 1) * MIN - 1,
  at: (minute + 1) * MIN,
  score: 0.9,
  reasons: [],
});
const label = (id: string, key: string, from: number, to: number, kind = 'error_burst'): AnomalyLabel => ({
  label_id: id,
  source: 'web',
  kind,
  key,
  start_ts: from * MIN,
  end_ts: to * MIN,
  detail: '{}',
});

describe('incidents', () => {
  test('alerts of one key within the merge gap are one incident, whatever the metric', () => {
    const incidents = groupIncidents(
      [alert('/a', 10), alert('/a', 12, 'n'), alert('/a', 30), alert('/b', 11)],
      5 * MIN,
    );
    expect(incidents.map((i) => [i.key, i.start / MIN, i.alerts, i.metrics])).toEqual([
      ['/a', 10, 2, ['m', 'n']],
      ['/b', 11, 1, ['m']],
      ['/a', 30, 1, ['m']],
    ]);
  });
});

describe('matching alerts with labels', () => {
  const labels = [label('L1', '/a', 10.5, 14), label('L2', '/b', 40, 42), label('L3', '1.2.3.4', 50, 52, 'bot_flood')];
  const alerts = [alert('/a', 11), alert('/a', 12), alert('/a', 30), alert('/c', 41)];
  const { summary, outcomes, incidents } = matchAlerts(alerts, labels, (l) => l.kind !== 'bot_flood', 5 * MIN);

  test('an incident overlapping a label of its key is a true positive; the rest are false positives', () => {
    expect(incidents.map((i) => [i.key, i.labels])).toEqual([
      ['/a', ['L1']],
      ['/a', []],
      ['/c', []],
    ]);
    expect(summary).toMatchObject({ incidents: 3, truePositives: 1, falsePositives: 2, labels: 3, detected: 1 });
    expect(summary.precision).toBeCloseTo(1 / 3, 10);
    expect(summary.recall).toBeCloseTo(1 / 3, 10);
    expect(summary.f1).toBeCloseTo(1 / 3, 10);
  });

  test('the delay runs from the label start to the end of the first window that flagged it', () => {
    expect(outcomes[0]).toMatchObject({ detected: true, delayMs: 1.5 * MIN });
    expect(outcomes[1]).toMatchObject({ detected: false });
    expect(summary.meanDelayMs).toBe(1.5 * MIN);
    expect(summary.p50DelayMs).toBe(1.5 * MIN);
  });

  test('recall is also given over the labels the windows can show', () => {
    expect(summary.observableLabels).toBe(2);
    expect(summary.observableRecall).toBe(0.5);
    expect(summary.observableF1).toBeCloseTo((2 * (1 / 3) * 0.5) / (1 / 3 + 0.5), 10);
  });
});
