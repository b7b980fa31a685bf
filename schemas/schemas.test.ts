/**
 * The conventions of schemas/*.avsc: one record per file named after it, namespace dev.sluice, a doc on
 * the record and every field, snake_case names (they become Flink SQL columns), and nullable fields that
 * can evolve (null first, default null).
 */
import avro from 'avsc';
import { readdirSync } from 'node:fs';
import { SCHEMA_NAMES, readSchema, schemaDir, type SchemaName } from './index';

interface Field {
  name: string;
  type: unknown;
  doc?: string;
  default?: unknown;
}

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

test('SCHEMA_NAMES lists exactly the .avsc files', () => {
  const files = readdirSync(schemaDir())
    .filter((f) => f.endsWith('.avsc'))
    .map((f) => f.replace(/\.avsc$/, ''));
  expect([...files].sort()).toEqual([...SCHEMA_NAMES].sort());
});

describe.each(SCHEMA_NAMES.map((name) => [name]))('%s.avsc', (name: SchemaName) => {
  const schema = readSchema(name);
  const fields = schema.fields as Field[];

  test('is a valid Avro record schema', () => {
    const type = avro.Type.forSchema(schema as avro.Schema);
    expect(type.typeName).toBe('record');
  });

  test('is one record in namespace dev.sluice, named after the file', () => {
    expect(schema.type).toBe('record');
    expect(schema.namespace).toBe('dev.sluice');
    expect(kebab(schema.name as string)).toBe(name);
  });

  test('documents the record and every field', () => {
    expect(typeof schema.doc).toBe('string');
    expect(fields.filter((f) => typeof f.doc !== 'string' || f.doc.length < 10).map((f) => f.name)).toEqual([]);
  });

  test('uses snake_case field names', () => {
    expect(fields.map((f) => f.name).filter((n) => !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(n))).toEqual([]);
  });

  test('puts null first in every union and gives it a null default, so the field can evolve', () => {
    const unions = fields.filter((f) => Array.isArray(f.type));
    const wrong = unions.filter((f) => (f.type as unknown[])[0] !== 'null' || f.default !== null).map((f) => f.name);
    expect(wrong).toEqual([]);
  });

  test('keeps times as timestamp-millis longs (an optional time as a union with null first)', () => {
    const times = fields.filter((f) => f.name === 'ts' || f.name.endsWith('_ts'));
    const millis = { type: 'long', logicalType: 'timestamp-millis' };
    for (const f of times) expect(f.type).toEqual(Array.isArray(f.type) ? ['null', millis] : millis);
  });

  test('evolves: a reader that adds a nullable field with a null default reads what this schema wrote', () => {
    const writer = avro.Type.forSchema(schema as avro.Schema);
    const added: Field = {
      name: 'added_later',
      type: ['null', 'string'],
      default: null,
      doc: 'A field a later version adds.',
    };
    const reader = avro.Type.forSchema({ ...schema, fields: [...fields, added] } as avro.Schema);
    const sample = writer.random() as unknown as Record<string, unknown>;
    const read = reader.fromBuffer(writer.toBuffer(sample), reader.createResolver(writer)) as Record<string, unknown>;
    expect(read.added_later).toBeNull();
    for (const f of fields) expect(read[f.name]).toEqual(sample[f.name]);
  });
});
