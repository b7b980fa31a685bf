/**
 * Client-side rate limiting: one token bucket per documented window of an API (OpenAQ: 60 a minute and
 * 2,000 an hour), all of which must have a token before a request leaves, plus pauses the API itself asks
 * for (`x-ratelimit-remaining: 0`, `Retry-After`, backoff after an error).
 *
 * A plain bucket of capacity L refilling L per window W lets 2L requests through in one window (a full
 * bucket, then a window of refill). So each bucket holds a small burst C and refills (L - C + 1) per W:
 * the requests in any window (t - W, t] are at most the C tokens held at its first request plus what
 * trickles in over less than W, C + (L - C + 1) · (less than 1), hence at most L. The price is a steady
 * rate of L - C + 1 per window instead of L (55 a minute for OpenAQ's 60). One request at a time takes
 * tokens (a queue), so waits do not overlap and the bound holds however many callers there are.
 */
import { SluiceError } from '../../../lib/errors';
import type { Clock } from './clock';

export interface RateWindow {
  /** Requests (or cost units: Google counts elements) allowed per window. */
  limit: number;
  /** Window length in ms. */
  perMs: number;
  /** Requests that may leave back to back; default a tenth of the limit, at least 1. */
  burst?: number;
  /** Where the figure comes from (docs, or "self-imposed"), for the guide and messages. */
  source?: string;
}

/**
 * Tokens are kept scaled by the window length (one token = perMs units, refill = L - C + 1 units per ms),
 * so every quantity is an integer and the bound above holds exactly: at 25 a day, float rounding of a
 * millionth of a token is 4 ms early, which is enough to let a 26th request into a day.
 */
class TokenBucket {
  readonly capacity: number;
  private readonly unit: number;
  private readonly refillPerMs: number;
  private scaled: number;
  private updated: number;

  constructor(
    readonly window: RateWindow,
    now: number,
  ) {
    if (
      !(window.limit >= 1) ||
      !(window.perMs >= 1) ||
      !Number.isInteger(window.limit) ||
      !Number.isInteger(window.perMs)
    ) {
      throw new SluiceError(
        'SLUICE_CONFIG_INVALID',
        `a rate window needs a whole limit of at least 1 and a whole length in ms, got ${window.limit} per ${window.perMs} ms`,
      );
    }
    this.capacity = Math.min(window.limit, Math.max(1, Math.floor(window.burst ?? window.limit / 10)));
    this.unit = window.perMs;
    this.refillPerMs = window.limit - this.capacity + 1;
    this.scaled = this.capacity * this.unit;
    this.updated = Math.floor(now);
  }

  private refill(now: number): void {
    const t = Math.floor(now);
    if (t > this.updated)
      this.scaled = Math.min(this.capacity * this.unit, this.scaled + (t - this.updated) * this.refillPerMs);
    this.updated = Math.max(this.updated, t);
  }

  /** Milliseconds until `cost` tokens are there (0: now). */
  waitFor(cost: number, now: number): number {
    this.refill(now);
    const missing = cost * this.unit - this.scaled;
    return missing <= 0 ? 0 : Math.ceil(missing / this.refillPerMs);
  }

  take(cost: number, now: number): void {
    this.refill(now);
    this.scaled -= cost * this.unit;
  }
}

export class RateLimiter {
  private readonly buckets: TokenBucket[];
  private pausedUntil = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly windows: readonly RateWindow[],
    private readonly clock: Clock,
  ) {
    this.buckets = windows.map((w) => new TokenBucket(w, clock.now()));
  }

  /** Holds every request until `time` (the API said to wait, or backoff after an error). */
  pauseUntil(time: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, time);
  }

  get pausedUntilTime(): number {
    return this.pausedUntil;
  }

  /** Waits until a request of `cost` may leave, then takes its tokens; resolves to the ms waited. */
  acquire(cost = 1, signal?: AbortSignal): Promise<number> {
    for (const bucket of this.buckets) {
      if (cost > bucket.capacity) {
        throw new SluiceError(
          'SLUICE_CONFIG_INVALID',
          `a request costing ${cost} can never pass a burst of ${bucket.capacity} (limit ${bucket.window.limit} per ${bucket.window.perMs} ms)`,
          {
            fix: "split the request into smaller ones, or raise the window's burst",
          },
        );
      }
    }
    const turn = this.queue.then(() => this.wait(cost, signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async wait(cost: number, signal?: AbortSignal): Promise<number> {
    const started = this.clock.now();
    for (;;) {
      if (signal?.aborted)
        throw new SluiceError('SLUICE_API_ERROR', 'stopped while waiting for the rate limit', {
          retriable: false,
          details: { kind: 'aborted' },
        });
      const now = this.clock.now();
      const wait = Math.max(this.pausedUntil - now, ...this.buckets.map((b) => b.waitFor(cost, now)));
      if (wait <= 0) break;
      await this.clock.sleep(wait, signal);
    }
    const now = this.clock.now();
    for (const bucket of this.buckets) bucket.take(cost, now);
    return now - started;
  }
}

/** What an answer's headers say about the limit: when the API wants the next request at the earliest. */
export interface RateHints {
  /** From Retry-After (seconds or an HTTP date). */
  retryAfterMs?: number;
  /** From x-ratelimit-remaining: 0 with x-ratelimit-reset (or the x-rate-limit-* and ratelimit-* spellings). */
  resetInMs?: number;
}

const header = (headers: Record<string, string>, ...names: string[]): string | undefined => {
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
};

/** A reset is seconds from now, or a Unix time in seconds (X): anything after 2001 is a time. */
function resetMs(value: string, now: number): number | undefined {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) return undefined;
  return n > 1e9 ? Math.max(0, n * 1000 - now) : n * 1000;
}

export function rateHints(headers: Record<string, string>, now: number): RateHints {
  const hints: RateHints = {};
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    const at = Number.isFinite(seconds) ? now + seconds * 1000 : Date.parse(retryAfter);
    if (Number.isFinite(at)) hints.retryAfterMs = Math.max(0, at - now);
  }
  const remaining = header(headers, 'x-ratelimit-remaining', 'x-rate-limit-remaining', 'ratelimit-remaining');
  const reset = header(headers, 'x-ratelimit-reset', 'x-rate-limit-reset', 'ratelimit-reset');
  if (remaining !== undefined && Number(remaining) <= 0 && reset !== undefined) {
    const ms = resetMs(reset, now);
    if (ms !== undefined) hints.resetInMs = ms;
  }
  return hints;
}
