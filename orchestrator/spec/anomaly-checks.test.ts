import { validateSpec } from './validate';

/** A spec with a complete anomaly section, and the principal and topics it needs. */
function spec(anomaly: Record<string, unknown>, principal: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'sluice/v1',
    name: 'watch',
    topics: [
      { name: 'agg.iot.device-1m', partitions: 3 },
      { name: 'patterns.card-testing', partitions: 3 },
      { name: 'alerts', partitions: 3, valueSchema: 'schemas/alert.avsc' },
      { name: 'anomaly.state', partitions: 3, config: { 'cleanup.policy': 'compact' } },
    ],
    principals: [
      {
        name: 'sluice-anomaly',
        consumes: [
          { group: 'sluice-anomaly', topics: ['agg.iot.device-1m', 'patterns.card-testing'] },
          { group: 'sluice-anomaly-restore', topics: ['anomaly.state'] },
        ],
        produces: ['alerts', 'anomaly.state'],
        acls: [{ resourceType: 'transactional-id', name: 'sluice-anomaly', operations: ['write', 'describe'] }],
        ...principal,
      },
    ],
    anomaly,
  };
}

const SERIES = {
  topic: 'agg.iot.device-1m',
  key: ['device_id'],
  metrics: [{ field: 'temperature_avg', rules: [{ kind: 'threshold', above: 40 }] }],
};
const PATTERN = { topic: 'patterns.card-testing', key: ['account_id'] };

