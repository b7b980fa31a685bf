import type { GroupingConfig } from './config';
import { Grouper } from './grouping';
import { IncidentBook, type Incident, type IncidentEvent } from './incidents';

const T0 = Date.UTC(2025, 0, 6, 10, 0);
const MIN = 60_000;
const NOW = T0 + 15_000;
const CONFIG: GroupingConfig = { minSeries: 3, windowMs: MIN, waitMs: 2000, worst: 3 };

/** An incident of `key` flagged on `metric` at `ts`, as the book fires it. */
function incident(key: string, ts = T0, value = 40, metric = 'temperature_avg', score = 1): Incident {
  return {
    id: `inc-${key}-${ts}`,
    kind: 'anomaly',
    source: 'agg.iot.device-1m',
    key,
    keyFields: { device_id: key },
    severity: 'warning',
    startedAt: ts,
    firedAt: NOW,
    evidence: [
      {
        metric,
        value,
        expected: { low: null, high: 35 },
        score,
        reasons: ['threshold: above 35'],
        ts,
        cause: 'point',
        severity: 'warning',
        normal: 0,
      },
    ],
  };
}

const fired = (i: Incident): IncidentEvent => ({ type: 'fired', incident: i });
const resolved = (i: Incident, at = T0 + 3 * MIN): IncidentEvent => {
  i.resolvedAt = at;
  return { type: 'resolved', incident: i };
};
const summary = (events: IncidentEvent[]) =>
  events.map((e) => `${e.type} ${e.incident.members ? `group of ${e.incident.members.total}` : e.incident.key}`);

function grouper(): { g: Grouper; changed: string[] } {
  const changed: string[] = [];
  return { g: new Grouper(CONFIG, (i) => changed.push(i.key)), changed };
}

