import { readdirSync } from 'node:fs';
import { RESOURCE_KINDS, kindEntry } from './kinds';

const kinds: string[] = RESOURCE_KINDS.map((k) => k.provider.kind);

describe('the resource kinds', () => {
  test('each kind once, after every kind it depends on', () => {
    expect(new Set(kinds).size).toBe(kinds.length);
    RESOURCE_KINDS.forEach(({ provider, dependsOn }, i) => {
      for (const dependency of dependsOn) {
        expect({ kind: provider.kind, dependsOn: dependency, known: kinds.includes(dependency) }).toEqual({
          kind: provider.kind,
          dependsOn: dependency,
          known: true,
        });
        expect(kinds.indexOf(dependency)).toBeLessThan(i);
      }
    });
  });

  test('the order of plans: topics, schemas, principals, acls, SQL jobs, the databases, connectors', () => {
    expect(kinds).toEqual([
      'topic',
      'schema',
      'principal',
      'acl',
      'sql-job',
      'cassandra-keyspace',
      'cassandra-table',
      'cassandra-grant',
      'influx-database',
      'influx-retention-policy',
      'influx-grant',
      'connector',
    ]);
  });

  test('every provider file of this folder is listed', () => {
    const notProviders = new Set(['index', 'kinds', 'types', 'topic-config']);
    const files = readdirSync(__dirname)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => f.slice(0, -'.ts'.length))
      .filter((f) => !notProviders.has(f));
    expect(files.sort()).toEqual([...kinds].sort());
  });

  test('an unknown kind is a programming error that names the registry', () => {
    expect(kindEntry('topic').observes).toBe('kafka');
    expect(() => kindEntry('bucket')).toThrow(/no resource kind 'bucket' \(orchestrator\/providers\/kinds\.ts/);
  });
});
