/** Alpha Vantage, replayed from the recorded payloads on a local server. */
import { fixtureJson, serve, type Route } from '../testing/fixture-server';
import { withExtraFields, without } from '../testing/payloads';
import { TEST_KEYS, rig } from '../testing/setup';

const byFunction = (bodies: Record<string, unknown>): Route[] => [
  {
    path: '/query',
    reply: (r) => ({ body: bodies[r.query.get('function') ?? ''] ?? { 'Error Message': 'Invalid API call.' } }),
  },
];
const all = {
  GLOBAL_QUOTE: fixtureJson('alphavantage-GLOBAL_QUOTE.json'),
  TIME_SERIES_INTRADAY: fixtureJson('alphavantage-TIME_SERIES_INTRADAY-5min.json'),
  TIME_SERIES_DAILY: fixtureJson('alphavantage-TIME_SERIES_DAILY.json'),
};

describe('alphavantage', () => {
  it('turns GLOBAL_QUOTE into a quote and the time series into bars, US/Eastern times in UTC', async () => {
    await serve(byFunction(all), async (server) => {
      const { runner, sink } = rig(
        'alphavantage',
        { symbols: ['IBM'], functions: ['GLOBAL_QUOTE', 'TIME_SERIES_INTRADAY', 'TIME_SERIES_DAILY'] },
        server,
      );
      const report = await runner.poll();
      expect([report.records, report.errors, report.deadLetters]).toEqual([5, 0, 0]);
      const now = report.startedAt;
      expect(sink.records[0]).toEqual({
        topic: 'api.market-quotes',
        key: 'alphavantage:MSFT',
        timestamp: now,
        value: {
          source: 'alphavantage',
          ts: now,
          ingest_ts: now,
          symbol: 'MSFT',
          price: 112.13,
          open: 112.63,
          high: 113.17,
          low: 110.64,
          previous_close: 112.79,
          change: -0.66,
          change_pct: -0.5852,
          volume: 29062853,
          trading_day: '2018-10-05',
          currency: null,
          exchange: null,
        },
      });
      const bars = sink.records.slice(1);
      expect(bars.map((b) => [b.key, new Date(b.timestamp).toISOString(), b.value.close])).toEqual([
        ['alphavantage:IBM:5m', '2026-04-02T23:55:00.000Z', 248.3],
        ['alphavantage:IBM:5m', '2026-04-02T23:45:00.000Z', 248.23],
        ['alphavantage:IBM:1d', '2024-05-06T04:00:00.000Z', 168.61],
        ['alphavantage:IBM:1d', '2024-05-03T04:00:00.000Z', 165.71],
      ]);
      expect(bars[0]!.value).toEqual({
        source: 'alphavantage',
        ts: Date.UTC(2026, 3, 2, 23, 55),
        ingest_ts: now,
        symbol: 'IBM',
        interval: '5m',
        open: 248.39,
        high: 248.39,
        low: 248.21,
        close: 248.3,
        volume: 86,
        adj_close: null,
        currency: null,
      });
      const queries = server.requests.map((r) => Object.fromEntries(r.query));
      expect(queries).toEqual([
        { function: 'GLOBAL_QUOTE', symbol: 'IBM', apikey: TEST_KEYS.SLUICE_ALPHAVANTAGE_API_KEY },
        {
          function: 'TIME_SERIES_INTRADAY',
          symbol: 'IBM',
          interval: '5min',
          outputsize: 'compact',
          apikey: TEST_KEYS.SLUICE_ALPHAVANTAGE_API_KEY,
        },
        {
          function: 'TIME_SERIES_DAILY',
          symbol: 'IBM',
          outputsize: 'compact',
          apikey: TEST_KEYS.SLUICE_ALPHAVANTAGE_API_KEY,
        },
      ]);
    });
  });

  it('ignores unknown fields, and rejects one bar without its close and a series without its time zone', async () => {
    const daily = without(withExtraFields(fixtureJson('alphavantage-TIME_SERIES_DAILY.json')), [
      'Time Series (Daily)',
      '2024-05-03',
      '4. close',
    ]);
    const intraday = without(fixtureJson('alphavantage-TIME_SERIES_INTRADAY-5min.json'), ['Meta Data', '6. Time Zone']);
    await serve(byFunction({ ...all, TIME_SERIES_DAILY: daily, TIME_SERIES_INTRADAY: intraday }), async (server) => {
      const { runner, sink, deadLetters } = rig(
        'alphavantage',
        { symbols: ['IBM'], functions: ['TIME_SERIES_INTRADAY', 'TIME_SERIES_DAILY'] },
        server,
      );
      await runner.poll();
      expect(sink.records.map((r) => r.key)).toEqual(['alphavantage:IBM:1d']);
      expect(deadLetters.letters.map((l) => [l.target, l.field, l.message])).toEqual([
        [
          'TIME_SERIES_INTRADAY/IBM',
          '["Meta Data"]["… Time Zone"]',
          'alphavantage: required field ["Meta Data"]["… Time Zone"] is missing',
        ],
        [
          'TIME_SERIES_DAILY/IBM',
          '["Time Series (Daily)"]["2024-05-03"]["4. close"]',
          'alphavantage: required field ["Time Series (Daily)"]["2024-05-03"]["4. close"] is missing',
        ],
      ]);
    });
  });
});
