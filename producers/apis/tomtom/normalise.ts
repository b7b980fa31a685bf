/**
 * TomTom answers to traffic records. Flow segment data describes the present and has no time of its own:
 * it is stamped with the poll's time, which does not count as a change, so an unchanged segment is not
 * produced again. Incidents are produced when first seen and whenever one of their fields changes.
 */
import type { BoundingBoxSpec, GeoPointSpec } from '../../../lib/spec';
import { Payload } from '../framework/payload';
import { eachItem, ingestRecord, wholeAnswer } from '../framework/records';
import type { Normalised } from '../framework/types';
import { API_TOPICS } from '../topics';

const API = 'tomtom';

/** iconCategory numbers as TomTom documents them. */
const CATEGORIES: Readonly<Record<number, string>> = {
  0: 'unknown',
  1: 'accident',
  2: 'fog',
  3: 'dangerous_conditions',
  4: 'rain',
  5: 'ice',
  6: 'jam',
  7: 'lane_closed',
  8: 'road_closed',
  9: 'road_works',
  10: 'wind',
  11: 'flooding',
  14: 'broken_down_vehicle',
};
const MAGNITUDES: readonly string[] = ['unknown', 'minor', 'moderate', 'major', 'indefinite'];

export function normaliseFlow(json: unknown, point: GeoPointSpec, now: number): Normalised {
  const answer = Payload.of(API, json);
  return wholeAnswer(
    answer,
    () => {
      const flow = answer.at('flowSegmentData');
      const record = ingestRecord(
        API_TOPICS.trafficFlow,
        `tomtom:${point.name}`,
        {
          source: API,
          ts: now,
          ingest_ts: now,
          segment_id: point.name,
          origin: null,
          destination: null,
          lat: point.lat,
          lon: point.lon,
          current_speed_kmh: flow.at('currentSpeed').number(),
          free_flow_speed_kmh: flow.at('freeFlowSpeed').number(),
          current_travel_time_s: flow.at('currentTravelTime').number(),
          free_flow_travel_time_s: flow.at('freeFlowTravelTime').number(),
          distance_m: null,
          confidence: flow.at('confidence').optNumber(),
          road_closure: flow.at('roadClosure').optBoolean(),
          road_class: flow.at('frc').optString(),
        },
        { identity: `tomtom:flow/${point.name}`, timestamp: now, volatile: ['ts'] },
      );
      return { records: [record], rejects: [] };
    },
    API_TOPICS.trafficFlow,
  );
}

/** The first [lon, lat] of a GeoJSON Point or LineString. */
function firstPoint(geometry: Payload): { lat: number | null; lon: number | null } {
  const coordinates = geometry.at('coordinates');
  const first = Array.isArray(coordinates.at(0).value) ? coordinates.at(0) : coordinates;
  if (!first.present) return { lat: null, lon: null };
  return { lon: first.at(0).optNumber(), lat: first.at(1).optNumber() };
}

export function normaliseIncidents(json: unknown, area: BoundingBoxSpec, now: number): Normalised {
  const answer = Payload.of(API, json);
  return wholeAnswer(
    answer,
    () =>
      eachItem(
        answer.at('incidents').list(),
        (incident) => {
          const p = incident.at('properties');
          const id = p.at('id').string();
          const icon = p.at('iconCategory').integer();
          const magnitude = p.at('magnitudeOfDelay').optInteger();
          return ingestRecord(
            API_TOPICS.trafficIncidents,
            `tomtom:${id}`,
            {
              source: API,
              ts: now,
              ingest_ts: now,
              incident_id: id,
              area: area.name,
              category: CATEGORIES[icon] ?? 'unknown',
              icon_category: icon,
              delay_magnitude: MAGNITUDES[magnitude ?? 0] ?? 'unknown',
              start_ts: p.at('startTime').optIsoTime(),
              end_ts: p.at('endTime').optIsoTime(),
              from_location: p.at('from').optString(),
              to_location: p.at('to').optString(),
              length_m: p.at('length').optNumber(),
              delay_s: p.at('delay').optNumber(),
              descriptions: p
                .at('events')
                .optList()
                .map((e) => e.at('description').optString())
                .filter((d): d is string => d !== null),
              road_numbers: p
                .at('roadNumbers')
                .optList()
                .map((r) => r.string()),
              probability: p.at('probabilityOfOccurrence').optString(),
              ...firstPoint(incident.at('geometry')),
            },
            { identity: `tomtom:incident/${id}`, timestamp: now, volatile: ['ts'] },
          );
        },
        API_TOPICS.trafficIncidents,
      ),
    API_TOPICS.trafficIncidents,
  );
}
