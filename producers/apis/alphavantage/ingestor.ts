/** Alpha Vantage: each configured function for each configured symbol, within 25 requests a day. */
import type { AlphaVantageIngestorSpec } from '../../../lib/spec';
import type { ApiModule, PollingIngestor, PollTarget } from '../framework/types';
import { ALPHAVANTAGE, alphaVantageClient, recogniseAlphaVantage } from './client';
import { normaliseQuote, normaliseSeries } from './normalise';

function createAlphaVantage(spec: AlphaVantageIngestorSpec, { key }: { key?: string }): PollingIngestor {
  const targets = spec.symbols.flatMap((symbol) =>
    spec.functions.map((fn): PollTarget => ({
      id: `${fn}/${symbol}`,
      fetch: async (ctx) => {
        const params: Record<string, string> = {
          function: fn,
          symbol,
          ...(fn === 'TIME_SERIES_INTRADAY' ? { interval: spec.interval } : {}),
          ...(fn === 'GLOBAL_QUOTE' ? {} : { outputsize: 'compact' }),
        };
        const answer = await alphaVantageClient(ctx.http, key).query(params, ctx.signal);
        return fn === 'GLOBAL_QUOTE' ? normaliseQuote(answer.json, ctx.now) : normaliseSeries(answer.json, ctx.now);
      },
    })),
  );
  return { kind: 'poll', descriptor: ALPHAVANTAGE, schedule: spec.schedule, targets: () => targets };
}

export const alphaVantage: ApiModule<AlphaVantageIngestorSpec> = {
  descriptor: ALPHAVANTAGE,
  recognise: recogniseAlphaVantage,
  create: createAlphaVantage,
};
