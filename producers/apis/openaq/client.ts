/**
 * OpenAQ v3 over HTTP: the key in the X-API-Key header, and the API's errors recognised. v1 and v2 were
 * retired in January 2025 and answer 410 Gone, which says what to change instead of looking like an
 * outage.
 */
import { DAY, HOUR, MINUTE } from '../framework/clock';
import type { ApiAnswer, ApiHttp, ApiProblem, Recogniser } from '../framework/http';
import type { ApiDescriptor } from '../framework/types';
import { API_TOPICS } from '../topics';

export const OPENAQ: ApiDescriptor = {
  name: 'openaq',
  title: 'OpenAQ v3',
  keyEnv: 'SLUICE_OPENAQ_API_KEY',
  keyHelp: 'register at https://explore.openaq.org/register and copy the key from your account settings',
  defaultBaseUrl: 'https://api.openaq.org',
  limits: [
    { limit: 60, perMs: MINUTE, source: 'documented: 60 requests per minute per key' },
    { limit: 2000, perMs: HOUR, source: 'documented: 2,000 requests per hour per key' },
  ],
  topics: [API_TOPICS.airQuality],
  principal: 'ingest-openaq',
};

/** How long a location's sensor list (which names each sensor's parameter) is kept. */
export const LOCATION_TTL_MS = DAY;

function detailOf(json: unknown): string | undefined {
  const detail = (json as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === 'string') return detail;
  // FastAPI's validation errors (422): [{loc, msg, type}].
  if (Array.isArray(detail)) return detail.map((d) => (d as { msg?: string }).msg ?? JSON.stringify(d)).join('; ');
  return undefined;
}

export const recogniseOpenAq: Recogniser = (answer: ApiAnswer): ApiProblem | undefined => {
  const detail = detailOf(answer.json);
  if (answer.status === 410) {
    return {
      kind: 'gone',
      message: `${detail ?? 'Gone'}: OpenAQ v1 and v2 were retired in January 2025; use v3 (baseUrl https://api.openaq.org, paths /v3/...)`,
    };
  }
  if (answer.status >= 200 && answer.status < 300) return undefined;
  const message = detail ?? `HTTP ${answer.status}`;
  if (answer.status === 401 || answer.status === 403)
    return { kind: 'unauthorized', message: `${message} (check SLUICE_OPENAQ_API_KEY)` };
  if (answer.status === 404) return { kind: 'not-found', message };
  if (answer.status === 422) return { kind: 'bad-request', message };
  if (answer.status === 429) return { kind: 'rate-limited', message };
  return undefined;
};

export interface OpenAqClient {
  location(id: number, signal?: AbortSignal): Promise<ApiAnswer>;
  latest(locationId: number, signal?: AbortSignal): Promise<ApiAnswer>;
  sensor(id: number, signal?: AbortSignal): Promise<ApiAnswer>;
}

export function openAqClient(http: ApiHttp, key: string | undefined): OpenAqClient {
  const headers = key ? { 'X-API-Key': key } : undefined;
  const get = (path: string, signal?: AbortSignal) =>
    http.get({ path, ...(headers ? { headers } : {}), ...(signal ? { signal } : {}) });
  return {
    location: (id, signal) => get(`/v3/locations/${id}`, signal),
    latest: (id, signal) => get(`/v3/locations/${id}/latest`, signal),
    sensor: (id, signal) => get(`/v3/sensors/${id}`, signal),
  };
}
