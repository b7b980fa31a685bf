/**
 * Assembles lib/spec/pipeline.schema.json from its parts, one JSON Schema fragment per domain in
 * lib/spec/schema/: the document's top level, Kafka, SQL, connectors, the ingestors' section and one file
 * per API, the anomaly service, the databases. A part adds keys under `properties` and `definitions` (a
 * part of the ingestors adds `properties.ingestors.properties.<api>`); objects are merged key by key in
 * the order of SCHEMA_PARTS, and a part that sets a key another part has already set differently is an
 * error naming both. A part's own top-level `$comment` says what it holds and is not copied.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts in the order their keys appear in the assembled schema (and in the reference's tables). */
export const SCHEMA_PARTS = [
  'pipeline',
  'kafka',
  'sql',
  'connectors',
  'ingestors',
  'ingestors/openaq',
  'ingestors/tomtom',
  'ingestors/weatherapi',
  'ingestors/open-meteo',
  'ingestors/alphavantage',
  'ingestors/yahoo',
  'ingestors/google-maps',
  'ingestors/x',
  'ingestors/facebook',
  'anomaly',
  'storage',
] as const;

export const SCHEMA_PART_DIR = join(__dirname, '..', 'schema');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The part that put `at` (or the object holding it) into the schema. */
function ownerOf(owners: Map<string, string>, at: string): string {
  for (let path = at; path.includes('/'); path = path.slice(0, path.lastIndexOf('/'))) {
    const owner = owners.get(path);
    if (owner) return owner;
  }
  return 'another part';
}

function merge(into: JsonObject, from: JsonObject, path: string, part: string, owners: Map<string, string>): void {
  for (const [key, value] of Object.entries(from)) {
    const at = `${path}/${key}`;
    const existing = into[key];
    if (existing === undefined) {
      into[key] = structuredClone(value);
      owners.set(at, part);
    } else if (isObject(existing) && isObject(value)) {
      merge(existing, value, at, part, owners);
    } else if (JSON.stringify(existing) !== JSON.stringify(value)) {
      throw new Error(`schema part ${part} sets ${at}, which ${ownerOf(owners, at)} already set otherwise`);
    }
  }
}

/** The assembled schema; `read` gives a part's parsed JSON (lib/spec/schema/<part>.json by default). */
export function assembleSchema(read: (part: string) => unknown = readSchemaPart): JsonObject {
  const schema: JsonObject = {};
  const owners = new Map<string, string>();
  for (const part of SCHEMA_PARTS) {
    const fragment = read(part);
    if (!isObject(fragment)) throw new Error(`schema part ${part} is not a JSON object`);
    const { $comment: _comment, ...keys } = fragment;
    merge(schema, keys, '#', part, owners);
  }
  return schema;
}

export function readSchemaPart(part: string): unknown {
  return JSON.parse(readFileSync(join(SCHEMA_PART_DIR, `${part}.json`), 'utf8'));
}

/** The file as committed: two-space JSON and a final newline. */
export function schemaJson(schema: JsonObject): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
