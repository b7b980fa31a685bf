/** Open-Meteo: current weather at each configured point; no key needed. */
import type { OpenMeteoIngestorSpec } from '../../../lib/spec';
import type { ApiModule, PollingIngestor } from '../framework/types';
import { OPEN_METEO, openMeteoClient, recogniseOpenMeteo } from './client';
import { normaliseCurrent } from './normalise';

function createOpenMeteo(spec: OpenMeteoIngestorSpec): PollingIngestor {
  return {
    kind: 'poll',
    descriptor: OPEN_METEO,
    schedule: spec.schedule,
    targets: () =>
      spec.points.map((point) => ({
        id: `point/${point.name}`,
        fetch: async (ctx) =>
          normaliseCurrent(
            (await openMeteoClient(ctx.http).current(point.lat, point.lon, ctx.signal)).json,
            point,
            ctx.now,
          ),
      })),
  };
}

export const openMeteo: ApiModule<OpenMeteoIngestorSpec> = {
  descriptor: OPEN_METEO,
  recognise: recogniseOpenMeteo,
  create: createOpenMeteo,
};
