/** OpenAQ v3: the latest values of the configured locations and sensors. */
import type { OpenAqIngestorSpec } from '../../../lib/spec';
import { PayloadError } from '../framework/payload';
import { rejectOf } from '../framework/records';
import type { ApiModule, FetchContext, Normalised, PollingIngestor, PollTarget } from '../framework/types';
import { API_TOPICS } from '../topics';
import { LOCATION_TTL_MS, OPENAQ, openAqClient, recogniseOpenAq } from './client';
import { normaliseLatest, normaliseSensor, readLocation, type LocationInfo } from './normalise';

function createOpenAq(spec: OpenAqIngestorSpec, { key }: { key?: string }): PollingIngestor {
  const locations = new Map<number, { info: LocationInfo; fetchedAt: number }>();

  const locationInfo = async (ctx: FetchContext, id: number, refresh: boolean): Promise<LocationInfo> => {
    const cached = locations.get(id);
    if (cached && !refresh && ctx.now - cached.fetchedAt < LOCATION_TTL_MS) return cached.info;
    const answer = await openAqClient(ctx.http, key).location(id, ctx.signal);
    try {
      const info = readLocation(answer.json);
      locations.set(id, { info, fetchedAt: ctx.now });
      return info;
    } catch (error) {
      if (error instanceof PayloadError) error.payload = answer.json;
      throw error;
    }
  };

  const locationTarget = (id: number): PollTarget => ({
    id: `location/${id}`,
    fetch: async (ctx): Promise<Normalised> => {
      let info: LocationInfo;
      try {
        info = await locationInfo(ctx, id, false);
      } catch (error) {
        if (!(error instanceof PayloadError)) throw error;
        return { records: [], rejects: [rejectOf(error, error.payload, API_TOPICS.airQuality)] };
      }
      const latest = await openAqClient(ctx.http, key).latest(id, ctx.signal);
      const normalised = normaliseLatest(latest.json, info, ctx.now);
      // A sensor added since the sensor list was cached: read the list again, once.
      const stale =
        locations.get(id)!.fetchedAt < ctx.now && normalised.rejects.some((r) => r.field.endsWith('.sensorsId'));
      return stale ? normaliseLatest(latest.json, await locationInfo(ctx, id, true), ctx.now) : normalised;
    },
  });

  const sensorTarget = (id: number): PollTarget => ({
    id: `sensor/${id}`,
    fetch: async (ctx) => normaliseSensor((await openAqClient(ctx.http, key).sensor(id, ctx.signal)).json, ctx.now),
  });

  return {
    kind: 'poll',
    descriptor: OPENAQ,
    schedule: spec.schedule,
    targets: () => [...spec.locations.map(locationTarget), ...spec.sensors.map(sensorTarget)],
  };
}

export const openAq: ApiModule<OpenAqIngestorSpec> = {
  descriptor: OPENAQ,
  recognise: recogniseOpenAq,
  create: createOpenAq,
};
