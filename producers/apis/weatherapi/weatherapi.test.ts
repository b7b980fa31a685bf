/** WeatherAPI.com, replayed from the recorded payloads on a local server. */
import { fixtureJson, serve } from '../testing/fixture-server';
import { withExtraFields, without } from '../testing/payloads';
import { TEST_KEYS, rig } from '../testing/setup';

describe('weatherapi', () => {
  it('turns current.json into a weather observation, asking with the key and the configured city', async () => {
    await serve(
      [{ path: '/v1/current.json', reply: { body: fixtureJson('weatherapi-current-london.json') } }],
      async (server) => {
        const { runner, sink, clock } = rig('weatherapi', { cities: ['London'] }, server);
        expect((await runner.poll()).records).toBe(1);
        const ts = 1728857700 * 1000;
        expect(sink.records).toEqual([
          {
            topic: 'api.weather',
            key: 'weatherapi:London',
            timestamp: ts,
            value: {
              source: 'weatherapi',
              ts,
              ingest_ts: clock.now(),
              location_key: 'London',
              location_name: 'London',
              region: 'City of London, Greater London',
              country: 'United Kingdom',
              lat: 51.5171,
              lon: -0.1062,
              temperature_c: 8.4,
              feels_like_c: 7.7,
              humidity_pct: 76,
              pressure_hpa: 1018,
              wind_speed_kmh: 5.8,
              wind_direction_deg: 86,
              precipitation_mm: 0.03,
              cloud_cover_pct: 0,
              uv_index: 0,
              visibility_km: 10,
              is_day: false,
              condition: 'Clear',
              condition_code: 1000,
            },
          },
        ]);
        expect([server.requests[0]!.query.get('q'), server.requests[0]!.query.get('key')]).toEqual([
          'London',
          TEST_KEYS.SLUICE_WEATHERAPI_KEY,
        ]);
      },
    );
  });

  it('ignores the fields WeatherAPI adds to current over time, and rejects an answer without last_updated_epoch', async () => {
    const extra = withExtraFields(fixtureJson('weatherapi-current-london.json'));
    await serve(
      [
        {
          path: '/v1/current.json',
          reply: (_r, n) => ({ body: n === 0 ? extra : without(extra, ['current', 'last_updated_epoch']) }),
        },
      ],
      async (server) => {
        const { runner, sink, deadLetters } = rig('weatherapi', { cities: ['London'] }, server);
        await runner.poll();
        expect(sink.records).toHaveLength(1);
        await runner.poll();
        expect(sink.records).toHaveLength(1);
        expect(deadLetters.letters.map((l) => [l.field, l.reason, l.target])).toEqual([
          ['current.last_updated_epoch', 'missing-field', 'city/London'],
        ]);
      },
    );
  });
});