describe('the anomaly section', () => {
  test('a complete section is valid, with the defaults filled in', () => {
    const { spec: s, issues } = validateSpec(spec({ series: [SERIES], patterns: [PATTERN] }));
    expect(issues).toEqual([]);
    expect(s?.anomaly).toEqual({
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
          resolveAfter: 3,
          severity: 'warning',
          metrics: [{ field: 'temperature_avg', rules: [{ kind: 'threshold', above: 40 }] }],
        },
      ],
      patterns: [
        {
          topic: 'patterns.card-testing',
          key: ['account_id'],
          time: 'first_ts',
          severity: 'warning',
          resolveAfterSeconds: 300,
        },
      ],
    });
  });

  test('no section, or an empty one, asks for nothing', () => {
    const { spec: s, issues } = validateSpec({ apiVersion: 'sluice/v1', name: 'none' });
    expect(issues).toEqual([]);
    expect(s?.anomaly).toMatchObject({ series: [], patterns: [] });
  });

  test('topics, metrics and detector options are checked, each issue with its path and a fix', () => {
    const { issues } = validateSpec(
      spec({
        series: [
          { topic: 'agg.iot.device-1n', key: ['device_id'], metrics: [{ field: 'x' }] },
          {
            ...SERIES,
            metrics: [
              { field: 'temperature_avg', detector: { kind: 'robust-z', alpha: 0.1 } },
              { field: 'temperature_avg' },
              { field: 'temperature_max', detector: { kind: 'ensemble', members: [{ kind: 'threshold', above: 3 }] } },
              { field: 'readings', rules: [{ kind: 'threshold' }] },
              { field: 'window_end' },
            ],
          },
        ],
        patterns: [{ topic: 'agg.iot.device-1m', key: ['device_id'] }],
      }),
    );
    expect(issues).toEqual([
      {
        path: 'anomaly.series[0].topic',
        message: "topic 'agg.iot.device-1n' is not declared under topics",
        fix: "did you mean 'agg.iot.device-1m'? Otherwise declare it under topics",
      },
      {
        path: 'anomaly.patterns[0].topic',
        message: "topic 'agg.iot.device-1m' is watched twice (first at anomaly.series[1])",
        fix: 'merge the two entries into anomaly.series[1]',
      },
      {
        path: 'anomaly.series[1].metrics[0].detector.alpha',
        message: "'alpha' is not an option of the robust-z detector (it is an option of ewma)",
        fix: 'remove it; robust-z takes threshold, warmup, direction, minScale, relativeMinScale, calibrationWindow, calibrationQuantile, cooldown, window',
      },
      {
        path: 'anomaly.series[1].metrics[1].field',
        message: "metric 'temperature_avg' is listed twice (first at metrics[0])",
        fix: 'merge their rules into one entry',
      },
      {
        path: 'anomaly.series[1].metrics[2].detector.members[0].kind',
        message: "an ensemble's members are scoring detectors, not 'threshold'",
        fix: 'use one of robust-z, ewma, seasonal, context, shape, likelihood; put rules under rules',
      },
      {
        path: 'anomaly.series[1].metrics[3].rules',
        message: 'detector threshold: needs above, below or both',
        fix: 'add above: <value> (flag values higher than it) and/or below: <value> (flag values lower than it)',
      },
      {
        path: 'anomaly.series[1].metrics[4].field',
        message: "'window_end' is the series' time field, not a metric",
        fix: 'watch a numeric field of the record',
      },
      {
        path: 'principals[0].consumes',
        message: 'sluice-anomaly does not consume agg.iot.device-1n in group sluice-anomaly, which anomaly watches',
        fix: 'add them to the topics of its consumes entry { group: sluice-anomaly, topics: [...] }',
      },
    ]);
  });

  test('context, shape and likelihood detectors are accepted; a likelihood of a rule is not', () => {
    const ok = validateSpec(
      spec({
        series: [
          {
            ...SERIES,
            metrics: [
              { field: 'temperature_avg', detector: { kind: 'likelihood', raw: [{ kind: 'seasonal', threshold: 8 }] } },
              { field: 'temperature_max', detector: { kind: 'shape', step: 2, window: 6, cooldown: 10 } },
              {
                field: 'readings',
                detector: {
                  kind: 'ensemble',
                  combine: 'max',
                  members: [{ kind: 'context', bins: 6 }, { kind: 'robust-z' }],
                },
              },
            ],
          },
        ],
      }),
    );
    expect(ok.issues).toEqual([]);
    const bad = validateSpec(
      spec({
        series: [
          {
            ...SERIES,
            metrics: [
              {
                field: 'temperature_avg',
                detector: { kind: 'likelihood', raw: [{ kind: 'absence', afterSeconds: 60 }] },
              },
            ],
          },
        ],
      }),
    );
    expect(bad.issues).toEqual([
      {
        path: 'anomaly.series[0].metrics[0].detector.raw[0].kind',
        message: "a likelihood's raw detectors give raw scores, not 'absence'",
        fix: 'use one of robust-z, ewma, seasonal, context, shape',
      },
    ]);
  });

  test('JSON Schema errors inside a detector name the option', () => {
    const { issues } = validateSpec(
      spec({ series: [{ ...SERIES, metrics: [{ field: 'a', detector: { kind: 'ewma', alpha: 2, treshold: 3 } }] }] }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'anomaly.series[0].metrics[0].detector.treshold',
      'anomaly.series[0].metrics[0].detector.alpha',
    ]);
    expect(issues[0]!.fix).toBe("rename it to 'threshold'");
  });

  test('the principal must be declared, consume the watched topics and its state, produce alerts and state, and own its transactional id', () => {
    const missing = validateSpec({ ...spec({ series: [SERIES] }), principals: [] }).issues;
    expect(missing).toEqual([
      {
        path: 'anomaly.principal',
        message: "the anomaly service's principal 'sluice-anomaly' is not declared under principals",
        fix: 'declare it: { name: sluice-anomaly, consumes: [{ group: sluice-anomaly, topics: [agg.iot.device-1m] }, { group: sluice-anomaly-restore, topics: [anomaly.state] }], produces: [alerts, anomaly.state], acls: [{ resourceType: transactional-id, name: sluice-anomaly, operations: [write, describe] }] }',
      },
    ]);
    const partial = validateSpec(
      spec(
        { series: [SERIES] },
        { consumes: [{ group: 'sluice-anomaly', topics: ['agg.iot.device-1m'] }], produces: ['alerts'], acls: [] },
      ),
    ).issues;
    expect(partial.map((i) => [i.path, i.message])).toEqual([
      [
        'principals[0].consumes',
        'sluice-anomaly does not consume its state topic anomaly.state in group sluice-anomaly-restore: it could not restore its state at start',
      ],
      ['principals[0].produces', 'sluice-anomaly does not produce anomaly.state'],
      [
        'principals[0].acls',
        "sluice-anomaly may not use the transactional id 'sluice-anomaly' it writes alerts, state and offsets with",
      ],
    ]);
    // A prefixed grant covers it.
    expect(
      validateSpec(
        spec(
          { series: [SERIES] },
          {
            acls: [
              { resourceType: 'transactional-id', name: 'sluice-', patternType: 'prefixed', operations: ['write'] },
            ],
          },
        ),
      ).issues,
    ).toEqual([]);
  });

  test('the alerts topic needs its schema and the state topic compaction', () => {
    const s = spec({ series: [SERIES] });
    const topics = (s.topics as Array<Record<string, unknown>>).map((t) =>
      t.name === 'alerts'
        ? { name: 'alerts', partitions: 3 }
        : t.name === 'anomaly.state'
          ? { name: 'anomaly.state', partitions: 3 }
          : t,
    );
    expect(validateSpec({ ...s, topics }).issues.map((i) => [i.path, i.fix])).toEqual([
      [
        'anomaly.alertsTopic',
        "give it valueSchema: schemas/alert.avsc, so deploy-pipeline registers the alerts' schema",
      ],
      ['anomaly.stateTopic', 'set config: { cleanup.policy: compact } on topic anomaly.state'],
    ]);
  });
});
