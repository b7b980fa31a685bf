/**
 * The Avro schemas of Sluice's records, one record type per `schemas/<name>.avsc`. Whatever needs a
 * schema (producers, tests, later the anomaly service) reads the files through here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/repo';

export const SCHEMA_NAMES = [
  'web-access-log',
  'iot-reading',
  'financial-transaction',
  'anomaly-label',
  'device',
  'account',
  'ip-range',
  'ip-block',
  // Records of the public API ingestors (producers/apis/).
  'air-quality-measurement',
  'traffic-flow',
  'traffic-incident',
  'weather-observation',
  'market-quote',
  'market-bar',
  'social-post',
  // Alerts of the anomaly service (anomaly/service/).
  'alert',
] as const;

export type SchemaName = (typeof SCHEMA_NAMES)[number];

/** The Avro schema JSON of an `.avsc` file, as parsed JSON (give it to avsc's `Type.forSchema`). */
export type AvroSchemaJson = Record<string, unknown>;

export function schemaDir(): string {
  return join(repoRoot(), 'schemas');
}

export function schemaFile(name: SchemaName): string {
  return join(schemaDir(), `${name}.avsc`);
}

const cache = new Map<SchemaName, AvroSchemaJson>();

/** The parsed schema; the same object on every call, so do not modify it. */
export function readSchema(name: SchemaName): AvroSchemaJson {
  let schema = cache.get(name);
  if (!schema) {
    schema = JSON.parse(readFileSync(schemaFile(name), 'utf8')) as AvroSchemaJson;
    cache.set(name, schema);
  }
  return schema;
}
