/** Yahoo Finance chart, replayed from the recorded payload on a local server; no key. */
import { fixtureJson, serve } from '../testing/fixture-server';
import { replaced, withExtraFields } from '../testing/payloads';
import { rig } from '../testing/setup';

describe('yahoo', () => {
  it('turns a chart into a quote (from meta) and a bar per timestamp, with a browser User-Agent and no key', async () => {
    await serve(
      [{ path: '/v8/finance/chart/GOOG', reply: { body: fixtureJson('yahoo-v8-finance-chart-GOOG.json') } }],
      async (server) => {
        const { runner, sink, clock } = rig('yahoo', { symbols: ['GOOG'], interval: '1d', range: '5d' }, server, {
          env: {},
        });
        expect((await runner.poll()).records).toBe(2);
        const quoteTs = 1739998800 * 1000;
        const barTs = 1577975400 * 1000;
        expect(sink.records).toEqual([
          {
            topic: 'api.market-quotes',
            key: 'yahoo:GOOG',
            timestamp: quoteTs,
            value: {
              source: 'yahoo',
              ts: quoteTs,
              ingest_ts: clock.now(),
              symbol: 'GOOG',
              price: 187.13,
              open: null,
              high: 187.36,
              low: 185.505,
              previous_close: null,
              change: null,
              change_pct: null,
              volume: 13085463,
              trading_day: '2025-02-19',
              currency: 'USD',
              exchange: 'NMS',
            },
          },
          {
            topic: 'api.market-bars',
            key: 'yahoo:GOOG:1d',
            timestamp: barTs,
            value: {
              source: 'yahoo',
              ts: barTs,
              ingest_ts: clock.now(),
              symbol: 'GOOG',
              interval: '1d',
              open: 67.07749938964844,
              high: 68.40699768066406,
              low: 67.07749938964844,
              close: 68.36849975585938,
              volume: 28132000,
              adj_close: 68.12371826171875,
              currency: 'USD',
            },
          },
        ]);
        const request = server.requests[0]!;
        expect([request.query.get('interval'), request.query.get('range'), request.headers['user-agent']]).toEqual([
          '1d',
          '5d',
          expect.stringMatching(/^Mozilla\/5\.0/),
        ]);
      },
    );
  });

  it('skips an interval without trades (all nulls), ignores unknown fields, and rejects a bar with only some prices', async () => {
    let chart = withExtraFields(fixtureJson('yahoo-v8-finance-chart-GOOG.json'));
    const q = ['chart', 'result', 0, 'indicators', 'quote', 0];
    chart = replaced(chart, ['chart', 'result', 0, 'timestamp'], [1577975400, 1578061800, 1578148200]);
    for (const [name, values] of Object.entries({
      open: [67.07, null, 70],
      high: [68.4, null, 71],
      low: [67.07, null, 69],
      close: [68.36, null, null],
      volume: [28132000, null, 1000],
    })) {
      chart = replaced(chart, [...q, name], values);
    }
    await serve([{ path: '/v8/finance/chart/GOOG', reply: { body: chart } }], async (server) => {
      const { runner, sink, deadLetters } = rig('yahoo', { symbols: ['GOOG'], interval: '1d', range: '5d' }, server, {
        env: {},
      });
      await runner.poll();
      expect(sink.records.map((r) => r.topic)).toEqual(['api.market-quotes', 'api.market-bars']);
      expect(deadLetters.letters.map((l) => [l.field, l.reason])).toEqual([
        ['chart.result[0].indicators.quote[0].close[2]', 'missing-field'],
      ]);
    });
  });
});
