/**
 * Yahoo Finance's chart API (`/v8/finance/chart/{symbol}`): unofficial, no key. It wants a browser-like
 * User-Agent; bursts get HTTP 429 with the plain-text body `Edge: Too Many Requests`, an unknown symbol
 * 404 with `chart.error`. It documents no limits, so Sluice keeps well below the rate that draws 429s.
 */
import { HOUR, MINUTE } from '../framework/clock';
import type { ApiAnswer, ApiHttp, ApiProblem, Recogniser } from '../framework/http';
import type { ApiDescriptor } from '../framework/types';
import { API_TOPICS } from '../topics';

export const YAHOO: ApiDescriptor = {
  name: 'yahoo',
  title: 'Yahoo Finance chart API (unofficial)',
  defaultBaseUrl: 'https://query1.finance.yahoo.com',
  limits: [
    { limit: 30, perMs: MINUTE, burst: 2, source: 'self-imposed: the API is unofficial and documents no limit' },
    { limit: 1000, perMs: HOUR, source: 'self-imposed' },
  ],
  topics: [API_TOPICS.marketQuotes, API_TOPICS.marketBars],
  principal: 'ingest-yahoo',
  headers: {
    'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  },
};

export const recogniseYahoo: Recogniser = (answer: ApiAnswer): ApiProblem | undefined => {
  if (answer.status === 429)
    return { kind: 'rate-limited', message: answer.text.trim().slice(0, 120) || 'Too Many Requests' };
  const body = answer.json as
    | {
        chart?: { error?: { code?: unknown; description?: unknown } | null };
        finance?: { error?: { code?: unknown; description?: unknown } | null };
      }
    | undefined;
  const error = body?.chart?.error ?? body?.finance?.error;
  if (!error) return undefined;
  const message = `${String(error.code ?? 'error')}: ${String(error.description ?? '')}`.trim();
  if (answer.status === 404 || /not found/i.test(String(error.code))) return { kind: 'not-found', message };
  return { kind: answer.status >= 500 ? 'server' : 'bad-request', message };
};

export function yahooClient(http: ApiHttp) {
  return {
    chart: (symbol: string, interval: string, range: string, signal?: AbortSignal) =>
      http.get({
        path: `/v8/finance/chart/${encodeURIComponent(symbol)}`,
        query: { interval, range, includePrePost: 'false' },
        ...(signal ? { signal } : {}),
      }),
  };
}
