/**
 * Open-Meteo `current` to a weather observation. `current.time` is local time without an offset (in the
 * `timezone` asked for, or given by utc_offset_seconds); units are checked against what was asked for,
 * so a changed default cannot pass off Fahrenheit as Celsius.
 */
import type { GeoPointSpec } from '../../../lib/spec';
import { Payload, PayloadError } from '../framework/payload';
import { ingestRecord, wholeAnswer } from '../framework/records';
import { localFields } from '../framework/time';
import type { Normalised } from '../framework/types';
import { API_TOPICS } from '../topics';

const API = 'open-meteo';

/** WMO weather interpretation codes, as Open-Meteo documents them. */
const WMO: Readonly<Record<number, string>> = {
  0: 'Clear sky',
  1: 'Mainly clear',
  2: 'Partly cloudy',
  3: 'Overcast',
  45: 'Fog',
  48: 'Depositing rime fog',
  51: 'Light drizzle',
  53: 'Moderate drizzle',
  55: 'Dense drizzle',
  56: 'Light freezing drizzle',
  57: 'Dense freezing drizzle',
  61: 'Slight rain',
  63: 'Moderate rain',
  65: 'Heavy rain',
  66: 'Light freezing rain',
  67: 'Heavy freezing rain',
  71: 'Slight snow fall',
  73: 'Moderate snow fall',
  75: 'Heavy snow fall',
  77: 'Snow grains',
  80: 'Slight rain showers',
  81: 'Moderate rain showers',
  82: 'Violent rain showers',
  85: 'Slight snow showers',
  86: 'Heavy snow showers',
  95: 'Thunderstorm',
  96: 'Thunderstorm with slight hail',
  99: 'Thunderstorm with heavy hail',
};

/** Units each variable must have, when the answer states them. */
const UNITS: Readonly<Record<string, readonly string[]>> = {
  temperature_2m: ['°C'],
  apparent_temperature: ['°C'],
  wind_speed_10m: ['km/h'],
  pressure_msl: ['hPa'],
  precipitation: ['mm'],
};

function checkUnits(units: Payload): void {
  for (const [variable, allowed] of Object.entries(UNITS)) {
    const unit = units.at(variable);
    if (unit.present && !allowed.includes(String(unit.value))) {
      throw new PayloadError(
        API,
        unit.path,
        'invalid-field',
        `${API}: field ${unit.path} must be ${allowed.join(' or ')}, got ${JSON.stringify(unit.value)}`,
      );
    }
  }
}

function observedAt(answer: Payload, current: Payload): number {
  const time = current.at('time');
  if (typeof time.value === 'number') return time.integer() * 1000; // timeformat=unixtime
  const wall = localFields(time.string());
  if (!Number.isFinite(wall))
    throw new PayloadError(
      API,
      time.path,
      'invalid-field',
      `${API}: field ${time.path} must be a local ISO 8601 time, got ${JSON.stringify(time.value)}`,
    );
  return wall - (answer.at('utc_offset_seconds').optInteger() ?? 0) * 1000;
}

export function normaliseCurrent(json: unknown, point: GeoPointSpec, ingestTs: number): Normalised {
  const answer = Payload.of(API, json);
  return wholeAnswer(
    answer,
    () => {
      checkUnits(answer.at('current_units'));
      const current = answer.at('current');
      const ts = observedAt(answer, current);
      const code = current.at('weather_code').optInteger();
      const isDay = current.at('is_day').optInteger();
      const record = ingestRecord(
        API_TOPICS.weather,
        `open-meteo:${point.name}`,
        {
          source: API,
          ts,
          ingest_ts: ingestTs,
          location_key: point.name,
          location_name: null,
          region: null,
          country: null,
          lat: answer.at('latitude').number(),
          lon: answer.at('longitude').number(),
          temperature_c: current.at('temperature_2m').optNumber(),
          feels_like_c: current.at('apparent_temperature').optNumber(),
          humidity_pct: current.at('relative_humidity_2m').optNumber(),
          pressure_hpa: current.at('pressure_msl').optNumber(),
          wind_speed_kmh: current.at('wind_speed_10m').optNumber(),
          wind_direction_deg: current.at('wind_direction_10m').optNumber(),
          precipitation_mm: current.at('precipitation').optNumber(),
          cloud_cover_pct: current.at('cloud_cover').optNumber(),
          uv_index: null,
          visibility_km: null,
          is_day: isDay === null ? null : isDay === 1,
          condition: code === null ? null : (WMO[code] ?? null),
          condition_code: code,
        },
        { identity: `open-meteo:${point.name}`, timestamp: ts },
      );
      return { records: [record], rejects: [] };
    },
    API_TOPICS.weather,
  );
}
