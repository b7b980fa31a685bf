/** Yahoo Finance chart: a quote and the recent bars of each configured symbol; no key needed. */
import type { YahooIngestorSpec } from '../../../lib/spec';
import type { ApiModule, PollingIngestor } from '../framework/types';
import { YAHOO, recogniseYahoo, yahooClient } from './client';
import { normaliseChart } from './normalise';

function createYahoo(spec: YahooIngestorSpec): PollingIngestor {
  return {
    kind: 'poll',
    descriptor: YAHOO,
    schedule: spec.schedule,
    targets: () =>
      spec.symbols.map((symbol) => ({
        id: `chart/${symbol}`,
        fetch: async (ctx) =>
          normaliseChart(
            (await yahooClient(ctx.http).chart(symbol, spec.interval, spec.range, ctx.signal)).json,
            spec.interval,
            ctx.now,
          ),
      })),
  };
}

export const yahoo: ApiModule<YahooIngestorSpec> = {
  descriptor: YAHOO,
  recognise: recogniseYahoo,
  create: createYahoo,
};
