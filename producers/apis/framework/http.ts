/**
 * The one HTTP path of every ingestor: rate limit, request with a timeout, recognise the API's errors
 * (also those sent with HTTP 200), honour what the answer says about limits, back off and retry. Keys
 * are redacted from every path, body and message that leaves this module, and the axios error (whose
 * config holds the full URL) is never attached as a cause.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { SluiceError, messageOf } from '../../../lib/errors';
import type { Backoff } from './backoff';
import type { Clock } from './clock';
import { redact } from './redact';
import { rateHints, type RateLimiter } from './rate-limit';

export type ApiErrorKind =
  | 'rate-limited'
  | 'quota-exhausted'
  | 'server'
  | 'network'
  | 'timeout'
  | 'unauthorized'
  /** The API refuses this key for good (a demo key, a premium-only endpoint): fixing a setting is the only cure. */
  | 'key-rejected'
  | 'not-found'
  | 'gone'
  | 'bad-request'
  | 'unexpected';

/** Worth repeating the same request after a wait. */
const RETRIABLE: ReadonlySet<ApiErrorKind> = new Set(['rate-limited', 'server', 'network', 'timeout']);
/** The other targets of the poll would fail the same way: the key, the quota, the API version. */
const ABORTS_POLL: ReadonlySet<ApiErrorKind> = new Set(['unauthorized', 'key-rejected', 'quota-exhausted', 'gone']);

export interface ApiProblem {
  kind: ApiErrorKind;
  message: string;
  /** How long the API asks to wait (a Retry-After in words, "try again in one minute"). */
  retryAfterMs?: number;
}

export interface ApiAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, undefined when it is not JSON. */
  json: unknown;
  /** Path and query, redacted. */
  path: string;
}

/** Looks at an answer before its status does: an error payload may come with 200. */
export type Recogniser = (answer: ApiAnswer) => ApiProblem | undefined;

export class ApiError extends SluiceError {
  readonly api: string;
  readonly kind: ApiErrorKind;
  readonly status: number | undefined;
  /** Already counted and logged by the HTTP client (onFailure); callers must not count it again. */
  counted = false;

  constructor(
    api: string,
    kind: ApiErrorKind,
    message: string,
    details: { status?: number; path: string; body?: string; retryAfterMs?: number },
  ) {
    super('SLUICE_API_ERROR', message, {
      retriable: RETRIABLE.has(kind),
      path: details.path,
      details: { api, kind, ...details },
    });
    this.api = api;
    this.kind = kind;
    this.status = details.status;
  }

  /** The rest of the poll would fail the same way, so it is skipped. */
  get abortsPoll(): boolean {
    return ABORTS_POLL.has(this.kind);
  }
}

export interface ApiRequest {
  /** Path below the base URL, e.g. `/v3/locations/2178/latest`; or an absolute URL on the same origin (paging links). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Rate-limit units the request uses (Google: elements); default 1. */
  cost?: number;
  signal?: AbortSignal;
}

export interface FailedAttempt {
  error: ApiError;
  attempt: number;
  willRetry: boolean;
  /** How long the API is paused before the next request. */
  waitMs: number;
}

export interface ApiHttpOptions {
  api: string;
  baseUrl: string;
  limiter: RateLimiter;
  backoff: Backoff;
  clock: Clock;
  /** Values to redact wherever they appear (the key). */
  secrets?: readonly string[];
  headers?: Readonly<Record<string, string>>;
  recognise?: Recogniser;
  timeoutMs?: number;
  /** Attempts per request, retries included (default 4). */
  maxAttempts?: number;
  /** Every failed attempt, for counting and logs. */
  onFailure?: (failure: FailedAttempt) => void;
  /** Every request sent, retries included. */
  onRequest?: () => void;
  /**
   * When a spent quota comes back (Alpha Vantage's daily quota: the next midnight, UTC). The first
   * quota-exhausted answer of a run of failures pauses the API until then; later ones back off as usual.
   */
  quotaResetAt?: (now: number) => number;
  transport?: AxiosInstance;
}

const BODY_EXCERPT = 300;
const MAX_BODY_BYTES = 20 * 1024 * 1024;

function statusProblem(status: number, text: string): ApiProblem | undefined {
  if (status >= 200 && status < 300) return undefined;
  const said = text.trim().slice(0, 200) || `HTTP ${status}`;
  if (status === 429) return { kind: 'rate-limited', message: said };
  if (status === 401 || status === 403) return { kind: 'unauthorized', message: said };
  if (status === 404) return { kind: 'not-found', message: said };
  if (status === 410) return { kind: 'gone', message: said };
  if (status === 408) return { kind: 'timeout', message: said };
  if (status >= 500) return { kind: 'server', message: said };
  return { kind: status >= 400 ? 'bad-request' : 'unexpected', message: said };
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

function plainHeaders(response: AxiosResponse): Record<string, string> {
  const raw =
    (response.headers as { toJSON?: () => Record<string, unknown> }).toJSON?.() ??
    (response.headers as Record<string, unknown>);
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v)]),
  );
}

