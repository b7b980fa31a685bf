/** TomTom Traffic, replayed from the recorded payloads on a local server. */
import { fixtureJson, serve, type Route } from '../testing/fixture-server';
import { replaced, withExtraFields, without } from '../testing/payloads';
import { TEST_KEYS, rig } from '../testing/setup';

const KEY = TEST_KEYS.SLUICE_TOMTOM_API_KEY!;
const spec = {
  points: [{ name: 'nijmegen-centre', lat: 51.8427, lon: 5.866 }],
  incidentAreas: [{ name: 'amsterdam', minLon: 4.83, minLat: 52.33, maxLon: 4.95, maxLat: 52.4 }],
};
const routes = (
  flow: unknown = fixtureJson('tomtom-flowSegmentData-absolute10.json'),
  incidents: unknown = fixtureJson('tomtom-incidentDetails-v5.json'),
): Route[] => [
  { path: '/traffic/services/4/flowSegmentData/absolute/10/json', reply: { body: flow } },
  { path: '/traffic/services/5/incidentDetails', reply: { body: incidents } },
];

describe('tomtom', () => {
  it('turns flow segment data and incident details into traffic records, asking with the key and the configured point and box', async () => {
    await serve(routes(), async (server) => {
      const { runner, sink } = rig('tomtom', spec, server);
      const report = await runner.poll();
      expect([report.records, report.errors, report.deadLetters]).toEqual([4, 0, 0]);
      // Readings of the present are stamped with the poll's start.
      const now = report.startedAt;
      expect(sink.records[0]).toEqual({
        topic: 'api.traffic-flow',
        key: 'tomtom:nijmegen-centre',
        timestamp: now,
        value: {
          source: 'tomtom',
          ts: now,
          ingest_ts: now,
          segment_id: 'nijmegen-centre',
          origin: null,
          destination: null,
          lat: 51.8427,
          lon: 5.866,
          current_speed_kmh: 25,
          free_flow_speed_kmh: 25,
          current_travel_time_s: 59,
          free_flow_travel_time_s: 59,
          distance_m: null,
          confidence: 1,
          road_closure: false,
          road_class: 'FRC1',
        },
      });
      const incidents = sink.records.slice(1);
      expect(incidents.map((r) => [r.value.category, r.value.delay_magnitude, r.value.descriptions])).toEqual([
        ['road_closed', 'indefinite', ['Closed']],
        ['dangerous_conditions', 'unknown', ['Obstruction on the road', 'Roadworks']],
        ['road_works', 'unknown', ['Maintenance vehicles merging into traffic flow']],
      ]);
      expect(incidents[0]).toEqual({
        topic: 'api.traffic-incidents',
        key: 'tomtom:TTI-c6504d35-267a-4b5a-8823-058ab39ab928-TTR36246696184015000',
        timestamp: now,
        value: {
          source: 'tomtom',
          ts: now,
          ingest_ts: now,
          incident_id: 'TTI-c6504d35-267a-4b5a-8823-058ab39ab928-TTR36246696184015000',
          area: 'amsterdam',
          category: 'road_closed',
          icon_category: 8,
          delay_magnitude: 'indefinite',
          start_ts: Date.UTC(2026, 0, 16, 18, 43),
          end_ts: null,
          from_location: 'Marieken van Nimwegenstraat',
          to_location: 'Tijl Uilenspiegelstraat',
          length_m: 139.133,
          delay_s: null,
          descriptions: ['Closed'],
          road_numbers: [],
          probability: 'probable',
          lat: 52.3771235406,
          lon: 4.8508554289,
        },
      });
      expect(incidents[1]!.value.end_ts).toBe(Date.UTC(2026, 8, 25, 17, 29, 29));
      const [flowRequest, incidentRequest] = server.requests;
      expect([flowRequest!.query.get('point'), flowRequest!.query.get('key')]).toEqual(['51.8427,5.866', KEY]);
      expect([incidentRequest!.query.get('bbox'), incidentRequest!.query.get('key')]).toEqual([
        '4.83,52.33,4.95,52.4',
        KEY,
      ]);
    });
  });

  it('does not produce an unchanged segment or incident again, but does when it changes', async () => {
    let speed = 25;
    const flow = () =>
      replaced(fixtureJson('tomtom-flowSegmentData-absolute10.json'), ['flowSegmentData', 'currentSpeed'], speed);
    await serve(
      [{ path: '/traffic/services/4/flowSegmentData/absolute/10/json', reply: () => ({ body: flow() }) }, routes()[1]!],
      async (server) => {
        const { runner, clock } = rig('tomtom', spec, server);
        await runner.poll();
        clock.advance(600_000);
        expect((await runner.poll()).records).toBe(0);
        speed = 12;
        clock.advance(600_000);
        const third = await runner.poll();
        expect([third.records, third.duplicates]).toEqual([1, 3]);
      },
    );
  });

  it('ignores unknown fields and rejects an incident without an id, naming the field', async () => {
    const incidents = without(withExtraFields(fixtureJson('tomtom-incidentDetails-v5.json')), [
      'incidents',
      1,
      'properties',
      'id',
    ]);
    await serve(
      routes(withExtraFields(fixtureJson('tomtom-flowSegmentData-absolute10.json')), incidents),
      async (server) => {
        const { runner, sink, deadLetters } = rig('tomtom', spec, server);
        await runner.poll();
        expect(sink.records).toHaveLength(3);
        expect(deadLetters.letters.map((l) => [l.api, l.target, l.field, l.message])).toEqual([
          [
            'tomtom',
            'incidents/amsterdam',
            'incidents[1].properties.id',
            'tomtom: required field incidents[1].properties.id is missing',
          ],
        ]);
      },
    );
  });
});
