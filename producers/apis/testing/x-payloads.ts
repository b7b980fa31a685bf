/**
 * Test payloads for the X API v2 stream, built from the shapes X documents (docs.x.com: filtered
 * stream quickstart and "Consuming streaming data", "Handling disconnections"): no recorded fixtures
 * exist for X. Values are made up; field names and nesting follow the documentation.
 */

export function streamPost(
  id: string,
  options: {
    text?: string | null;
    createdAt?: string;
    authorId?: string;
    username?: string;
    tags?: Array<string | null>;
    lang?: string;
  } = {},
): Record<string, unknown> {
  const authorId = options.authorId ?? '2244994945';
  const data: Record<string, unknown> = {
    id,
    created_at: options.createdAt ?? '2026-01-15T10:35:00.000Z',
    author_id: authorId,
    lang: options.lang ?? 'en',
    edit_history_tweet_ids: [id],
    public_metrics: {
      retweet_count: 3,
      reply_count: 1,
      like_count: 12,
      quote_count: 0,
      bookmark_count: 2,
      impression_count: 480,
    },
  };
  if (options.text !== null) data.text = options.text ?? `Traffic jam on the A10 ring road near exit ${id.slice(-2)}`;
  return {
    data,
    includes: { users: [{ id: authorId, name: 'Ring Road Watch', username: options.username ?? 'ringroadwatch' }] },
    matching_rules: (options.tags ?? ['traffic-air']).map((tag, i) => ({
      id: `17${i}0000000000000000`,
      ...(tag ? { tag } : {}),
    })),
  };
}

/** What X sends when it ends a connection for its own reasons. */
export const OPERATIONAL_DISCONNECT = {
  errors: [
    {
      title: 'operational-disconnect',
      disconnect_type: 'UpstreamOperationalDisconnect',
      detail: 'This stream has been disconnected upstream for operational reasons.',
      type: 'https://api.twitter.com/2/problems/operational-disconnect',
    },
  ],
};

/** The 429 of a second connection to a stream that allows one. */
export const TOO_MANY_CONNECTIONS = {
  title: 'ConnectionException',
  detail: 'This stream is currently at the maximum allowed connection limit.',
  connection_issue: 'TooManyConnections',
  type: 'https://api.twitter.com/2/problems/streaming-connection',
};

export const UNAUTHORIZED = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };

export const rulesList = (rules: Array<{ id: string; value: string; tag?: string }>) => ({
  data: rules,
  meta: { sent: '2026-01-15T10:30:00.000Z', result_count: rules.length },
});

export const rulesAdded = (rules: Array<{ value: string; tag?: string }>) => ({
  data: rules.map((r, i) => ({ id: `19${i}0000000000000000`, ...r })),
  meta: {
    sent: '2026-01-15T10:30:00.000Z',
    summary: { created: rules.length, not_created: 0, valid: rules.length, invalid: 0 },
  },
});
