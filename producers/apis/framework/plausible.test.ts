/**
 * Records that match their schema but cannot be true go to the dead letters with the field and the reason:
 * times far ahead or behind (milliseconds where the API documents seconds) and values outside their
 * documented range. Each case is a recorded payload changed in one field, beside the payload as recorded
 * (the positive control: it still becomes a record).
 */
import { readSchema, type SchemaName } from '../../../schemas';
import { fixtureJson, serve } from '../testing/fixture-server';
import { replaced } from '../testing/payloads';
import { rig } from '../testing/setup';
import { FIELD_RANGES, implausible } from './plausible';

describe('the ranges checked are the ones the schemas document', () => {
  test.each(Object.entries(FIELD_RANGES))('%s', (schema, ranges) => {
    const fields = (readSchema(schema as SchemaName) as { fields: Array<{ name: string; doc?: string }> }).fields;
    for (const [name, range] of Object.entries(ranges ?? {})) {
      const field = fields.find((f) => f.name === name);
      expect({ name, doc: field?.doc?.includes(range.doc) }).toEqual({ name, doc: true });
    }
  });
});

describe('implausible()', () => {
  const now = Date.UTC(2026, 9, 5, 9);
  test('a time in milliseconds read as seconds, one in seconds read as milliseconds, and the bounds', () => {
    const ahead = implausible('yahoo', 'market-quote', 't', { ts: 1739998800000 * 1000 }, now, now);
    expect(ahead).toMatchObject({ reason: 'implausible-time', field: 'ts' });
    expect(ahead?.message).toMatch(
      /^yahoo: ts=1739998800000000 \(\+057108-05-15T00:00:00\.000Z\) is 55,0\d\d years after the fetch, not a plausible time: the API sent milliseconds where it documents seconds$/,
    );
    const behind = implausible('weatherapi', 'weather-observation', 't', { ts: 1728857700 }, now, now);
    expect(behind?.message).toMatch(
      /^weatherapi: ts=1728857700 \(1970-01-21T00:14:17\.700Z\) is 57 years before the fetch, not a plausible time: the API sent seconds where milliseconds were expected$/,
    );
    // A day of slack ahead for readings; years for an incident's planned end; price history before 2000.
    expect(implausible('x', 'social-post', 't', { ts: now + 3_600_000 }, now, now)).toBeUndefined();
    expect(implausible('x', 'social-post', 't', { ts: now + 2 * 86_400_000 }, now, now)?.field).toBe('ts');
    expect(
      implausible('tomtom', 'traffic-incident', 't', { ts: now, end_ts: now + 300 * 86_400_000 }, now, now),
    ).toBeUndefined();
    expect(
      implausible('yahoo', 'market-bar', 't', { ts: Date.UTC(1962, 0, 2) }, Date.UTC(1962, 0, 2), now),
    ).toBeUndefined();
    // ingest_ts is the ingestor's own clock, not checked; the Kafka record timestamp is.
    expect(implausible('x', 'social-post', 't', { ts: now, ingest_ts: 5 }, now, now)).toBeUndefined();
    expect(implausible('x', 'social-post', 't', { ts: now }, 5, now)?.field).toBe('(record timestamp)');
  });

  test('a value outside its documented range names the field, the range and the schema', () => {
    expect(implausible('tomtom', 'traffic-flow', 't', { ts: now, confidence: 7 }, now, now)).toEqual({
      reason: 'out-of-range',
      field: 'confidence',
      message: 'tomtom: confidence=7 is outside 0 to 1, the range schemas/traffic-flow.avsc documents',
      payload: { ts: now, confidence: 7 },
      topic: 't',
    });
    expect(implausible('weatherapi', 'weather-observation', 't', { ts: now, uv_index: -1 }, now, now)?.message).toBe(
      'weatherapi: uv_index=-1 is outside at least 0, the range schemas/weather-observation.avsc documents',
    );
    for (const ok of [{ confidence: 0 }, { confidence: 1 }, { confidence: null }, { lat: -90, lon: 180 }])
      expect(implausible('tomtom', 'traffic-flow', 't', { ts: now, ...ok }, now, now)).toBeUndefined();
  });
});