function networkKind(error: unknown): ApiErrorKind {
  const code = (error as { code?: string }).code;
  return code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(messageOf(error)) ? 'timeout' : 'network';
}

export class ApiHttp {
  private readonly transport: AxiosInstance;
  private readonly base: URL;
  requests = 0;
  waitedMs = 0;

  constructor(readonly options: ApiHttpOptions) {
    this.base = new URL(options.baseUrl);
    this.transport = options.transport ?? axios.create();
  }

  get api(): string {
    return this.options.api;
  }

  redact(text: string): string {
    return redact(text, this.options.secrets ?? []);
  }

  /** The full URL of a request; an absolute URL must stay on the base URL's origin (keys go nowhere else). */
  url(request: ApiRequest): URL {
    const absolute = /^https?:\/\//i.test(request.path);
    const url = absolute ? new URL(request.path) : new URL(`${this.base.href.replace(/\/+$/, '')}${request.path}`);
    if (url.origin !== this.base.origin) {
      throw new ApiError(
        this.api,
        'unexpected',
        `${this.api}: refusing to follow ${this.redact(url.origin)}, which is not the API's base URL ${this.base.origin}`,
        { path: this.redact(url.pathname) },
      );
    }
    for (const [name, value] of Object.entries(request.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  private error(problem: ApiProblem, path: string, answer?: ApiAnswer, method = 'GET'): ApiError {
    const status = answer ? `HTTP ${answer.status} ` : '';
    const message = this.redact(`${this.api} ${method} ${path}: ${status}(${problem.kind}) ${problem.message}`);
    return new ApiError(this.api, problem.kind, message, {
      path,
      ...(answer ? { status: answer.status, body: this.redact(answer.text.slice(0, BODY_EXCERPT)) } : {}),
      ...(problem.retryAfterMs !== undefined ? { retryAfterMs: problem.retryAfterMs } : {}),
    });
  }

  private problemOf(answer: ApiAnswer): ApiProblem | undefined {
    const problem = this.options.recognise?.(answer) ?? statusProblem(answer.status, answer.text);
    if (problem) return problem;
    if (answer.json === undefined)
      return { kind: 'unexpected', message: `the body is not JSON: ${answer.text.slice(0, 120)}` };
    return undefined;
  }

  /** Applies what the answer's headers say about the limit; returns the wait they ask for after an error. */
  private honourHints(answer: ApiAnswer): number {
    const now = this.options.clock.now();
    const hints = rateHints(answer.headers, now);
    if (hints.resetInMs !== undefined) this.options.limiter.pauseUntil(now + hints.resetInMs);
    return Math.max(hints.retryAfterMs ?? 0, hints.resetInMs ?? 0);
  }

  /** Counts the failure and pauses the API for the backoff; true when the caller should try again. */
  private failed(error: ApiError, attempt: number, askedMs: number): boolean {
    const waitMs = this.options.backoff.next(askedMs);
    this.options.limiter.pauseUntil(this.options.clock.now() + waitMs);
    const willRetry = error.retriable && attempt < (this.options.maxAttempts ?? 4);
    error.counted = true;
    this.options.onFailure?.({ error, attempt, willRetry, waitMs });
    return willRetry;
  }

  /** Until when every request of this API is held (0 or a past time: not held). */
  get pausedUntil(): number {
    return this.options.limiter.pausedUntilTime;
  }

  /** Holds every request of this API for `ms` (the API's usage headers say it is close to its limit). */
  pause(ms: number): void {
    this.options.limiter.pauseUntil(this.options.clock.now() + ms);
  }

  /** GET with rate limiting, error recognition, backoff and retries; throws the last ApiError. */
  get(request: ApiRequest): Promise<ApiAnswer> {
    return this.send('GET', request);
  }

  /** POST of a JSON body, with the same limits, recognition and retries as GET. */
  post(request: ApiRequest, body: unknown): Promise<ApiAnswer> {
    return this.send('POST', request, body);
  }

  /** url(), with a refused URL counted like any other failed request. */
  private checkedUrl(request: ApiRequest): URL {
    try {
      return this.url(request);
    } catch (error) {
      if (error instanceof ApiError) this.report(error);
      throw error;
    }
  }

  private async send(method: 'GET' | 'POST', request: ApiRequest, body?: unknown): Promise<ApiAnswer> {
    const url = this.checkedUrl(request);
    const path = this.redact(`${url.pathname}${url.search}`);
    for (let attempt = 1; ; attempt++) {
      this.waitedMs += await this.options.limiter.acquire(request.cost ?? 1, request.signal);
      this.requests += 1;
      this.options.onRequest?.();
      let answer: ApiAnswer;
      try {
        const response = await this.transport.request<string>({
          method,
          url: url.href,
          headers: {
            Accept: 'application/json',
            ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
            ...this.options.headers,
            ...request.headers,
          },
          ...(body !== undefined ? { data: JSON.stringify(body) } : {}),
          timeout: this.options.timeoutMs ?? 15_000,
          responseType: 'text',
          transformResponse: [(data: unknown) => data],
          validateStatus: () => true,
          maxContentLength: MAX_BODY_BYTES,
          ...(request.signal ? { signal: request.signal } : {}),
        });
        const text = typeof response.data === 'string' ? response.data : String(response.data ?? '');
        answer = { status: response.status, headers: plainHeaders(response), text, json: parseJson(text), path };
      } catch (cause) {
        const error = this.error({ kind: networkKind(cause), message: messageOf(cause) }, path, undefined, method);
        if (request.signal?.aborted || !this.failed(error, attempt, 0)) throw error;
        continue;
      }
      const asked = this.honourHints(answer);
      const problem = this.problemOf(answer);
      if (!problem) {
        this.options.backoff.reset();
        return answer;
      }
      const error = this.error(problem, path, answer, method);
      let askedMs = Math.max(asked, problem.retryAfterMs ?? 0);
      if (
        problem.kind === 'quota-exhausted' &&
        this.options.quotaResetAt &&
        this.options.backoff.consecutiveFailures === 0
      ) {
        const now = this.options.clock.now();
        askedMs = Math.max(askedMs, this.options.quotaResetAt(now) - now);
      }
      if (!this.failed(error, attempt, askedMs)) throw error;
    }
  }

  /**
   * Opens a streaming GET (one JSON object per line, as the X API sends). A refused connection throws
   * its ApiError after counting it; the caller decides how long to wait before the next one, because
   * streaming APIs document their own reconnect policies. `idleMs`: no byte for that long (not even a
   * keep-alive newline) ends the stream with a timeout error.
   */
  async openStream(request: ApiRequest, idleMs: number): Promise<AsyncGenerator<string>> {
    const url = this.checkedUrl(request);
    const path = this.redact(`${url.pathname}${url.search}`);
    this.waitedMs += await this.options.limiter.acquire(request.cost ?? 1, request.signal);
    this.requests += 1;
    this.options.onRequest?.();
    const controller = new AbortController();
    const abort = () => controller.abort();
    request.signal?.addEventListener('abort', abort, { once: true });
    let response: AxiosResponse<Readable>;
    try {
      response = await this.transport.request<Readable>({
        method: 'GET',
        url: url.href,
        headers: { Accept: 'application/json', ...this.options.headers, ...request.headers },
        timeout: this.options.timeoutMs ?? 15_000,
        responseType: 'stream',
        validateStatus: () => true,
        signal: controller.signal,
      });
    } catch (cause) {
      request.signal?.removeEventListener('abort', abort);
      const error = this.error({ kind: networkKind(cause), message: messageOf(cause) }, path);
      this.report(error);
      throw error;
    }
    if (response.status < 200 || response.status >= 300) {
      const text = await readAll(response.data, 64 * 1024);
      request.signal?.removeEventListener('abort', abort);
      const answer: ApiAnswer = {
        status: response.status,
        headers: plainHeaders(response),
        text,
        json: parseJson(text),
        path,
      };
      const asked = this.honourHints(answer);
      const problem = this.problemOf(answer) ?? { kind: 'unexpected', message: `HTTP ${response.status}` };
      const error = this.error(
        asked > 0 && problem.retryAfterMs === undefined ? { ...problem, retryAfterMs: asked } : problem,
        path,
        answer,
      );
      this.report(error);
      throw error;
    }
    this.options.backoff.reset();
    return this.lines(response.data, controller, idleMs, path, () =>
      request.signal?.removeEventListener('abort', abort),
    );
  }

  private report(error: ApiError): void {
    error.counted = true;
    this.options.onFailure?.({ error, attempt: 1, willRetry: false, waitMs: 0 });
  }

  private async *lines(
    body: Readable,
    controller: AbortController,
    idleMs: number,
    path: string,
    cleanup: () => void,
  ): AsyncGenerator<string> {
    const decoder = new StringDecoder('utf8');
    let idle = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        idle = true;
        controller.abort();
        body.destroy();
      }, idleMs);
    };
    let rest = '';
    try {
      arm();
      for await (const chunk of body) {
        arm();
        rest += decoder.write(chunk as Buffer);
        const parts = rest.split('\n');
        rest = parts.pop() ?? '';
        for (const part of parts) yield part.replace(/\r$/, '');
      }
      rest += decoder.end();
      if (rest.trim() !== '') yield rest.replace(/\r$/, '');
    } catch (cause) {
      if (!idle && !controller.signal.aborted) throw this.error({ kind: 'network', message: messageOf(cause) }, path);
    } finally {
      clearTimeout(timer);
      cleanup();
      body.destroy();
    }
    if (idle)
      throw this.error({ kind: 'timeout', message: `no data, not even a keep-alive, for ${idleMs / 1000} s` }, path);
  }
}

async function readAll(body: Readable, limit: number): Promise<string> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  try {
    for await (const chunk of body) {
      text += decoder.write(chunk as Buffer);
      if (text.length > limit) break;
    }
  } catch {
    // A body cut short still says enough for the error message.
  } finally {
    body.destroy();
  }
  return text + decoder.end();
}
