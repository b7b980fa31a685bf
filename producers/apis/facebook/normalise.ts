/** One page of Graph `/posts` to social posts; `paging.next` is returned for the caller to follow. */
import { Payload } from '../framework/payload';
import { eachItem, ingestRecord, wholeAnswer } from '../framework/records';
import type { Normalised } from '../framework/types';
import { API_TOPICS } from '../topics';

const API = 'facebook';

export function normalisePosts(
  json: unknown,
  page: string,
  ingestTs: number,
): { normalised: Normalised; next: string | null } {
  const answer = Payload.of(API, json);
  let next: string | null = null;
  const normalised = wholeAnswer(
    answer,
    () => {
      next = answer.at('paging', 'next').optString();
      return eachItem(
        answer.at('data').list(),
        (post) => {
          const id = post.at('id').string();
          const ts = post.at('created_time').isoTime();
          return ingestRecord(
            API_TOPICS.socialPosts,
            `facebook:${id}`,
            {
              source: API,
              ts,
              ingest_ts: ingestTs,
              post_id: id,
              channel: page,
              // A Page post's id is '<page id>_<post id>': the Page is the author.
              author_id: id.includes('_') ? id.slice(0, id.indexOf('_')) : null,
              author_name: null,
              text: post.at('message').optString() ?? post.at('story').optString(),
              lang: null,
              url: post.at('permalink_url').optString(),
              matching_rules: [],
              like_count: null,
              repost_count: null,
              reply_count: null,
              share_count: post.at('shares', 'count').optInteger(),
              updated_ts: post.at('updated_time').optIsoTime(),
            },
            { identity: `facebook:post/${id}`, timestamp: ts },
          );
        },
        API_TOPICS.socialPosts,
      );
    },
    API_TOPICS.socialPosts,
  );
  return { normalised, next };
}