describe('Grouper', () => {
  test('a new incident is held for waitMs, then alerted alone when it is not part of a storm', () => {
    const { g, changed } = grouper();
    const one = incident('dev-1');
    expect(g.accept([fired(one)], NOW)).toEqual([]);
    expect(one.alert).toBe('held');
    expect(g.nextRelease()).toBe(NOW + 2000);
    expect(g.release(NOW + 1999)).toEqual([]);
    const out = g.release(NOW + 2000);
    expect(summary(out)).toEqual(['fired dev-1']);
    expect(out[0]!.incident).toMatchObject({ alert: 'alone', firedAt: NOW + 2000 });
    expect(changed).toEqual(['dev-1', 'dev-1']); // held, then alone: its state record is written each time
    expect(summary(g.accept([resolved(one)], NOW + 3 * MIN))).toEqual(['resolved dev-1']);
  });

  test('many series of one source and metric anomalous within a window: one group incident with the count and the worst', () => {
    const { g } = grouper();
    const members = Array.from({ length: 1000 }, (_, i) => incident(`dev-${i}`, T0 + (i % 30) * 1000, 36 + (i % 50)));
    expect(g.accept(members.map(fired), NOW)).toEqual([]);
    const out = g.release(NOW + 2000);
    expect(summary(out)).toEqual(['fired group of 1000']);
    const group = out[0]!.incident;
    expect(group).toMatchObject({
      kind: 'anomaly',
      source: 'agg.iot.device-1m',
      key: '*',
      keyFields: {},
      severity: 'warning',
      startedAt: T0,
      members: { metric: 'temperature_avg', open: 1000, total: 1000, lastStart: T0 + 29_000 },
    });
    // The worst: furthest above the expected 35 (all score 1), a bounded list.
    expect(group.members!.worst.map((w) => [w.key, w.evidence.value])).toEqual([
      ['dev-149', 85],
      ['dev-199', 85],
      ['dev-249', 85],
    ]);
    expect(group.evidence[0]!.value).toBe(85);
    expect(members.every((m) => m.alert === 'member' && m.group === group.id)).toBe(true);
    expect(g.heldCount).toBe(0);
  });

  test('fewer than minSeries together are alerted alone; starts further apart than the window are not together', () => {
    const { g } = grouper();
    g.accept([fired(incident('a', T0)), fired(incident('b', T0 + 10_000))], NOW);
    g.accept([fired(incident('c', T0 + 5 * MIN)), fired(incident('d', T0 + 10 * MIN))], NOW);
    expect(summary(g.release(NOW + 2000))).toEqual(['fired a', 'fired b', 'fired c', 'fired d']);
  });

  test('other metrics or sources are other groups', () => {
    const { g } = grouper();
    g.accept(
      [
        fired(incident('a', T0, 40, 'temperature_avg')),
        fired(incident('b', T0, 40, 'temperature_avg')),
        fired(incident('c', T0, 0, 'temperature_stddev')),
        fired(incident('d', T0, 0, 'temperature_stddev')),
      ],
      NOW,
    );
    expect(summary(g.release(NOW + 2000))).toEqual(['fired a', 'fired b', 'fired c', 'fired d']);
  });

  test('while a group is open, a new anomaly starting within the window of its latest member joins it (updated, not fired)', () => {
    const { g } = grouper();
    g.accept(
      ['a', 'b', 'c'].map((k) => fired(incident(k))),
      NOW,
    );
    const [group] = g.release(NOW + 2000).map((e) => e.incident);
    g.accept([fired(incident('d', T0 + 50_000))], NOW + 50_000);
    expect(summary(g.release(NOW + 52_000))).toEqual(['updated group of 4']);
    expect(group!.members).toMatchObject({ open: 4, total: 4, lastStart: T0 + 50_000 });
    // An hour later: not part of that storm, alerted alone (the positive control of grouping).
    g.accept([fired(incident('e', T0 + 60 * MIN))], NOW + 60 * MIN);
    expect(summary(g.release(NOW + 60 * MIN + 2000))).toEqual(['fired e']);
  });

  test('the group resolves once, when its last member has resolved; members resolve silently', () => {
    const { g } = grouper();
    const members = ['a', 'b', 'c'].map((k) => incident(k));
    g.accept(members.map(fired), NOW);
    const [group] = g.release(NOW + 2000).map((e) => e.incident);
    expect(g.accept([resolved(members[0]!), resolved(members[1]!)], NOW + 3 * MIN)).toEqual([]);
    expect(group!.members!.open).toBe(1);
    const out = g.accept([resolved(members[2]!, T0 + 4 * MIN)], NOW + 4 * MIN);
    expect(summary(out)).toEqual(['resolved group of 3']);
    expect(out[0]!.incident).toMatchObject({
      resolvedAt: T0 + 4 * MIN,
      resolution: 'all 3 series resolved (back to normal, or no longer tracked)',
    });
    expect(g.openGroups()).toEqual([]);
    expect(g.takeDirty().map((c) => c.value)).toEqual([null]); // its tombstone
  });

  test('an incident over before its hold is alerted alone, fired and resolved at once', () => {
    const { g } = grouper();
    const short = incident('a');
    g.accept([fired(short)], NOW);
    expect(summary(g.accept([resolved(short)], NOW + 1000))).toEqual(['fired a', 'resolved a']);
    expect(g.heldCount).toBe(0);
  });

  test('updates of an incident alerted alone pass; of a held one or a member they do not', () => {
    const { g } = grouper();
    const alone = incident('a', T0 - 30 * MIN);
    g.accept([fired(alone)], NOW);
    g.release(NOW + 2000);
    const held = incident('b');
    g.accept([fired(held)], NOW + 3000);
    expect(
      summary(
        g.accept(
          [
            { type: 'updated', incident: alone },
            { type: 'updated', incident: held },
          ],
          NOW + 3000,
        ),
      ),
    ).toEqual(['updated a']);
  });

  test('state round trip: groups and membership come back from the state records; held ones are held again', () => {
    const book = new IncidentBook();
    const { g } = grouper();
    const members = ['a', 'b', 'c'].map((k) => incident(k));
    g.accept(members.map(fired), NOW);
    g.release(NOW + 2000);
    const waiting = incident('z', T0 + 10 * MIN, 40, 'readings');
    g.accept([fired(waiting)], NOW + 10 * MIN);
    const groups = g.takeDirty().map((c) => JSON.parse(JSON.stringify(c.value)) as Incident);
    const open = [...members, waiting].map((i) => JSON.parse(JSON.stringify(i)) as Incident);

    const { g: again } = grouper();
    for (const group of groups) again.load(group);
    for (const i of open) book.load('incident', i.source, i.key, i as never);
    expect(again.reconcile(book.open(), NOW + 11 * MIN)).toEqual([]);
    expect(again.openGroups()[0]!.members).toMatchObject({ open: 3, total: 3 });
    expect(again.heldCount).toBe(1);
    expect(summary(again.release(NOW + 11 * MIN + 2000))).toEqual(['fired z']);
    // A group whose members are all gone resolves at once.
    const { g: empty } = grouper();
    for (const group of groups) empty.load(group);
    expect(summary(empty.reconcile([], NOW))).toEqual(['resolved group of 3']);
  });
});
