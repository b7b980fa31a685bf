/**
 * X API v2 over HTTP, with the app's bearer token: the filtered stream (`/2/tweets/search/stream`) and
 * its rules, or the 1 % sampled stream (`/2/tweets/sample/stream`). Errors are problem objects
 * (`{title, detail, type}`); a refused stream connection says why in `connection_issue`.
 */
import { MINUTE } from '../framework/clock';
import type { ApiAnswer, ApiHttp, ApiProblem, Recogniser } from '../framework/http';
import type { ApiDescriptor } from '../framework/types';
import { API_TOPICS } from '../topics';

export const X: ApiDescriptor = {
  name: 'x',
  title: 'X API v2 (filtered stream or sampled stream)',
  keyEnv: 'SLUICE_X_BEARER_TOKEN',
  keyHelp:
    "use the app's bearer token from https://developer.x.com (filtered stream: Pro or pay-per-use access; sampled stream: Enterprise)",
  defaultBaseUrl: 'https://api.x.com',
  limits: [
    {
      limit: 50,
      perMs: 15 * MINUTE,
      burst: 5,
      source: 'documented: 50 connection (and rules) requests per 15 minutes',
    },
  ],
  topics: [API_TOPICS.socialPosts],
  principal: 'ingest-x',
};

export const STREAM_PATHS = { filtered: '/2/tweets/search/stream', sample: '/2/tweets/sample/stream' } as const;
export const RULES_PATH = '/2/tweets/search/stream/rules';

/** The fields asked for: what normalise.ts reads. */
export const STREAM_QUERY = {
  'tweet.fields': 'created_at,author_id,lang,public_metrics',
  expansions: 'author_id',
  'user.fields': 'username',
};

export const recogniseX: Recogniser = (answer: ApiAnswer): ApiProblem | undefined => {
  if (answer.status >= 200 && answer.status < 300) return undefined;
  const body = answer.json as { title?: unknown; detail?: unknown; connection_issue?: unknown } | undefined;
  const message =
    [body?.title, body?.connection_issue, body?.detail].filter((s) => typeof s === 'string').join(': ') ||
    `HTTP ${answer.status}`;
  if (answer.status === 401 || answer.status === 403)
    return {
      kind: 'unauthorized',
      message: `${message} (check SLUICE_X_BEARER_TOKEN and that the app's access tier includes this stream)`,
    };
  if (answer.status === 429)
    return { kind: body?.title === 'UsageCapExceeded' ? 'quota-exhausted' : 'rate-limited', message };
  return undefined;
};

export function xClient(http: ApiHttp, token: string | undefined) {
  const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
  const auth = headers ? { headers } : {};
  return {
    rules: (signal?: AbortSignal) => http.get({ path: RULES_PATH, ...auth, ...(signal ? { signal } : {}) }),
    addRules: (rules: ReadonlyArray<{ value: string; tag?: string }>, signal?: AbortSignal) =>
      http.post({ path: RULES_PATH, ...auth, ...(signal ? { signal } : {}) }, { add: rules }),
    stream: (mode: keyof typeof STREAM_PATHS, idleMs: number, signal?: AbortSignal) =>
      http.openStream(
        { path: STREAM_PATHS[mode], query: STREAM_QUERY, ...auth, ...(signal ? { signal } : {}) },
        idleMs,
      ),
  };
}
