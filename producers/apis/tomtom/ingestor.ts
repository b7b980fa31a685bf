/** TomTom Traffic: flow at each configured point, incidents in each configured area. */
import type { TomTomIngestorSpec } from '../../../lib/spec';
import type { ApiModule, PollingIngestor, PollTarget } from '../framework/types';
import { TOMTOM, recogniseTomTom, tomTomClient } from './client';
import { normaliseFlow, normaliseIncidents } from './normalise';

function createTomTom(spec: TomTomIngestorSpec, { key }: { key?: string }): PollingIngestor {
  const flows = spec.points.map((point): PollTarget => ({
    id: `flow/${point.name}`,
    fetch: async (ctx) =>
      normaliseFlow(
        (await tomTomClient(ctx.http, key).flow(point.lat, point.lon, spec.zoom, ctx.signal)).json,
        point,
        ctx.now,
      ),
  }));
  const incidents = spec.incidentAreas.map((area): PollTarget => ({
    id: `incidents/${area.name}`,
    fetch: async (ctx) =>
      normaliseIncidents(
        (await tomTomClient(ctx.http, key).incidents([area.minLon, area.minLat, area.maxLon, area.maxLat], ctx.signal))
          .json,
        area,
        ctx.now,
      ),
  }));
  return { kind: 'poll', descriptor: TOMTOM, schedule: spec.schedule, targets: () => [...flows, ...incidents] };
}

export const tomTom: ApiModule<TomTomIngestorSpec> = {
  descriptor: TOMTOM,
  recognise: recogniseTomTom,
  create: createTomTom,
};
