/**
 * Facebook Graph API over HTTP: a Page's posts (`/{version}/{page}/posts`) with cursor paging, the token
 * as `access_token` (Graph's own `paging.next` links carry it too, so they are followed as given, on the
 * same origin only, and redacted like every URL). Errors are `{"error": {message, type, code, …}}`; the
 * code says what happened. Usage headers (X-App-Usage, X-Page-Usage, X-Business-Use-Case-Usage) warn
 * before the limit is hit.
 */
import { HOUR, MINUTE } from '../framework/clock';
import type { ApiAnswer, ApiErrorKind, ApiHttp, ApiProblem, Recogniser } from '../framework/http';
import type { ApiDescriptor } from '../framework/types';
import { API_TOPICS } from '../topics';

export const FACEBOOK: ApiDescriptor = {
  name: 'facebook',
  title: 'Facebook Graph API (Page posts)',
  keyEnv: 'SLUICE_FACEBOOK_ACCESS_TOKEN',
  keyHelp:
    'a Page access token with pages_read_engagement for Pages you manage, or a token of an app approved for Page Public Content Access for other Pages (https://developers.facebook.com/docs/pages-api)',
  defaultBaseUrl: 'https://graph.facebook.com',
  limits: [
    {
      limit: 200,
      perMs: HOUR,
      burst: 20,
      source: 'documented: 200 calls per hour per user (application-level rate limit)',
    },
  ],
  topics: [API_TOPICS.socialPosts],
  principal: 'ingest-facebook',
};

export const POST_FIELDS = 'id,created_time,updated_time,message,story,permalink_url,shares';

/** Graph error codes, as documented (error handling and rate limiting pages). */
function kindOf(code: number | undefined, message: string): ApiErrorKind | undefined {
  if (code === undefined) return undefined;
  if ([4, 17, 32, 613, 80001].includes(code)) return 'rate-limited';
  if (code === 190 || code === 102 || code === 10 || (code >= 200 && code <= 299)) return 'unauthorized';
  if (code === 1 || code === 2) return 'server';
  if (code === 100)
    return /does not exist|cannot be loaded|unsupported get request/i.test(message) ? 'not-found' : 'bad-request';
  return undefined;
}

export const recogniseFacebook: Recogniser = (answer: ApiAnswer): ApiProblem | undefined => {
  const error = (
    answer.json as
      { error?: { message?: unknown; type?: unknown; code?: unknown; error_subcode?: unknown } } | undefined
  )?.error;
  if (!error || typeof error !== 'object') return undefined;
  const code = typeof error.code === 'number' ? error.code : undefined;
  const text = typeof error.message === 'string' ? error.message : 'no message';
  const message = `${String(error.type ?? 'Error')} ${code ?? '?'}${error.error_subcode !== undefined ? `/${String(error.error_subcode)}` : ''}: ${text}`;
  const kind = kindOf(code, text) ?? (answer.status >= 500 ? 'server' : 'bad-request');
  return {
    kind,
    message: kind === 'unauthorized' ? `${message} (check SLUICE_FACEBOOK_ACCESS_TOKEN and its permissions)` : message,
  };
};

/**
 * How long to hold requests, from the usage headers: X-Business-Use-Case-Usage says when access comes
 * back (minutes); X-App-Usage and X-Page-Usage give percentages of the limit, and at 95 % or more the
 * ingestor waits ten minutes so the hourly window can drain before Graph starts refusing.
 */
export function usagePauseMs(headers: Record<string, string>): number {
  let pause = 0;
  for (const name of ['x-app-usage', 'x-page-usage']) {
    try {
      const usage = JSON.parse(headers[name] ?? '{}') as Record<string, unknown>;
      const top = Math.max(0, ...Object.values(usage).filter((v): v is number => typeof v === 'number'));
      if (top >= 95) pause = Math.max(pause, 10 * MINUTE);
    } catch {
      // A header that is not JSON says nothing about usage.
    }
  }
  try {
    const buc = JSON.parse(headers['x-business-use-case-usage'] ?? '{}') as Record<
      string,
      Array<{ estimated_time_to_regain_access?: unknown }>
    >;
    for (const entries of Object.values(buc)) {
      for (const e of Array.isArray(entries) ? entries : []) {
        if (typeof e.estimated_time_to_regain_access === 'number')
          pause = Math.max(pause, e.estimated_time_to_regain_access * MINUTE);
      }
    }
  } catch {
    // As above.
  }
  return pause;
}

export function facebookClient(http: ApiHttp, token: string | undefined) {
  const observe = (answer: ApiAnswer): ApiAnswer => {
    const pause = usagePauseMs(answer.headers);
    if (pause > 0) http.pause(pause);
    return answer;
  };
  return {
    posts: async (page: string, version: string, signal?: AbortSignal) =>
      observe(
        await http.get({
          path: `/${version}/${encodeURIComponent(page)}/posts`,
          query: { fields: POST_FIELDS, limit: 25, ...(token ? { access_token: token } : {}) },
          ...(signal ? { signal } : {}),
        }),
      ),
    /** A `paging.next` link as Graph gave it (it carries the token). */
    next: async (url: string, signal?: AbortSignal) =>
      observe(await http.get({ path: url, ...(signal ? { signal } : {}) })),
  };
}
