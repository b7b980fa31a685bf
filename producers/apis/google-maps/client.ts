/**
 * Google Maps Distance Matrix (legacy; the Routes API replaces it) over HTTP. Errors come with HTTP 200
 * and a top-level `status`; each element of the matrix has its own `status` too. Google counts usage in
 * elements (origins × destinations), so a request costs that many units of the limiter.
 */
import { MINUTE } from '../framework/clock';
import type { ApiAnswer, ApiErrorKind, ApiHttp, ApiProblem, Recogniser } from '../framework/http';
import type { ApiDescriptor } from '../framework/types';
import { API_TOPICS } from '../topics';

export const GOOGLE_MAPS: ApiDescriptor = {
  name: 'google-maps',
  title: 'Google Maps Distance Matrix API (departure_time=now: duration in traffic)',
  keyEnv: 'SLUICE_GOOGLE_MAPS_API_KEY',
  keyHelp:
    'create a key with the Distance Matrix API enabled at https://console.cloud.google.com/google/maps-apis (billing must be set up)',
  defaultBaseUrl: 'https://maps.googleapis.com',
  limits: [
    {
      limit: 60_000,
      perMs: MINUTE,
      burst: 1000,
      source: 'documented: 60,000 elements per minute (an element is one origin-destination pair)',
    },
  ],
  topics: [API_TOPICS.trafficFlow],
  principal: 'ingest-google-maps',
};

/** Top-level statuses other than OK, as Google documents them. */
const STATUSES: Readonly<Record<string, ApiErrorKind>> = {
  INVALID_REQUEST: 'bad-request',
  MAX_ELEMENTS_EXCEEDED: 'bad-request',
  MAX_DIMENSIONS_EXCEEDED: 'bad-request',
  OVER_DAILY_LIMIT: 'quota-exhausted', // also: no billing, or an invalid key's project
  OVER_QUERY_LIMIT: 'rate-limited',
  REQUEST_DENIED: 'unauthorized',
  UNKNOWN_ERROR: 'server',
};

/** Element statuses other than OK. */
export const ELEMENT_STATUSES: Readonly<Record<string, ApiErrorKind>> = {
  NOT_FOUND: 'not-found',
  ZERO_RESULTS: 'not-found',
  MAX_ROUTE_LENGTH_EXCEEDED: 'bad-request',
};

export const recogniseGoogleMaps: Recogniser = (answer: ApiAnswer): ApiProblem | undefined => {
  const body = answer.json as { status?: unknown; error_message?: unknown } | undefined;
  const status = typeof body?.status === 'string' ? body.status : undefined;
  if (status === undefined || status === 'OK') return undefined;
  const message = `${status}${typeof body?.error_message === 'string' ? `: ${body.error_message}` : ''}`;
  const kind = STATUSES[status] ?? 'unexpected';
  return { kind, message: kind === 'unauthorized' ? `${message} (check SLUICE_GOOGLE_MAPS_API_KEY)` : message };
};

export function googleMapsClient(http: ApiHttp, key: string | undefined) {
  return {
    matrix: (origins: readonly string[], destinations: readonly string[], signal?: AbortSignal) =>
      http.get({
        path: '/maps/api/distancematrix/json',
        query: {
          origins: origins.join('|'),
          destinations: destinations.join('|'),
          departure_time: 'now',
          units: 'metric',
          ...(key ? { key } : {}),
        },
        cost: origins.length * destinations.length,
        ...(signal ? { signal } : {}),
      }),
  };
}
