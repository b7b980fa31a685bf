/**
 * Alpha Vantage over HTTP (`/query?function=…&apikey=…`). It answers HTTP 200 to everything, errors and
 * limits included, with a body of one key: `Information` (the daily limit; a demo key; a premium-only
 * endpoint), `Note` (the older per-minute limit) or `Error Message` (a bad call or key). An unknown symbol
 * gets an empty `Global Quote`. None of these may become data. A demo key, a premium-only endpoint and an
 * invalid key are key problems: no wait cures them, so they end polling with the setting to fix.
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
  // The free quota is per day; Alpha Vantage does not document the hour it resets, so the ingestor
  // assumes midnight UTC. If the key is still refused then, the backoff above takes over.
  quotaResetAt: (now) => (Math.floor(now / DAY) + 1) * DAY,
  topics: [API_TOPICS.marketQuotes, API_TOPICS.marketBars],
  principal: 'ingest-alphavantage',
};

const KEY_SETTING = 'SLUICE_ALPHAVANTAGE_API_KEY';

export const recogniseAlphaVantage: Recogniser = (answer: ApiAnswer): ApiProblem | undefined => {
  const body = answer.json as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return undefined;
  const said = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
  const information = said('Information');
  if (information !== undefined) {
    // The daily limit's text also offers the premium plans: it is recognised first.
    if (/rate limit|requests per day/i.test(information)) return { kind: 'quota-exhausted', message: information };
    if (/\bdemo\b/i.test(information))
      return {
        kind: 'key-rejected',
        message: `${information} (${KEY_SETTING} holds Alpha Vantage's demo key, which answers only the documentation's examples: set ${KEY_SETTING} to your own key, free at https://www.alphavantage.co/support/#api-key, and restart the ingestor)`,
      };
    if (/premium/i.test(information)) {
      const fn = /[?&]function=([A-Z_]+)/.exec(answer.path)?.[1] ?? 'this function';
      return {
        kind: 'key-rejected',
        message: `${information} (the key in ${KEY_SETTING} may not call ${fn}: set ${KEY_SETTING} to a premium key, or remove ${fn} from ingestors.alphavantage.functions in the spec, then restart the ingestor)`,
      };
    }
    return { kind: 'bad-request', message: information };
  }
  const note = said('Note');
  if (note !== undefined) return { kind: 'rate-limited', message: note, retryAfterMs: MINUTE };
  const error = said('Error Message');
  if (error !== undefined)
    return /apikey/i.test(error)
      ? {
          kind: 'key-rejected',
          message: `${error} (set ${KEY_SETTING} to a valid key, then restart the ingestor)`,
        }
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
