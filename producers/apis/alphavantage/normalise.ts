/**
 * Alpha Vantage answers to quotes and bars. Every number is a string ("112.6300", "-0.5852%"); times in
 * a time series are wall-clock times in the zone the Meta Data names ("US/Eastern"). GLOBAL_QUOTE has
 * no time but the trading day, so a quote is stamped with the poll's time, which does not count as a
 * change.
 */
import { Payload, PayloadError } from '../framework/payload';
import { eachItem, ingestRecord, wholeAnswer } from '../framework/records';
import { localFields, zonedTimeToUtc } from '../framework/time';
import type { Normalised } from '../framework/types';
import { API_TOPICS } from '../topics';

const API = 'alphavantage';

const optVolume = (p: Payload): number | null => {
  const n = p.optNumeric();
  return n === null ? null : Math.round(n);
};

export function normaliseQuote(json: unknown, now: number): Normalised {
  const answer = Payload.of(API, json);
  return wholeAnswer(
    answer,
    () => {
      const q = answer.at('Global Quote');
      const symbol = q.at('01. symbol').string();
      const record = ingestRecord(
        API_TOPICS.marketQuotes,
        `alphavantage:${symbol}`,
        {
          source: API,
          ts: now,
          ingest_ts: now,
          symbol,
          price: q.at('05. price').numeric(),
          open: q.at('02. open').optNumeric(),
          high: q.at('03. high').optNumeric(),
          low: q.at('04. low').optNumeric(),
          previous_close: q.at('08. previous close').optNumeric(),
          change: q.at('09. change').optNumeric(),
          change_pct: q.at('10. change percent').optNumeric(),
          volume: optVolume(q.at('06. volume')),
          trading_day: q.at('07. latest trading day').string(),
          currency: null,
          exchange: null,
        },
        { identity: `alphavantage:quote/${symbol}`, timestamp: now, volatile: ['ts'] },
      );
      return { records: [record], rejects: [] };
    },
    API_TOPICS.marketQuotes,
  );
}

/** Alpha Vantage's interval names to the ones the bar schema uses (Yahoo's). */
const INTERVALS: Readonly<Record<string, string>> = {
  '1min': '1m',
  '5min': '5m',
  '15min': '15m',
  '30min': '30m',
  '60min': '60m',
  Daily: '1d',
};

function keyEnding(meta: Payload, suffix: string): Payload {
  const found =
    meta.present && typeof meta.value === 'object'
      ? Object.keys(meta.value as object).find((k) => k.endsWith(suffix))
      : undefined;
  if (found === undefined)
    throw new PayloadError(
      API,
      `${meta.path}["… ${suffix}"]`,
      'missing-field',
      `${API}: required field ${meta.path}["… ${suffix}"] is missing`,
    );
  return meta.at(found);
}

/** TIME_SERIES_INTRADAY and TIME_SERIES_DAILY: one bar per entry of "Time Series (…)". */
export function normaliseSeries(json: unknown, ingestTs: number): Normalised {
  const answer = Payload.of(API, json);
  return wholeAnswer(
    answer,
    () => {
      const meta = answer.at('Meta Data');
      const symbol = keyEnding(meta, 'Symbol').string();
      const zone = keyEnding(meta, 'Time Zone').string();
      const seriesKey = Object.keys((answer.value as object | undefined) ?? {}).find((k) =>
        k.startsWith('Time Series'),
      );
      if (seriesKey === undefined)
        throw new PayloadError(
          API,
          '["Time Series (…)"]',
          'missing-field',
          `${API}: required field ["Time Series (…)"] is missing`,
        );
      const name = /\((.+)\)/.exec(seriesKey)?.[1] ?? '';
      const interval = INTERVALS[name];
      if (interval === undefined)
        throw new PayloadError(
          API,
          `["${seriesKey}"]`,
          'invalid-field',
          `${API}: unknown series interval '${name}' in ["${seriesKey}"]`,
        );
      // Entries are keyed by time; any other key is a field this code does not know, and is ignored.
      const entries = answer
        .at(seriesKey)
        .entries()
        .filter(([time]) => Number.isFinite(localFields(time)));
      return eachItem(
        entries.map(([, bar]) => bar),
        (bar) => {
          const local = String(bar.keys[bar.keys.length - 1]);
          let ts: number;
          try {
            ts = zonedTimeToUtc(local, zone);
          } catch {
            throw new PayloadError(
              API,
              `${meta.path}["… Time Zone"]`,
              'invalid-field',
              `${API}: unknown time zone ${JSON.stringify(zone)}`,
            );
          }
          return ingestRecord(
            API_TOPICS.marketBars,
            `alphavantage:${symbol}:${interval}`,
            {
              source: API,
              ts,
              ingest_ts: ingestTs,
              symbol,
              interval,
              open: bar.at('1. open').numeric(),
              high: bar.at('2. high').numeric(),
              low: bar.at('3. low').numeric(),
              close: bar.at('4. close').numeric(),
              volume: optVolume(bar.at('5. volume')),
              adj_close: null,
              currency: null,
            },
            { identity: `alphavantage:bar/${symbol}/${interval}/${ts}`, timestamp: ts },
          );
        },
        API_TOPICS.marketBars,
      );
    },
    API_TOPICS.marketBars,
  );
}
