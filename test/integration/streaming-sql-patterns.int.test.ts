/**
 * The enrichment join and the threshold pattern of sql/, on hand-made readings and a hand-made device
 * registry: every reading of a registered device carries its registry entry, a reading of an unknown
 * device is flagged, not lost; three consecutive readings above the device's own maximum fire the
 * pattern once, and two (a near miss) do not.
 */
import { SqlTestbed } from './sql-testbed';

const bed = new SqlTestbed();
const { topics } = bed;
const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;

beforeAll(() => bed.setUp());
afterAll(() => bed.tearDown());

test('readings are enriched from the device registry, unknown devices flagged; the over-threshold pattern fires on three in a row, not on two', async () => {
  const producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  // The registry entry of d1 (maximum 30 °C) is valid from a minute before the first reading.
  await producer.send({ topic: topics.devices, acks: -1, messages: [bed.device('d1', 30, t0 - 60_000)] });

  const deployed = await bed.sluice(
    'deploy-pipeline',
    '--spec',
    bed.writeSpec({
      enriched: bed.copySql('130-iot-enriched.sql'),
      'over-threshold': bed.copySql('140-iot-over-threshold.sql'),
    }),
  );
  expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(deployed.code).toBe(0);

  const readings: Array<[string, number, number]> = [
    ['d1', 10, 31],
    ['d1', 20, 32],
    ['d1', 30, 33], // three above 30: a match
    ['d1', 40, 29], // at or below: breaks the run
    ['d1', 50, 35],
    ['d1', 60, 36], // only two above: a near miss
    ['d1', 70, 20],
    ['d9', 75, 25], // a device the registry does not know
  ];
  await producer.send({
    topic: topics.readings,
    acks: -1,
    messages: readings.map(([device, s, temperature]) => bed.reading(t0, device, s, temperature)),
  });
  await new Promise((r) => setTimeout(r, 3000));
  // Moves event time on, so that the watermark passes every reading above.
  await producer.send({ topic: topics.readings, acks: -1, messages: [bed.reading(t0, 'd1', 200, 20)] });
  await producer.disconnect();

  const enriched = await bed.readCommitted(topics.enriched, readings.length);
  const byTime = new Map(enriched.map((e) => [((e.ts as number) - t0) / 1000, e]));
  expect([...byTime.keys()].sort((a, b) => a - b)).toEqual(readings.map(([, s]) => s));
  for (const [device, s] of readings) {
    expect(byTime.get(s)).toMatchObject(
      device === 'd1'
        ? { device_id: 'd1', device_known: true, site_name: 'Cold store 1', model: 'TH-200', temperature_max_c: 30 }
        : { device_id: 'd9', device_known: false, site_name: null, temperature_max_c: null },
    );
  }

  const matches = await bed.readCommitted(topics.overThreshold, 1);
  expect(
    matches.map((m) => ({
      device: m.device_id,
      first: ((m.first_ts as number) - t0) / 1000,
      last: ((m.last_ts as number) - t0) / 1000,
      readings: m.readings,
      max: m.max_temperature_c,
      threshold: m.threshold_c,
    })),
  ).toEqual([{ device: 'd1', first: 10, last: 30, readings: 3, max: 33, threshold: 30 }]);
});
