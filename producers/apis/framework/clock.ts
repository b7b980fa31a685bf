/**
 * Time for the ingestors, behind one seam: rate limits, backoff and schedules read `now()` and wait with
 * `sleep()`, so tests run hours of API traffic on a fake clock without sleeping
 * (producers/apis/testing/fake-clock.ts).
 */

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts (callers check `signal.aborted`). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
