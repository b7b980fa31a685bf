import { normaliseSchemaText, sameSchema } from './schema-text';

test('key order and whitespace do not make two schemas different; field order does', () => {
  const a = '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}';
  const b =
    '{\n  "name": "R",\n  "fields": [{"type": "int", "name": "a"}, {"type": "string", "name": "b"}],\n  "type": "record"\n}';
  const swapped = '{"type":"record","name":"R","fields":[{"name":"b","type":"string"},{"name":"a","type":"int"}]}';
  expect(sameSchema(a, b)).toBe(true);
  expect(sameSchema(a, swapped)).toBe(false);
  expect(normaliseSchemaText(b)).toBe(
    '{"fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}],"name":"R","type":"record"}',
  );
});
