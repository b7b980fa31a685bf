/**
 * Reading the watched topics: Avro in the Confluent wire format, each record decoded with the writer
 * schema its id names (fetched from the registry once per id), as Flink registers it under
 * `<topic>-value`. `fieldIssues` checks that a schema has the fields the spec names, with the types
 * they need, so a misspelt metric is reported with its spec path instead of never firing.
 */
import { SluiceError } from '../../lib/errors';
import type { RegistryClient } from '../../lib/registry/client';
import { decodeWireHeader, parseSchema, type AvroType } from '../../lib/avro/wire';
import { closest } from '../../lib/suggest';
import type { WatchedPattern, WatchedSeries } from './config';

export class AvroDecoder {
  private readonly types = new Map<number, Promise<{ type: AvroType; schema: AvroSchemaJson }>>();

  constructor(private readonly registry: RegistryClient) {}

  private typeOf(id: number): Promise<{ type: AvroType; schema: AvroSchemaJson }> {
    let type = this.types.get(id);
    if (!type) {
      type = this.registry
        .schemaById(id)
        .then((text) => ({ type: parseSchema(text), schema: JSON.parse(text) as AvroSchemaJson }));
      // A failed lookup is retried with the next record rather than cached.
      type.catch(() => this.types.delete(id));
      this.types.set(id, type);
    }
    return type;
  }

  /** The record, and whether its schema id is new to this decoder (so its fields get checked once). */
  async decode(
    message: Buffer,
  ): Promise<{ value: Record<string, unknown>; schemaId: number; schema: AvroSchemaJson; first: boolean }> {
    const { schemaId, body } = decodeWireHeader(message);
    const first = !this.types.has(schemaId);
    const { type, schema } = await this.typeOf(schemaId);
    try {
      return { value: type.fromBuffer(body) as Record<string, unknown>, schemaId, schema, first };
    } catch (error) {
      throw new SluiceError(
        'SLUICE_SERIALIZATION_FAILED',
        `a record does not decode with schema ${schemaId}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

export interface AvroSchemaJson {
  type?: unknown;
  name?: string;
  fields?: Array<{ name: string; type: unknown }>;
}

export interface FieldIssue {
  path: string;
  message: string;
  fix: string;
}

const NUMERIC = ['double', 'float', 'int', 'long'];

/** The non-null branch types of a field type, by name. */
function branches(type: unknown): string[] {
  const one = (t: unknown): string[] => {
    if (typeof t === 'string') return t === 'null' ? [] : [t];
    if (t && typeof t === 'object' && 'type' in t) return one((t as { type: unknown }).type);
    return ['complex'];
  };
  return Array.isArray(type) ? type.flatMap(one) : one(type);
}

/** What is wrong between a watched topic's spec and the schema its records are written with. */
export function fieldIssues(watched: WatchedSeries | WatchedPattern, schema: AvroSchemaJson): FieldIssue[] {
  const fields = new Map((schema.fields ?? []).map((f) => [f.name, branches(f.type)]));
  const names = [...fields.keys()];
  const issues: FieldIssue[] = [];
  const check = (name: string, path: string, role: 'key' | 'time' | 'metric'): void => {
    const types = fields.get(name);
    if (!types) {
      const suggestion = closest(name, names);
      issues.push({
        path,
        message: `${watched.topic} has no field '${name}'`,
        fix: suggestion ? `did you mean '${suggestion}'?` : `use one of its fields: ${names.join(', ')}`,
      });
      return;
    }
    if (role === 'metric' && !types.some((t) => NUMERIC.includes(t))) {
      issues.push({
        path,
        message: `${watched.topic} field '${name}' is ${types.join(' or ')}, not a number`,
        fix: `watch a numeric field: ${names.filter((n) => fields.get(n)!.some((t) => NUMERIC.includes(t))).join(', ')}`,
      });
    }
    if (role === 'time' && !types.includes('long')) {
      issues.push({
        path,
        message: `${watched.topic} field '${name}' is ${types.join(' or ')}, not a timestamp (long, timestamp-millis)`,
        fix: 'name a TIMESTAMP(3) column, e.g. window_end',
      });
    }
  };
  watched.key.forEach((k, i) => check(k, `${watched.path}.key[${i}]`, 'key'));
  check(watched.time, `${watched.path}.time`, 'time');
  if (watched.kind === 'series') {
    watched.metrics.forEach((m, i) => check(m.field, `${watched.path}.metrics[${i}].field`, 'metric'));
    if (watched.countField !== undefined) check(watched.countField, `${watched.path}.countField`, 'metric');
  }
  return issues;
}
