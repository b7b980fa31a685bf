/**
 * Issue 11: queries read as sluice-query, which may read every topic of the SQL tables and nothing more.
 * Checked on pipeline.yaml through the ACLs deploy-pipeline would grant (expandAcls).
 */
import { join } from 'node:path';
import { repoRoot } from '../../../lib/repo';
import { queriedTopics } from '../../lib/sql/query-tables';
import { expandAcls } from '../../providers';
import { loadSpec } from '../../spec';
import { FLINK_KAFKA_USER } from './flink';
import { QUERY_KAFKA_USER, queryLogin } from './flink-query';

const spec = loadSpec(join(repoRoot(), 'pipeline.yaml'));
const principal = (name: string) => {
  const found = spec.principals.find((p) => p.name === name);
  if (!found) throw new Error(`pipeline.yaml declares no principal ${name}`);
  return found;
};

describe('the query principal in pipeline.yaml', () => {
  const bindings = expandAcls(principal(QUERY_KAFKA_USER));

  it('may read every topic a SQL table names, sources and outputs', () => {
    const readable = bindings.filter((b) => b.resourceType === 'topic' && b.operation === 'read');
    expect(readable.map((b) => b.resourceName).sort()).toEqual(queriedTopics(spec.sqlTables));
    expect(queriedTopics(spec.sqlTables)).toContain('agg.iot.site-1m');
  });

  it('may do nothing else: read and describe topics, read its own group', () => {
    const other = bindings.filter(
      (b) =>
        !(b.resourceType === 'topic' && ['read', 'describe'].includes(b.operation)) &&
        !(b.resourceType === 'group' && b.resourceName === 'sluice-query' && b.operation === 'read'),
    );
    expect(other).toEqual([]);
    expect(bindings.every((b) => b.permission === 'allow' && b.patternType === 'literal')).toBe(true);
  });

  it('leaves the jobs principal as it was: it may not read what it writes', () => {
    const flink = expandAcls(principal(FLINK_KAFKA_USER));
    const reads = new Set(flink.filter((b) => b.operation === 'read').map((b) => b.resourceName));
    expect(reads.has('agg.iot.site-1m')).toBe(false);
  });
});

describe('queryLogin', () => {
  it('is a JAAS line for the shaded SCRAM module', () => {
    expect(queryLogin('sluice-query', 'abc_-1')).toBe(
      'sasl.jaas.config=org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule required username="sluice-query" password="abc_-1";\n',
    );
    expect(() => queryLogin('sluice-query', 'a"b')).toThrow(/JAAS/);
  });
});
