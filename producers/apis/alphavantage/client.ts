/**
 * Alpha Vantage over HTTP (`/query?function=…&apikey=…`). It answers HTTP 200 to everything, errors and
 * limits included, with a body of one key: `Information` (the daily limit, premium-only endpoints),
 * `Note` (the older per-minute limit) or `Error Message` (a bad call or key). An unknown symbol gets an
 * empty `Global Quote`. None of these may become data.
 */
import { DAY, HOUR, MINUTE } from '../framework/clock';
import type { ApiAnswer, ApiHttp, ApiProblem, Recogniser } from '../framework/http';
import type { ApiDescriptor } from '../framework/types';
import { API_TOPICS } from '../topics';

export const ALPHAVANTAGE: ApiDescriptor = {
  name: 'alphavantage',
  title: 'Alpha Vantage (GLOBAL_QUOTE, TIME_SERIES_INTRADAY, TIME_SERIES_DAILY)',
  keyEnv: 'SLUICE_ALPHAVANTAGE_API_KEY',
  keyHelp: 'claim a free key at https://www.alphavantage.co/support/#api-key (25 requests a day)',
  defaultBaseUrl: 'https://www.alphavantage.co',
  limits: [{ limit: 25, perMs: DAY, burst: 5, source: 'documented: 25 requests per day on free keys' }],
  // Retrying a spent daily quota every second would only spend tomorrow's.
  backoff: { baseMs: MINUTE, maxMs: 6 * HOUR },
  topics: [API_TOPICS.marketQuotes, API_TOPICS.marketBars],
  principal: 'ingest-alphavantage',
};

export const recogniseAlphaVantage: Recogniser = (answer: ApiAnswer): ApiProblem | undefined => {
  const body = answer.json as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return undefined;
  const said = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
  const information = said('Information');
  if (information !== undefined) {
    const limit =
      /rate limit|requests per day|per day|premium/i.test(information) && !/premium endpoint/i.test(information);
    return limit ? { kind: 'quota-exhausted', message: information } : { kind: 'bad-request', message: information };
  }
  const note = said('Note');
  if (note !== undefined) return { kind: 'rate-limited', message: note, retryAfterMs: MINUTE };
  const error = said('Error Message');
  if (error !== undefined)
    return /apikey/i.test(error)
      ? { kind: 'unauthorized', message: `${error} (check SLUICE_ALPHAVANTAGE_API_KEY)` }
      : { kind: 'bad-request', message: error };
  const quote = body['Global Quote'];
  if (quote !== undefined && quote !== null && typeof quote === 'object' && Object.keys(quote).length === 0) {
    return { kind: 'not-found', message: 'empty Global Quote: the symbol is unknown' };
  }
  return undefined;
};

export function alphaVantageClient(http: ApiHttp, key: string | undefined) {
  return {
    query: (params: Record<string, string>, signal?: AbortSignal) =>
      http.get({
        path: '/query',
        query: { ...params, ...(key ? { apikey: key } : {}) },
        ...(signal ? { signal } : {}),
      }),
  };
}
