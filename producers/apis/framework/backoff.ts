/**
 * Exponential backoff with jitter after failed requests. "Equal jitter": half the exponential delay is
 * kept and the other half drawn at random, so clients that failed together do not retry together, and no
 * retry comes sooner than half the delay. A Retry-After the API sent always wins when it is longer.
 */

export interface BackoffPolicy {
  /** Delay after the first failure, before jitter. */
  baseMs: number;
  /** Ceiling of the exponential part. */
  maxMs: number;
  /** Growth per consecutive failure (default 2). */
  factor?: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5 * 60_000 };

export class Backoff {
  private failures = 0;

  constructor(
    readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** The wait after one more failure, at least `atLeastMs` (what the API asked for). */
  next(atLeastMs = 0): number {
    const exponential = Math.min(this.policy.maxMs, this.policy.baseMs * (this.policy.factor ?? 2) ** this.failures);
    this.failures += 1;
    const jittered = Math.round(exponential / 2 + (this.random() * exponential) / 2);
    return Math.max(atLeastMs, jittered);
  }

  reset(): void {
    this.failures = 0;
  }
}
