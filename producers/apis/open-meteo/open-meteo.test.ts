/** Open-Meteo, replayed from the recorded payload on a local server; no key. */
import { fixtureJson, serve } from '../testing/fixture-server';
import { replaced, withExtraFields } from '../testing/payloads';
import { rig } from '../testing/setup';

const spec = { points: [{ name: 'secaucus', lat: 40.81, lon: -74.07 }] };

describe('open-meteo', () => {
  it('turns current conditions into a weather observation, local time converted to UTC, without any key', async () => {
    await serve(
      [{ path: '/v1/forecast', reply: { body: fixtureJson('open-meteo-forecast-current.json') } }],
      async (server) => {
        const { runner, sink, clock } = rig('open-meteo', spec, server, { env: {} });
        expect((await runner.poll()).records).toBe(1);
        // 09:00 at UTC-4 (utc_offset_seconds -14400).
        const ts = Date.UTC(2026, 8, 1, 13, 0);
        expect(sink.records).toEqual([
          {
            topic: 'api.weather',
            key: 'open-meteo:secaucus',
            timestamp: ts,
            value: {
              source: 'open-meteo',
              ts,
              ingest_ts: clock.now(),
              location_key: 'secaucus',
              location_name: null,
              region: null,
              country: null,
              lat: 40.80899,
              lon: -74.06947,
              temperature_c: 23.9,
              feels_like_c: 28.1,
              humidity_pct: 89,
              pressure_hpa: null,
              wind_speed_kmh: 5.5,
              wind_direction_deg: null,
              precipitation_mm: null,
              cloud_cover_pct: null,
              uv_index: null,
              visibility_km: null,
              is_day: true,
              condition: 'Overcast',
              condition_code: 3,
            },
          },
        ]);
        const query = server.requests[0]!.query;
        expect([
          query.get('latitude'),
          query.get('longitude'),
          query.get('current')?.split(',').includes('temperature_2m'),
        ]).toEqual(['40.81', '-74.07', true]);
      },
    );
  });

  it('ignores unknown fields, and refuses units it did not ask for instead of storing them as Celsius', async () => {
    const payload = withExtraFields(fixtureJson('open-meteo-forecast-current.json'));
    await serve(
      [
        {
          path: '/v1/forecast',
          reply: (_r, n) => ({
            body: n === 0 ? payload : replaced(payload, ['current_units', 'temperature_2m'], '°F'),
          }),
        },
      ],
      async (server) => {
        const { runner, sink, deadLetters } = rig('open-meteo', spec, server, { env: {} });
        await runner.poll();
        expect(sink.records).toHaveLength(1);
        await runner.poll();
        expect(deadLetters.letters.map((l) => [l.field, l.message])).toEqual([
          ['current_units.temperature_2m', 'open-meteo: field current_units.temperature_2m must be °C, got "°F"'],
        ]);
      },
    );
  });
});
