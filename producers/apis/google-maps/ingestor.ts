/** Google Maps Distance Matrix: travel time in traffic for every configured origin-destination pair. */
import type { GoogleMapsIngestorSpec } from '../../../lib/spec';
import type { ApiModule, PollingIngestor } from '../framework/types';
import { GOOGLE_MAPS, googleMapsClient, recogniseGoogleMaps } from './client';
import { normaliseMatrix } from './normalise';

function createGoogleMaps(spec: GoogleMapsIngestorSpec, { key }: { key?: string }): PollingIngestor {
  return {
    kind: 'poll',
    descriptor: GOOGLE_MAPS,
    schedule: spec.schedule,
    targets: () =>
      spec.routes.map((route) => ({
        id: `route/${route.name}`,
        fetch: async (ctx) => {
          const answer = await googleMapsClient(ctx.http, key).matrix(route.origins, route.destinations, ctx.signal);
          const { normalised, elementErrors } = normaliseMatrix(answer.json, route, ctx.now);
          for (const e of elementErrors) ctx.reportError(e.kind, e.message);
          return normalised;
        },
      })),
  };
}

export const googleMaps: ApiModule<GoogleMapsIngestorSpec> = {
  descriptor: GOOGLE_MAPS,
  recognise: recogniseGoogleMaps,
  create: createGoogleMaps,
};
