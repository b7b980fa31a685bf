/** WeatherAPI `current.json` to a weather observation. Fields WeatherAPI adds to `current` over time are ignored. */
import { Payload } from '../framework/payload';
import { ingestRecord, wholeAnswer } from '../framework/records';
import type { Normalised } from '../framework/types';
import { API_TOPICS } from '../topics';

const API = 'weatherapi';

export function normaliseCurrent(json: unknown, city: string, ingestTs: number): Normalised {
  const answer = Payload.of(API, json);
  return wholeAnswer(
    answer,
    () => {
      const location = answer.at('location');
      const current = answer.at('current');
      const ts = current.at('last_updated_epoch').integer() * 1000;
      const isDay = current.at('is_day').optInteger();
      const record = ingestRecord(
        API_TOPICS.weather,
        `weatherapi:${city}`,
        {
          source: API,
          ts,
          ingest_ts: ingestTs,
          location_key: city,
          location_name: location.at('name').string(),
          region: location.at('region').optString(),
          country: location.at('country').optString(),
          lat: location.at('lat').number(),
          lon: location.at('lon').number(),
          temperature_c: current.at('temp_c').optNumber(),
          feels_like_c: current.at('feelslike_c').optNumber(),
          humidity_pct: current.at('humidity').optNumber(),
          pressure_hpa: current.at('pressure_mb').optNumber(),
          wind_speed_kmh: current.at('wind_kph').optNumber(),
          wind_direction_deg: current.at('wind_degree').optNumber(),
          precipitation_mm: current.at('precip_mm').optNumber(),
          cloud_cover_pct: current.at('cloud').optNumber(),
          uv_index: current.at('uv').optNumber(),
          visibility_km: current.at('vis_km').optNumber(),
          is_day: isDay === null ? null : isDay === 1,
          condition: current.at('condition', 'text').optString(),
          condition_code: current.at('condition', 'code').optInteger(),
        },
        { identity: `weatherapi:${city}`, timestamp: ts },
      );
      return { records: [record], rejects: [] };
    },
    API_TOPICS.weather,
  );
}
