/** OpenAQ v3, replayed from the recorded payloads on a local server. */
import { fixture, fixtureJson, serve, type Route } from '../testing/fixture-server';
import { withExtraFields, without } from '../testing/payloads';
import { TEST_KEYS, rig } from '../testing/setup';

const KEY = TEST_KEYS.SLUICE_OPENAQ_API_KEY!;
const spec = { locations: [2178], sensors: [3917] };
const success = (latest: unknown = fixtureJson('openaq-v3-locations-id-latest.json')): Route[] => [
  { path: '/v3/locations/2178', reply: { body: fixture('openaq-v3-locations-id.json') } },
  { path: '/v3/locations/2178/latest', reply: { body: latest } },
  { path: '/v3/sensors/3917', reply: { body: fixture('openaq-v3-sensors-id.json') } },
];

describe('openaq', () => {
  it('turns the latest values of a location and a sensor into one record per sensor value, with the key in X-API-Key', async () => {
    await serve(success(), async (server) => {
      const { runner, sink, deadLetters, clock } = rig('openaq', spec, server);
      const report = await runner.poll();
      expect([report.records, report.errors, deadLetters.letters.length]).toEqual([9, 0, 0]);
      const byKey = new Map(
        sink.records.filter((r) => r.value.location_id === '2178').map((r) => [r.value.sensor_id, r]),
      );
      expect([...byKey.keys()].sort()).toEqual(['25227', '3916', '3917', '3918', '3919', '3920', '4272103', '4272226']);
      expect(
        Object.fromEntries(
          [...byKey].map(([id, r]) => [
            id,
            `${String(r.value.parameter)} ${String(r.value.value)} ${String(r.value.units)}`,
          ]),
        ),
      ).toEqual({
        '3916': 'no2 0.0023 ppm',
        '3918': 'so2 0.0005 ppm',
        '3920': 'pm25 4.4 µg/m³',
        '3917': 'o3 0.067 ppm',
        '3919': 'pm10 29 µg/m³',
        '25227': 'co 0.2 ppm',
        '4272103': 'nox 0.002 ppm',
        '4272226': 'no 0 ppm',
      });
      const ts = Date.UTC(2024, 8, 25, 22);
      expect(byKey.get('3920')).toEqual({
        topic: 'api.air-quality',
        key: 'openaq:3920',
        timestamp: ts,
        value: {
          source: 'openaq',
          ts,
          ingest_ts: clock.now(),
          sensor_id: '3920',
          location_id: '2178',
          location_name: 'Del Norte',
          locality: 'Albuquerque',
          country: 'US',
          provider: 'AirNow',
          parameter: 'pm25',
          display_name: 'PM2.5',
          units: 'µg/m³',
          value: 4.4,
          lat: 35.1353,
          lon: -106.584702,
        },
      });
      // The sensor's own answer: a different (older) latest value, and no location.
      expect(sink.records.find((r) => r.value.location_id === null)?.value).toMatchObject({
        sensor_id: '3917',
        parameter: 'o3',
        value: 0.055,
        ts: Date.UTC(2024, 8, 18, 23),
        location_name: null,
      });
      expect(server.requests.map((r) => r.headers['x-api-key'])).toEqual([KEY, KEY, KEY]);
    });
  });

  it('produces nothing the second time the same values are polled, and reads the sensor list once a day', async () => {
    await serve(success(), async (server) => {
      const { runner, sink } = rig('openaq', spec, server);
      await runner.poll();
      const second = await runner.poll();
      expect([second.records, second.duplicates, sink.records.length]).toEqual([0, 9, 9]);
      expect(server.to('/v3/locations/2178')).toHaveLength(1);
    });
  });

  it('ignores fields it does not know, and does not rely on meta.found (which can be ">1000")', async () => {
    const latest = withExtraFields(fixtureJson<{ meta: { found: unknown } }>('openaq-v3-locations-id-latest.json'));
    latest.meta.found = '>1000';
    const plain = await serve(success(), async (server) => {
      const { runner, sink } = rig('openaq', spec, server);
      await runner.poll();
      return sink.records;
    });
    await serve(success(latest), async (server) => {
      const { runner, sink, deadLetters } = rig('openaq', spec, server);
      await runner.poll();
      expect(deadLetters.letters).toEqual([]);
      expect(sink.records).toEqual(plain);
    });
  });

  it('sends an item without a required field to the dead letters, naming the API and the field; the other items are produced', async () => {
    const latest = without(fixtureJson('openaq-v3-locations-id-latest.json'), ['results', 3, 'datetime', 'utc']);
    await serve(success(latest), async (server) => {
      const { runner, sink, deadLetters, logs } = rig('openaq', spec, server);
      const report = await runner.poll();
      expect([report.records, report.deadLetters]).toEqual([8, 1]);
      expect(sink.records.some((r) => r.value.sensor_id === '3917' && r.value.location_id === '2178')).toBe(false);
      expect(deadLetters.letters).toEqual([
        {
          api: 'openaq',
          target: 'location/2178',
          reason: 'missing-field',
          field: 'results[3].datetime.utc',
          topic: 'api.air-quality',
          message: 'openaq: required field results[3].datetime.utc is missing',
          payload: expect.stringContaining('"sensorsId":3917'),
          ts: expect.any(Number),
        },
      ]);
      expect(logs.join('\n')).toMatch(
        /openaq: required field results\[3\]\.datetime\.utc is missing; sent to dlq\.ingest/,
      );
    });
  });

  it('reads the sensor list again when a sensor it does not know appears, once', async () => {
    const latest = fixtureJson<{ results: Array<{ sensorsId: number }> }>('openaq-v3-locations-id-latest.json');
    latest.results[0]!.sensorsId = 999;
    await serve(success(latest), async (server) => {
      const { runner, deadLetters, clock } = rig('openaq', { locations: [2178] }, server);
      await runner.poll();
      clock.advance(60_000);
      await runner.poll();
      expect(server.to('/v3/locations/2178')).toHaveLength(2);
      expect(deadLetters.letters.map((l) => [l.field, l.reason])).toEqual([
        ['results[0].sensorsId', 'invalid-field'],
        ['results[0].sensorsId', 'invalid-field'],
      ]);
    });
  });
});

it('says what to do about the retired v1 and v2 APIs (410 Gone): use v3', async () => {
  await serve([{ path: /.*/, reply: { status: 410, body: 'Gone' } }], async (server) => {
    const { runner } = rig('openaq', spec, server);
    const report = await runner.poll();
    expect(report.abortedBy).toMatch(
      /HTTP 410 \(gone\) Gone: OpenAQ v1 and v2 were retired in January 2025; use v3 \(baseUrl https:\/\/api\.openaq\.org, paths \/v3\/\.\.\.\)/,
    );
  });
});
