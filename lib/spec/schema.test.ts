import schema from './pipeline.schema.json';

/** Walks every subschema that describes a property, so editors can autocomplete and explain each key. */
function undocumented(node: unknown, path: string, out: string[]): string[] {
  if (typeof node !== 'object' || node === null) return out;
  const record = node as Record<string, unknown>;
  for (const [key, child] of Object.entries((record.properties ?? {}) as Record<string, Record<string, unknown>>)) {
    if (typeof child.description !== 'string' && typeof child.$ref !== 'string') out.push(`${path}.${key}`);
    undocumented(child, `${path}.${key}`, out);
  }
  if (record.items) undocumented(record.items, `${path}[]`, out);
  if (typeof record.additionalProperties === 'object') undocumented(record.additionalProperties, `${path}.*`, out);
  return out;
}

describe('pipeline.schema.json', () => {
  it('describes every property', () => {
    const out: string[] = [];
    undocumented(schema, '', out);
    for (const [name, definition] of Object.entries(schema.definitions)) {
      if (typeof (definition as { description?: string }).description !== 'string') out.push(`definitions.${name}`);
      undocumented(definition, `definitions.${name}`, out);
    }
    expect(out).toEqual([]);
  });

  it('forbids unknown keys everywhere except topic config', () => {
    const open: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (record.type === 'object' && record.additionalProperties !== false) open.push(path);
      for (const [key, child] of Object.entries(record)) visit(child, `${path}/${key}`);
    };
    visit(schema, '#');
    expect(open).toEqual(['#/definitions/topic/properties/config']);
  });
});
