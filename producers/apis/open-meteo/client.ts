/**
 * Open-Meteo over HTTP: no key. Errors are `{"error": true, "reason": …}`; a 429 says in words which of
 * the per-minute, hourly or daily limits was hit, and so how long to wait.
 */
import { DAY, HOUR, MINUTE } from '../framework/clock';
import type { ApiAnswer, ApiHttp, ApiProblem, Recogniser } from '../framework/http';
import type { ApiDescriptor } from '../framework/types';
import { API_TOPICS } from '../topics';

export const OPEN_METEO: ApiDescriptor = {
  name: 'open-meteo',
  title: 'Open-Meteo (forecast API, current conditions)',
  defaultBaseUrl: 'https://api.open-meteo.com',
  limits: [
    { limit: 600, perMs: MINUTE, source: 'documented: 600 calls per minute (free, non-commercial)' },
    { limit: 5000, perMs: HOUR, source: 'documented: 5,000 calls per hour' },
    { limit: 10_000, perMs: DAY, source: 'documented: 10,000 calls per day' },
  ],
  topics: [API_TOPICS.weather],
  principal: 'ingest-open-meteo',
};

/** The current variables asked for: what normalise.ts reads. */
export const CURRENT_VARIABLES = [
  'temperature_2m',
  'relative_humidity_2m',
  'apparent_temperature',
  'is_day',
  'precipitation',
  'weather_code',
  'cloud_cover',
  'pressure_msl',
  'wind_speed_10m',
  'wind_direction_10m',
].join(',');

export const recogniseOpenMeteo: Recogniser = (answer: ApiAnswer): ApiProblem | undefined => {
  const body = answer.json as { error?: unknown; reason?: unknown } | undefined;
  if (body?.error !== true) return undefined;
  const reason = typeof body.reason === 'string' ? body.reason : `HTTP ${answer.status}`;
  if (answer.status === 429 || /limit exceeded/i.test(reason)) {
    if (/minutely/i.test(reason)) return { kind: 'rate-limited', message: reason, retryAfterMs: MINUTE };
    if (/hourly/i.test(reason)) return { kind: 'quota-exhausted', message: reason, retryAfterMs: HOUR };
    if (/daily/i.test(reason)) return { kind: 'quota-exhausted', message: reason, retryAfterMs: DAY };
    return { kind: 'rate-limited', message: reason };
  }
  return { kind: answer.status >= 500 ? 'server' : 'bad-request', message: reason };
};

export function openMeteoClient(http: ApiHttp) {
  return {
    current: (lat: number, lon: number, signal?: AbortSignal) =>
      http.get({
        path: '/v1/forecast',
        query: {
          latitude: lat,
          longitude: lon,
          current: CURRENT_VARIABLES,
          wind_speed_unit: 'kmh',
          temperature_unit: 'celsius',
          timezone: 'GMT',
        },
        ...(signal ? { signal } : {}),
      }),
  };
}
