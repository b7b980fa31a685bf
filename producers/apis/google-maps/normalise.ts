/**
 * A Distance Matrix answer to one traffic record per origin-destination pair. An element whose own
 * status is not OK (no route, an unknown address) is an error of that pair, reported and not produced;
 * the other pairs still are. Travel times describe now, so records are stamped with the poll's time,
 * which does not count as a change.
 */
import type { RouteMatrixSpec } from '../../../lib/spec';
import type { ApiErrorKind } from '../framework/http';
import { Payload, PayloadError } from '../framework/payload';
import { eachItem, ingestRecord, merge, wholeAnswer } from '../framework/records';
import type { Normalised } from '../framework/types';
import { API_TOPICS } from '../topics';
import { ELEMENT_STATUSES } from './client';

const API = 'google-maps';

export interface ElementError {
  kind: ApiErrorKind;
  message: string;
}

export function normaliseMatrix(
  json: unknown,
  route: RouteMatrixSpec,
  now: number,
): { normalised: Normalised; elementErrors: ElementError[] } {
  const answer = Payload.of(API, json);
  const elementErrors: ElementError[] = [];
  const normalised = wholeAnswer(
    answer,
    () => {
      const rows = answer.at('rows').list();
      if (rows.length !== route.origins.length) {
        throw new PayloadError(
          API,
          'rows',
          'invalid-field',
          `${API}: field rows must have one row per origin (${route.origins.length}), got ${rows.length}`,
        );
      }
      return merge(
        ...rows.map((row, i) =>
          eachItem(
            row.at('elements').list(),
            (element) => {
              const j = element.keys[element.keys.length - 1] as number;
              const origin = route.origins[i]!;
              const destination = route.destinations[j];
              if (destination === undefined)
                throw new PayloadError(
                  API,
                  element.path,
                  'invalid-field',
                  `${API}: ${element.path} has no destination (only ${route.destinations.length} asked for)`,
                );
              const status = element.at('status').string();
              if (status !== 'OK') {
                elementErrors.push({
                  kind: ELEMENT_STATUSES[status] ?? 'unexpected',
                  message: `${API} route ${route.name}: ${origin} -> ${destination}: element status ${status}`,
                });
                return undefined;
              }
              const distance = element.at('distance', 'value').number();
              const typical = element.at('duration', 'value').number();
              const inTraffic = element.at('duration_in_traffic', 'value').optNumber();
              const current = inTraffic ?? typical;
              const segment = `${route.name}:${origin} -> ${destination}`;
              return ingestRecord(
                API_TOPICS.trafficFlow,
                `google-maps:${segment}`,
                {
                  source: API,
                  ts: now,
                  ingest_ts: now,
                  segment_id: segment,
                  origin,
                  destination,
                  lat: null,
                  lon: null,
                  current_speed_kmh: current > 0 ? Math.round((distance / current) * 3.6 * 100) / 100 : null,
                  free_flow_speed_kmh: null,
                  current_travel_time_s: current,
                  free_flow_travel_time_s: typical,
                  distance_m: distance,
                  confidence: null,
                  road_closure: null,
                  road_class: null,
                },
                { identity: `google-maps:${segment}`, timestamp: now, volatile: ['ts'] },
              );
            },
            API_TOPICS.trafficFlow,
          ),
        ),
      );
    },
    API_TOPICS.trafficFlow,
  );
  return { normalised, elementErrors };
}
