import { isSluiceError } from '../../lib/errors';
import { parseSpec } from './load';
import { TOPIC_CONFIG_KEYS } from './topic-configs';
import { validateSpec } from './validate';

const spec = (config: Record<string, unknown>) => ({
  apiVersion: 'sluice/v1',
  name: 'demo',
  topics: [{ name: 'web.access-logs', partitions: 3, config }],
});

describe('topic config keys', () => {
  it('lists the 33 topic configs of Kafka 4.x', () => {
    expect(TOPIC_CONFIG_KEYS.size).toBe(33);
    for (const key of ['retention.ms', 'cleanup.policy', 'min.insync.replicas', 'message.timestamp.before.max.ms'])
      expect(TOPIC_CONFIG_KEYS.has(key)).toBe(true);
  });

  it('refuses a misspelt key with the one it is probably meant to be (issue 11: retention.mss passed the plan)', () => {
    // The control: the same spec with the key spelt right is valid.
    expect(validateSpec(spec({ 'retention.ms': 604800000 })).issues).toEqual([]);
    expect(validateSpec(spec({ 'retention.mss': 604800000 })).issues).toEqual([
      {
        path: 'topics[0].config["retention.mss"]',
        message: "unknown topic config 'retention.mss' (did you mean retention.ms?)",
        fix: 'rename it to retention.ms',
      },
    ]);
  });

  it.each([
    ['log.retention.ms', 'retention.ms'],
    ['log.cleaner.delete.retention.ms', 'delete.retention.ms'],
    ['min.isr', undefined],
    ['min.insync.replica', 'min.insync.replicas'],
    ['cleanup_policy', 'cleanup.policy'],
    ['segement.bytes', 'segment.bytes'],
  ])('%s: suggests %s', (key, meant) => {
    const [issue, ...more] = validateSpec(spec({ [key]: 1 })).issues;
    expect(more).toEqual([]);
    expect(issue?.message).toBe(`unknown topic config '${key}'${meant ? ` (did you mean ${meant}?)` : ''}`);
    expect(issue?.fix).toMatch(meant ? `rename it to ${meant}` : /^use a topic-level config as Kafka documents it/);
  });

  it('says what replaced a key Kafka 4.0 removed', () => {
    const issues = validateSpec(
      spec({ 'message.timestamp.difference.max.ms': 1000, 'message.format.version': '3.0' }),
    ).issues;
    expect(issues.map((i) => i.message)).toEqual([
      "topic config 'message.timestamp.difference.max.ms' no longer exists in Kafka 4.x",
      "topic config 'message.format.version' no longer exists in Kafka 4.x",
    ]);
    expect(issues[0]?.fix).toMatch(/message\.timestamp\.before\.max\.ms and message\.timestamp\.after\.max\.ms/);
  });

  it('leaves a key that is no config name at all to the schema: one issue, not two', () => {
    const issues = validateSpec(spec({ 'Retention.MS': 1 })).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/is not a Kafka config name/);
  });

  it('is refused when the spec is loaded, with its line, before a plan is made', () => {
    const yaml = [
      'apiVersion: sluice/v1',
      'name: demo',
      'topics:',
      '  - name: web.access-logs',
      '    partitions: 3',
      '    config:',
      '      retention.ms: 1000',
      '      retention.mss: 1000',
    ].join('\n');
    const error = (() => {
      try {
        parseSpec(yaml, 'pipeline.yaml');
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(isSluiceError(error, 'SLUICE_SPEC_INVALID')).toBe(true);
    expect((error as Error).message).toBe(
      [
        'pipeline.yaml is not a valid pipeline spec (1 issue):',
        `  - topics[0].config["retention.mss"]: unknown topic config 'retention.mss' (did you mean retention.ms?) (fix: rename it to retention.ms) [line 8]`,
      ].join('\n'),
    );
  });
});