describe('in a poll, against the recorded payloads', () => {
  test('TomTom: a confidence of 7 goes to the dead letters; the recorded answer (confidence 1) is produced', async () => {
    const recorded = fixtureJson('tomtom-flowSegmentData-absolute10.json');
    const wrong = replaced(recorded, ['flowSegmentData', 'confidence'], 7);
    await serve(
      [
        {
          path: '/traffic/services/4/flowSegmentData/absolute/10/json',
          reply: (r) => ({ body: r.query.get('point')?.startsWith('52') ? wrong : recorded }),
        },
      ],
      async (server) => {
        const { runner, sink, deadLetters } = rig(
          'tomtom',
          {
            points: [
              { name: 'nijmegen-centre', lat: 51.8427, lon: 5.866 },
              { name: 'amsterdam-centre', lat: 52.37, lon: 4.89 },
            ],
          },
          server,
        );
        const report = await runner.poll();
        expect(sink.records.map((r) => [r.value.segment_id, r.value.confidence])).toEqual([['nijmegen-centre', 1]]);
        expect(report.deadLetters).toBe(1);
        expect(deadLetters.letters.map((l) => [l.target, l.reason, l.field, l.topic, l.message])).toEqual([
          [
            'flow/amsterdam-centre',
            'out-of-range',
            'confidence',
            'api.traffic-flow',
            'tomtom: confidence=7 is outside 0 to 1, the range schemas/traffic-flow.avsc documents',
          ],
        ]);
        expect(runner.stats.snapshot().errorsByKind).toEqual({});
      },
    );
  });

  test('Yahoo: bar times in milliseconds where the API documents seconds go to the dead letters; seconds are produced', async () => {
    const recorded = fixtureJson('yahoo-v8-finance-chart-GOOG.json');
    const inMs = replaced(recorded, ['chart', 'result', 0, 'timestamp'], [1577975400 * 1000]);
    await serve(
      [
        { path: '/v8/finance/chart/GOOG', reply: { body: recorded } },
        {
          path: '/v8/finance/chart/GOOGL',
          reply: { body: replaced(inMs, ['chart', 'result', 0, 'meta', 'symbol'], 'GOOGL') },
        },
      ],
      async (server) => {
        const { runner, sink, deadLetters } = rig(
          'yahoo',
          { symbols: ['GOOG', 'GOOGL'], interval: '1d', range: '5d' },
          server,
          {
            env: {},
          },
        );
        await runner.poll();
        const bars = sink.records.filter((r) => r.topic === 'api.market-bars');
        expect(bars.map((r) => [r.key, new Date(r.timestamp).toISOString()])).toEqual([
          ['yahoo:GOOG:1d', '2020-01-02T14:30:00.000Z'],
        ]);
        expect(deadLetters.letters.map((l) => [l.target, l.reason, l.field])).toEqual([
          ['chart/GOOGL', 'implausible-time', 'ts'],
        ]);
        expect(deadLetters.letters[0]!.message).toMatch(
          /^yahoo: ts=1577975400000000 \(.*\) is 4\d,\d\d\d years after the fetch, not a plausible time: the API sent milliseconds where it documents seconds$/,
        );
      },
    );
  });

  test('WeatherAPI: last_updated_epoch far in the past goes to the dead letters, the recorded one is produced', async () => {
    const recorded = fixtureJson('weatherapi-current-london.json');
    await serve(
      [
        {
          path: '/v1/current.json',
          reply: (r) => ({
            body: r.query.get('q') === 'Paris' ? replaced(recorded, ['current', 'last_updated_epoch'], 1728) : recorded,
          }),
        },
      ],
      async (server) => {
        const { runner, sink, deadLetters } = rig('weatherapi', { cities: ['London', 'Paris'] }, server);
        await runner.poll();
        expect(sink.records.map((r) => r.value.location_key)).toEqual(['London']);
        expect(deadLetters.letters.map((l) => [l.target, l.reason, l.field])).toEqual([
          ['city/Paris', 'implausible-time', 'ts'],
        ]);
      },
    );
  });
});
