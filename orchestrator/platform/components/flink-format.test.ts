/**
 * Issue 10 item 2 (decision 0017): every topic the SQL jobs read has a dead-letter twin. The jobs'
 * principal consumes the source topics; each must be read by a `*_undecodable` table of
 * sql/050-decode-errors.sql ('emit' = 'errors'), and the decode-errors job must insert from each into
 * dead_letters_decode, or an undecodable record of a new source would be skipped without a trace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../lib/repo';
import { kafkaTables } from '../../lib/sql/query-tables';
import { withoutComments } from '../../lib/sql/statements';
import { loadSpec } from '../../spec';
import { FLINK_KAFKA_USER } from './flink';

const spec = loadSpec(join(repoRoot(), 'pipeline.yaml'));
const flink = spec.principals.find((p) => p.name === FLINK_KAFKA_USER)!;
const sourceTopics = [...new Set(flink.consumes.flatMap((c) => c.topics))].sort();
const undecodable = spec.sqlTables.filter((s) => /_undecodable\s*\(/.test(withoutComments(s)));

describe('dead letters of the SQL sources', () => {
  it('one *_undecodable table per source topic, reading only the records that cannot be decoded', () => {
    expect(sourceTopics.length).toBeGreaterThanOrEqual(9);
    const tables = kafkaTables(undecodable);
    expect(tables.map((t) => t.topic).sort()).toEqual(sourceTopics);
    for (const statement of undecodable) {
      const code = withoutComments(statement);
      expect(code).toContain("'value.sluice-avro-confluent.emit' = 'errors'");
      expect(code).toContain("'connector' = 'kafka'");
      expect(code).toMatch(/\)\s*LIKE \w+ \(EXCLUDING ALL\)$/);
    }
  });

  it('the decode-errors job writes every one of them to dead_letters_decode', () => {
    const job = spec.sqlJobs.find((j) => j.name === 'decode-errors')!;
    const text = withoutComments(readFileSync(join(repoRoot(), job.file), 'utf8'));
    const read = [...text.matchAll(/FROM (\w+_undecodable)/g)].map((m) => m[1]).sort();
    expect(read).toEqual(
      kafkaTables(undecodable)
        .map((t) => t.name)
        .sort(),
    );
    expect(text.match(/INSERT INTO dead_letters_decode/g)).toHaveLength(read.length);
  });
});
