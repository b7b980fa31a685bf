/**
 * One stream message (`{data, includes, matching_rules}`) to a social post. Messages may arrive twice and
 * out of order, and new message types may appear: a repeat is dropped by deduplication, and a message
 * without `data` is not a post (see stream.ts).
 */
import { Payload } from '../framework/payload';
import { eachItem, ingestRecord } from '../framework/records';
import type { Normalised } from '../framework/types';
import { API_TOPICS } from '../topics';

const API = 'x';

export function normalisePost(json: unknown, channel: string, ingestTs: number): Normalised {
  const message = Payload.of(API, json);
  return eachItem(
    [message],
    (m) => {
      const data = m.at('data');
      const id = data.at('id').string();
      const ts = data.at('created_at').isoTime();
      const authorId = data.at('author_id').optString();
      const author = m
        .at('includes', 'users')
        .optList()
        .find((u) => u.at('id').value === authorId);
      const username = author ? author.at('username').optString() : null;
      const metrics = data.at('public_metrics');
      return ingestRecord(
        API_TOPICS.socialPosts,
        `x:${id}`,
        {
          source: API,
          ts,
          ingest_ts: ingestTs,
          post_id: id,
          channel,
          author_id: authorId,
          author_name: username,
          text: data.at('text').string(),
          lang: data.at('lang').optString(),
          url: username ? `https://x.com/${username}/status/${id}` : `https://x.com/i/web/status/${id}`,
          matching_rules: m
            .at('matching_rules')
            .optList()
            .map((r) => r.at('tag').optString() ?? r.at('id').string()),
          like_count: metrics.at('like_count').optInteger(),
          repost_count: metrics.at('retweet_count').optInteger(),
          reply_count: metrics.at('reply_count').optInteger(),
          share_count: metrics.at('quote_count').optInteger(),
          updated_ts: null,
        },
        { identity: `x:post/${id}`, timestamp: ts },
      );
    },
    API_TOPICS.socialPosts,
  );
}
