/**
 * Avro in the Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the
 * Avro binary body (avsc). A record that does not match its schema is refused with the field at fault.
 */
import avro from 'avsc';
import { SluiceError } from '../errors';

const MAGIC = 0;

export type AvroType = avro.Type;

export function parseSchema(schema: string | object): AvroType {
  return avro.Type.forSchema(typeof schema === 'string' ? JSON.parse(schema) : (schema as avro.Schema));
}

/** Paths of the fields whose values do not match the schema, with those values. */
export function invalidFields(type: AvroType, value: unknown): Array<{ path: string; value: unknown }> {
  const problems: Array<{ path: string; value: unknown }> = [];
  type.isValid(value, {
    errorHook: (path: string[], fieldValue: unknown) =>
      problems.push({ path: path.join('.') || '(record)', value: fieldValue }),
  });
  return problems;
}

export function encodeWire(schemaId: number, type: AvroType, value: unknown, what = 'record'): Buffer {
  const problems = invalidFields(type, value);
  if (problems.length) {
    const listed = problems.map((p) => `${p.path}=${JSON.stringify(p.value) ?? 'undefined'}`).join(', ');
    throw new SluiceError(
      'SLUICE_SERIALIZATION_FAILED',
      `${what} does not match Avro schema ${type.name ?? ''}: ${listed}`.replace('  ', ' '),
      {
        path: problems[0]!.path,
        fix: `give ${problems.map((p) => p.path).join(', ')} a value of the type the schema declares`,
        details: { fields: problems.map((p) => p.path) },
      },
    );
  }
  const header = Buffer.alloc(5);
  header.writeUInt8(MAGIC, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, type.toBuffer(value)]);
}

export function decodeWireHeader(message: Buffer): { schemaId: number; body: Buffer } {
  if (message.length < 5 || message.readUInt8(0) !== MAGIC) {
    throw new SluiceError(
      'SLUICE_SERIALIZATION_FAILED',
      'not a Confluent wire-format message (magic byte 0 and a 4-byte schema id expected)',
    );
  }
  return { schemaId: message.readInt32BE(1), body: message.subarray(5) };
}
