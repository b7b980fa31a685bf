/**
 * A Yahoo chart answer to one quote (from `meta`) and one bar per timestamp. Yahoo reports an interval
 * without trades as nulls in every series: that is no bar, not an error, so it is skipped.
 */
import { Payload } from '../framework/payload';
import { eachItem, ingestRecord, merge, wholeAnswer } from '../framework/records';
import { dayIn } from '../framework/time';
import type { IngestRecord, Normalised } from '../framework/types';
import { API_TOPICS } from '../topics';

const API = 'yahoo';

function quote(meta: Payload, symbol: string, ingestTs: number): IngestRecord | undefined {
  const price = meta.at('regularMarketPrice').optNumber();
  const time = meta.at('regularMarketTime').optInteger();
  if (price === null || time === null) return undefined;
  const ts = time * 1000;
  const previous = meta.at('previousClose').optNumber();
  const zone = meta.at('exchangeTimezoneName').optString();
  let tradingDay: string | null;
  try {
    tradingDay = zone ? dayIn(ts, zone) : null;
  } catch {
    tradingDay = null; // an unknown zone name only costs the trading day
  }
  const change = previous === null ? null : Math.round((price - previous) * 1e6) / 1e6;
  return ingestRecord(
    API_TOPICS.marketQuotes,
    `yahoo:${symbol}`,
    {
      source: API,
      ts,
      ingest_ts: ingestTs,
      symbol,
      price,
      open: null,
      high: meta.at('regularMarketDayHigh').optNumber(),
      low: meta.at('regularMarketDayLow').optNumber(),
      previous_close: previous,
      change,
      change_pct: previous ? Math.round(((price - previous) / previous) * 100 * 1e4) / 1e4 : null,
      volume: meta.at('regularMarketVolume').optInteger(),
      trading_day: tradingDay,
      currency: meta.at('currency').optString(),
      exchange: meta.at('exchangeName').optString(),
    },
    { identity: `yahoo:quote/${symbol}`, timestamp: ts },
  );
}

export function normaliseChart(json: unknown, requestedInterval: string, ingestTs: number): Normalised {
  const answer = Payload.of(API, json);
  return wholeAnswer(
    answer,
    () => {
      const result = answer.at('chart', 'result', 0);
      const meta = result.at('meta');
      const symbol = meta.at('symbol').string();
      const currency = meta.at('currency').optString();
      const interval = meta.at('dataGranularity').optString() ?? requestedInterval;
      const q = quote(meta, symbol, ingestTs);
      const series = result.at('indicators', 'quote', 0);
      const adj = result.at('indicators', 'adjclose', 0, 'adjclose');
      const bars = eachItem(
        result.at('timestamp').optList(),
        (stamp) => {
          const i = stamp.keys[stamp.keys.length - 1] as number;
          const at = (name: string) => series.at(name, i);
          if ([at('open'), at('high'), at('low'), at('close')].every((p) => !p.present)) return undefined;
          const ts = stamp.integer() * 1000;
          return ingestRecord(
            API_TOPICS.marketBars,
            `yahoo:${symbol}:${interval}`,
            {
              source: API,
              ts,
              ingest_ts: ingestTs,
              symbol,
              interval,
              open: at('open').number(),
              high: at('high').number(),
              low: at('low').number(),
              close: at('close').number(),
              volume: at('volume').optInteger(),
              adj_close: adj.at(i).optNumber(),
              currency,
            },
            { identity: `yahoo:bar/${symbol}/${interval}/${ts}`, timestamp: ts },
          );
        },
        API_TOPICS.marketBars,
      );
      return merge({ records: q ? [q] : [], rejects: [] }, bars);
    },
    API_TOPICS.marketBars,
  );
}
