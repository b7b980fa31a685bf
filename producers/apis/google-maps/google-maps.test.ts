/** Google Maps Distance Matrix, replayed from Google's documented sample on a local server. */
import { fixtureJson, serve } from '../testing/fixture-server';
import { replaced, withExtraFields } from '../testing/payloads';
import { TEST_KEYS, rig } from '../testing/setup';

const spec = {
  routes: [{ name: 'boston', origins: ['Boston,MA', 'Charlestown,MA'], destinations: ['Lexington,MA', 'Concord,MA'] }],
};
const PATH = '/maps/api/distancematrix/json';

describe('google-maps', () => {
  it('turns each origin-destination pair into a traffic record: duration in traffic, typical duration, distance', async () => {
    await serve(
      [{ path: PATH, reply: { body: fixtureJson('googlemaps-distancematrix-departure_time-now.json') } }],
      async (server) => {
        const { runner, sink } = rig('google-maps', spec, server);
        const report = await runner.poll();
        expect(report.records).toBe(4);
        const now = report.startedAt;
        expect(sink.records[0]).toEqual({
          topic: 'api.traffic-flow',
          key: 'google-maps:boston:Boston,MA -> Lexington,MA',
          timestamp: now,
          value: {
            source: 'google-maps',
            ts: now,
            ingest_ts: now,
            segment_id: 'boston:Boston,MA -> Lexington,MA',
            origin: 'Boston,MA',
            destination: 'Lexington,MA',
            lat: null,
            lon: null,
            current_speed_kmh: 59.29,
            free_flow_speed_kmh: null,
            current_travel_time_s: 2019,
            free_flow_travel_time_s: 1620,
            distance_m: 33253,
            confidence: null,
            road_closure: null,
            road_class: null,
          },
        });
        expect(
          sink.records.map((r) => [r.value.segment_id, r.value.current_travel_time_s, r.value.current_speed_kmh]),
        ).toEqual([
          ['boston:Boston,MA -> Lexington,MA', 2019, 59.29],
          ['boston:Boston,MA -> Concord,MA', 2342, 63.78],
          ['boston:Charlestown,MA -> Lexington,MA', 1754, 63.83],
          ['boston:Charlestown,MA -> Concord,MA', 2077, 68.18],
        ]);
        const query = server.requests[0]!.query;
        expect([
          query.get('origins'),
          query.get('destinations'),
          query.get('departure_time'),
          query.get('key'),
        ]).toEqual([
          'Boston,MA|Charlestown,MA',
          'Lexington,MA|Concord,MA',
          'now',
          TEST_KEYS.SLUICE_GOOGLE_MAPS_API_KEY,
        ]);
      },
    );
  });

  it('counts an element whose own status is not OK as an error of that pair, without a record or a retry; the other pairs are produced', async () => {
    let answer = withExtraFields(fixtureJson('googlemaps-distancematrix-departure_time-now.json'));
    answer = replaced(answer, ['rows', 1, 'elements', 0], { status: 'NOT_FOUND' });
    answer = replaced(answer, ['rows', 1, 'elements', 1], { status: 'ZERO_RESULTS' });
    await serve([{ path: PATH, reply: { body: answer } }], async (server) => {
      const { runner, sink, deadLetters } = rig('google-maps', spec, server);
      const report = await runner.poll();
      expect([report.records, report.errors, server.requests.length, deadLetters.letters.length]).toEqual([2, 2, 1, 0]);
      expect(sink.records.map((r) => r.value.origin)).toEqual(['Boston,MA', 'Boston,MA']);
      expect(runner.stats.snapshot().recentErrors.map((e) => [e.kind, e.message, e.target, e.backoffMs])).toEqual([
        [
          'not-found',
          'google-maps route boston: Charlestown,MA -> Lexington,MA: element status NOT_FOUND',
          'route/boston',
          0,
        ],
        [
          'not-found',
          'google-maps route boston: Charlestown,MA -> Concord,MA: element status ZERO_RESULTS',
          'route/boston',
          0,
        ],
      ]);
    });
  });
});
