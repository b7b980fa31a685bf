/**
 * OpenAQ v3 answers to air-quality records. `/locations/{id}/latest` gives values by sensor id only, so
 * the location's own answer (`/locations/{id}`) supplies each sensor's parameter and units. `meta` is not
 * read: its `found` can be a string such as ">1000".
 */
import { Payload, PayloadError } from '../framework/payload';
import { eachItem, ingestRecord, wholeAnswer } from '../framework/records';
import type { IngestRecord, Normalised } from '../framework/types';
import { API_TOPICS } from '../topics';

const API = 'openaq';

export interface SensorInfo {
  parameter: string;
  units: string;
  displayName: string | null;
}

export interface LocationInfo {
  id: string;
  name: string | null;
  locality: string | null;
  country: string | null;
  provider: string | null;
  sensors: Map<string, SensorInfo>;
}

function sensorInfo(sensor: Payload): SensorInfo {
  return {
    parameter: sensor.at('parameter', 'name').string(),
    units: sensor.at('parameter', 'units').string(),
    displayName: sensor.at('parameter', 'displayName').optString(),
  };
}

/** The location's names and sensor list; a PayloadError when the answer lacks them. */
export function readLocation(json: unknown): LocationInfo {
  const location = Payload.of(API, json).at('results', 0);
  const sensors = new Map<string, SensorInfo>();
  for (const sensor of location.at('sensors').list())
    sensors.set(String(sensor.at('id').integer()), sensorInfo(sensor));
  return {
    id: String(location.at('id').integer()),
    name: location.at('name').optString(),
    locality: location.at('locality').optString(),
    country: location.at('country', 'code').optString(),
    provider: location.at('provider', 'name').optString(),
    sensors,
  };
}

interface Measurement {
  sensorId: string;
  ts: number;
  value: number;
  lat: number | null;
  lon: number | null;
}

/**
 * A reading is a sensor's value at a time: the same sensor read through its location and on its own
 * gives two readings, each produced once (one identity per sensor would alternate between them).
 */
function record(
  m: Measurement,
  sensor: SensorInfo,
  location: Omit<LocationInfo, 'sensors'> | undefined,
  ingestTs: number,
): IngestRecord {
  return ingestRecord(
    API_TOPICS.airQuality,
    `openaq:${m.sensorId}`,
    {
      source: API,
      ts: m.ts,
      ingest_ts: ingestTs,
      sensor_id: m.sensorId,
      location_id: location?.id ?? null,
      location_name: location?.name ?? null,
      locality: location?.locality ?? null,
      country: location?.country ?? null,
      provider: location?.provider ?? null,
      parameter: sensor.parameter,
      display_name: sensor.displayName,
      units: sensor.units,
      value: m.value,
      lat: m.lat,
      lon: m.lon,
    },
    { identity: `openaq:sensor/${m.sensorId}@${m.ts}`, timestamp: m.ts },
  );
}

function measurement(item: Payload, sensorId: string): Measurement {
  return {
    sensorId,
    ts: item.at('datetime', 'utc').isoTime(),
    value: item.at('value').number(),
    lat: item.at('coordinates', 'latitude').optNumber(),
    lon: item.at('coordinates', 'longitude').optNumber(),
  };
}

/** `/v3/locations/{id}/latest`: one record per sensor value. */
export function normaliseLatest(json: unknown, location: LocationInfo, ingestTs: number): Normalised {
  const answer = Payload.of(API, json);
  return wholeAnswer(
    answer,
    () =>
      eachItem(
        answer.at('results').list(),
        (item) => {
          const sensorId = String(item.at('sensorsId').integer());
          const sensor = location.sensors.get(sensorId);
          if (!sensor) {
            throw new PayloadError(
              API,
              `${item.path}.sensorsId`,
              'invalid-field',
              `${API}: sensor ${sensorId} of ${item.path} is not among location ${location.id}'s sensors, so its parameter and units are unknown`,
            );
          }
          return record(measurement(item, sensorId), sensor, location, ingestTs);
        },
        API_TOPICS.airQuality,
      ),
    API_TOPICS.airQuality,
  );
}

/** `/v3/sensors/{id}`: the sensor's latest value (the answer does not name its location). */
export function normaliseSensor(json: unknown, ingestTs: number): Normalised {
  const answer = Payload.of(API, json);
  return wholeAnswer(
    answer,
    () =>
      eachItem(
        answer.at('results').list(),
        (sensor) => {
          const sensorId = String(sensor.at('id').integer());
          return record(measurement(sensor.at('latest'), sensorId), sensorInfo(sensor), undefined, ingestTs);
        },
        API_TOPICS.airQuality,
      ),
    API_TOPICS.airQuality,
  );
}
