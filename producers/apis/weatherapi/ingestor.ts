/** WeatherAPI.com: current weather in each configured city. */
import type { WeatherApiIngestorSpec } from '../../../lib/spec';
import type { ApiModule, PollingIngestor } from '../framework/types';
import { WEATHERAPI, recogniseWeatherApi, weatherApiClient } from './client';
import { normaliseCurrent } from './normalise';

function createWeatherApi(spec: WeatherApiIngestorSpec, { key }: { key?: string }): PollingIngestor {
  return {
    kind: 'poll',
    descriptor: WEATHERAPI,
    schedule: spec.schedule,
    targets: () =>
      spec.cities.map((city) => ({
        id: `city/${city}`,
        fetch: async (ctx) =>
          normaliseCurrent((await weatherApiClient(ctx.http, key).current(city, ctx.signal)).json, city, ctx.now),
      })),
  };
}

export const weatherApi: ApiModule<WeatherApiIngestorSpec> = {
  descriptor: WEATHERAPI,
  recognise: recogniseWeatherApi,
  create: createWeatherApi,
};
