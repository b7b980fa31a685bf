/**
 * WeatherAPI.com over HTTP (`/v1/current.json`, the key as `key`). Its errors are
 * `{"error": {"code": N, "message": …}}`, and the code, not the HTTP status, says what happened.
 */
import { DAY, SECOND } from '../framework/clock';
import type { ApiAnswer, ApiErrorKind, ApiHttp, ApiProblem, Recogniser } from '../framework/http';
import type { ApiDescriptor } from '../framework/types';
import { API_TOPICS } from '../topics';

export const WEATHERAPI: ApiDescriptor = {
  name: 'weatherapi',
  title: 'WeatherAPI.com (current weather)',
  keyEnv: 'SLUICE_WEATHERAPI_KEY',
  keyHelp: 'sign up at https://www.weatherapi.com/signup.aspx (the free plan allows 100,000 calls a month)',
  defaultBaseUrl: 'https://api.weatherapi.com',
  limits: [
    // 31 days: a window that never exceeds the quota can never exceed it in a calendar month.
    { limit: 100_000, perMs: 31 * DAY, source: 'documented: 100,000 calls per month on the free plan' },
    { limit: 10, perMs: SECOND, source: 'self-imposed: WeatherAPI publishes no per-second limit' },
  ],
  topics: [API_TOPICS.weather],
  principal: 'ingest-weatherapi',
};

/** WeatherAPI's documented error codes. */
const CODES: Readonly<Record<number, ApiErrorKind>> = {
  1002: 'unauthorized', // API key not provided
  1003: 'bad-request', // parameter q not provided
  1005: 'bad-request', // API request URL is invalid
  1006: 'not-found', // no location found matching q
  2006: 'unauthorized', // API key is invalid
  2007: 'quota-exhausted', // calls per month exceeded
  2008: 'unauthorized', // API key disabled
  2009: 'unauthorized', // no access to the resource on this plan
  9000: 'bad-request', // bulk request body invalid
  9001: 'bad-request', // too many locations in a bulk request
  9999: 'server', // internal application error
};

export const recogniseWeatherApi: Recogniser = (answer: ApiAnswer): ApiProblem | undefined => {
  const error = (answer.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error === undefined || error === null || typeof error !== 'object') return undefined;
  const code = typeof error.code === 'number' ? error.code : undefined;
  const message = `code ${code ?? '?'}: ${typeof error.message === 'string' ? error.message : 'no message'}`;
  const kind = (code !== undefined ? CODES[code] : undefined) ?? (answer.status >= 500 ? 'server' : 'bad-request');
  return { kind, message: kind === 'unauthorized' ? `${message} (check SLUICE_WEATHERAPI_KEY)` : message };
};

export function weatherApiClient(http: ApiHttp, key: string | undefined) {
  return {
    current: (city: string, signal?: AbortSignal) =>
      http.get({
        path: '/v1/current.json',
        query: { ...(key ? { key } : {}), q: city, aqi: 'no' },
        ...(signal ? { signal } : {}),
      }),
  };
}
