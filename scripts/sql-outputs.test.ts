import avro from 'avsc';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/repo';
import { OUTPUT_SCHEMA_DIR, OUTPUT_TABLES_FILE, flinkType, renderOutputTables, type OutputTables } from './sql-outputs';

const list = JSON.parse(readFileSync(join(repoRoot(), OUTPUT_TABLES_FILE), 'utf8')) as OutputTables;
const schemaFiles = readdirSync(join(repoRoot(), OUTPUT_SCHEMA_DIR)).filter((f) => f.endsWith('.avsc'));

describe('flinkType', () => {
  test('Avro types become Flink SQL columns: a union with null is nullable, anything else NOT NULL', () => {
    expect(flinkType('string', 'f')).toBe('STRING NOT NULL');
    expect(flinkType(['null', 'double'], 'f')).toBe('DOUBLE');
    expect(flinkType('long', 'f')).toBe('BIGINT NOT NULL');
    expect(flinkType(['null', 'int'], 'f')).toBe('INT');
    expect(flinkType({ type: 'long', logicalType: 'timestamp-millis' }, 'f')).toBe('TIMESTAMP(3) NOT NULL');
    expect(flinkType('boolean', 'f')).toBe('BOOLEAN NOT NULL');
  });

  test('a type with no column type is an error naming the field', () => {
    expect(() => flinkType(['null', 'string', 'long'], 'window.x')).toThrow(/window\.x: only a union of null and one/);
    expect(() => flinkType({ type: 'map', values: 'string' }, 'window.y')).toThrow(/window\.y: no Flink SQL column/);
  });
});

describe('renderOutputTables', () => {
  const window = {
    type: 'record',
    name: 'W',
    fields: [
      { name: 'k', type: 'string' },
      { name: 'v', type: ['null', 'double'], default: null },
    ],
  };
  test('one CREATE TABLE per entry, the options every sink shares, the notice last', () => {
    const sql = renderOutputTables(
      {
        header: ['Outputs.'],
        tables: [{ comment: ['Per key.'], table: 't_1m', schema: 'w', topic: 'agg.t-1m', key: 'k' }],
      },
      () => window,
    );
    expect(sql.split('\n').slice(0, 17)).toEqual([
      '-- Outputs.',
      '',
      '-- Per key.',
      'CREATE TABLE t_1m (',
      '  `k` STRING NOT NULL,',
      '  `v` DOUBLE',
      ') WITH (',
      "  'connector' = 'kafka',",
      "  'topic' = 'agg.t-1m',",
      "  'key.format' = 'raw',",
      "  'key.fields' = 'k',",
      "  'value.fields-include' = 'ALL',",
      "  'sink.transactional-id-prefix' = 'sluice-agg-t-1m',",
      '  ${EXACTLY_ONCE},',
      '  ${KAFKA},',
      '  ${REGISTRY}',
      ');',
    ]);
    expect(sql.trimEnd().split('\n').pop()).toMatch(/^-- .*version\.$/);
  });

  test('a key that is not a field, or a table listed twice, is refused', () => {
    const table = { table: 't', schema: 'w', topic: 'x', key: 'nope' };
    expect(() => renderOutputTables({ header: [], tables: [table] }, () => window)).toThrow(
      /its key nope is not a field/,
    );
    const ok = { ...table, key: 'k' };
    expect(() => renderOutputTables({ header: [], tables: [ok, ok] }, () => window)).toThrow(/listed twice/);
    expect(() => renderOutputTables({ header: [], tables: [ok] }, () => window)).not.toThrow();
  });
});

describe('schemas/outputs', () => {
  test.each(schemaFiles)('%s is an Avro record in dev.sluice.outputs, named after the file, with a doc', (file) => {
    const schema = JSON.parse(readFileSync(join(repoRoot(), OUTPUT_SCHEMA_DIR, file), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(avro.Type.forSchema(schema as avro.Schema).typeName).toBe('record');
    expect(schema.namespace).toBe('dev.sluice.outputs');
    expect(
      String(schema.name)
        .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
        .toLowerCase(),
    ).toBe(file.replace(/\.avsc$/, ''));
    expect(typeof schema.doc).toBe('string');
  });

  test('every schema is used by a table, every table has its schema', () => {
    const used = new Set(list.tables.map((t) => `${t.schema}.avsc`));
    expect([...used].sort()).toEqual([...schemaFiles].sort());
  });
});
