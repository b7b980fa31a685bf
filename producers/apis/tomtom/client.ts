/**
 * TomTom Traffic over HTTP: flow segment data (v4) and incident details (v5), the key as the `key` query
 * parameter. Over the limit TomTom answers 429, and older accounts 403 with a message about the limit,
 * which is a rate limit and not a bad key.
 */
import { DAY, SECOND } from '../framework/clock';
import type { ApiAnswer, ApiHttp, ApiProblem, Recogniser } from '../framework/http';
import type { ApiDescriptor } from '../framework/types';
import { API_TOPICS } from '../topics';

export const TOMTOM: ApiDescriptor = {
  name: 'tomtom',
  title: 'TomTom Traffic (flow segment data v4, incident details v5)',
  keyEnv: 'SLUICE_TOMTOM_API_KEY',
  keyHelp: 'create one at https://developer.tomtom.com (the free tier allows 2,500 requests a day)',
  defaultBaseUrl: 'https://api.tomtom.com',
  limits: [
    { limit: 10, perMs: SECOND, source: 'documented: 10 requests per second' },
    { limit: 2500, perMs: DAY, source: 'documented: 2,500 free requests per day' },
  ],
  topics: [API_TOPICS.trafficFlow, API_TOPICS.trafficIncidents],
  principal: 'ingest-tomtom',
};

/** The incident fields asked for: what normalise.ts reads. */
export const INCIDENT_FIELDS =
  '{incidents{type,geometry{type,coordinates},properties{id,iconCategory,magnitudeOfDelay,events{description,code,iconCategory},startTime,endTime,from,to,length,delay,roadNumbers,timeValidity,probabilityOfOccurrence,numberOfReports,lastReportTime}}}';

function messageOf(json: unknown): string | undefined {
  const body = json as { detailedError?: { message?: unknown }; error?: unknown; errorText?: unknown } | undefined;
  if (typeof body?.detailedError?.message === 'string') return body.detailedError.message;
  if (typeof body?.error === 'string') return body.error;
  const nested = body?.error as { description?: unknown; message?: unknown } | undefined;
  if (typeof nested?.description === 'string') return nested.description;
  if (typeof nested?.message === 'string') return nested.message;
  return typeof body?.errorText === 'string' ? body.errorText : undefined;
}

export const recogniseTomTom: Recogniser = (answer: ApiAnswer): ApiProblem | undefined => {
  if (answer.status >= 200 && answer.status < 300) return undefined;
  const message = messageOf(answer.json) ?? (answer.text.trim().slice(0, 200) || `HTTP ${answer.status}`);
  if (answer.status === 429) return { kind: 'rate-limited', message };
  if (answer.status === 403) {
    return /limit|quota|rate|exceed|qps/i.test(answer.text)
      ? { kind: 'rate-limited', message }
      : { kind: 'unauthorized', message: `${message} (check SLUICE_TOMTOM_API_KEY)` };
  }
  if (answer.status === 400 || answer.status === 596) return { kind: 'bad-request', message };
  return undefined;
};

export interface TomTomClient {
  flow(lat: number, lon: number, zoom: number, signal?: AbortSignal): Promise<ApiAnswer>;
  incidents(bbox: [number, number, number, number], signal?: AbortSignal): Promise<ApiAnswer>;
}

export function tomTomClient(http: ApiHttp, key: string | undefined): TomTomClient {
  const withKey = (query: Record<string, string | number>) => (key ? { ...query, key } : query);
  return {
    flow: (lat, lon, zoom, signal) =>
      http.get({
        path: `/traffic/services/4/flowSegmentData/absolute/${zoom}/json`,
        query: withKey({ point: `${lat},${lon}`, unit: 'KMPH' }),
        ...(signal ? { signal } : {}),
      }),
    incidents: (bbox, signal) =>
      http.get({
        path: '/traffic/services/5/incidentDetails',
        query: withKey({
          bbox: bbox.join(','),
          fields: INCIDENT_FIELDS,
          language: 'en-GB',
          timeValidityFilter: 'present',
        }),
        ...(signal ? { signal } : {}),
      }),
  };
}
