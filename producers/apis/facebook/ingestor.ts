/** Facebook Graph: the recent posts of each configured Page, following `paging.next` up to maxPages. */
import type { FacebookIngestorSpec } from '../../../lib/spec';
import { merge } from '../framework/records';
import type { ApiModule, Normalised, PollingIngestor } from '../framework/types';
import { FACEBOOK, facebookClient, recogniseFacebook } from './client';
import { normalisePosts } from './normalise';

function createFacebook(spec: FacebookIngestorSpec, { key }: { key?: string }): PollingIngestor {
  return {
    kind: 'poll',
    descriptor: FACEBOOK,
    schedule: spec.schedule,
    targets: () =>
      spec.pages.map((page) => ({
        id: `page/${page}`,
        fetch: async (ctx): Promise<Normalised> => {
          const client = facebookClient(ctx.http, key);
          let answer = await client.posts(page, spec.apiVersion, ctx.signal);
          const parts: Normalised[] = [];
          for (let n = 1; ; n++) {
            const { normalised, next } = normalisePosts(answer.json, page, ctx.now);
            parts.push(normalised);
            if (!next || n >= spec.maxPages) break;
            answer = await client.next(next, ctx.signal);
          }
          return merge(...parts);
        },
      })),
  };
}

export const facebook: ApiModule<FacebookIngestorSpec> = {
  descriptor: FACEBOOK,
  recognise: recogniseFacebook,
  create: createFacebook,
};
