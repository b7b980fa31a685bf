import { decodeWireHeader, encodeWire, parseSchema } from './wire';

const type = parseSchema({
  type: 'record',
  name: 'Reading',
  namespace: 'dev.sluice',
  fields: [
    { name: 'device_id', type: 'string' },
    { name: 'temperature_c', type: ['null', 'double'], default: null },
  ],
});

test('the Confluent wire format: magic 0, schema id big-endian, then the Avro body', () => {
  const bytes = encodeWire(258, type, { device_id: 'd1', temperature_c: 21.5 });
  expect([...bytes.subarray(0, 5)]).toEqual([0, 0, 0, 1, 2]);
  const { schemaId, body } = decodeWireHeader(bytes);
  expect(schemaId).toBe(258);
  expect(type.fromBuffer(body)).toEqual({ device_id: 'd1', temperature_c: 21.5 });
});

test('a record that does not match is refused with the field at fault and its value', () => {
  expect(() => encodeWire(1, type, { device_id: 'd1', temperature_c: 'hot' }, 'iot.readings key=d1')).toThrow(
    /iot.readings key=d1 does not match Avro schema dev.sluice.Reading: temperature_c="hot"/,
  );
  try {
    encodeWire(1, type, { temperature_c: 1 });
  } catch (error) {
    expect(error).toMatchObject({ code: 'SLUICE_SERIALIZATION_FAILED', path: 'device_id' });
  }
});

test('bytes that are not in the wire format are refused', () => {
  expect(() => decodeWireHeader(Buffer.from('{"json":true}'))).toThrow(/not a Confluent wire-format message/);
});
