/**
 * One textual form of an Avro schema, so that "is the registry's latest version the schema in the repo?"
 * does not depend on whitespace or on the order of JSON object keys (the order of fields, which Avro
 * cares about, is kept: it lives in an array).
 */

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Compact JSON with object keys sorted; throws SyntaxError when `text` is not JSON. */
export function normaliseSchemaText(text: string): string {
  return JSON.stringify(sortKeys(JSON.parse(text)));
}

export function sameSchema(a: string, b: string): boolean {
  try {
    return normaliseSchemaText(a) === normaliseSchemaText(b);
  } catch {
    return a === b;
  }
}
