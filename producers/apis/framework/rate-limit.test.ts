import { isSluiceError } from '../../../lib/errors';
import { FakeClock } from '../testing/fake-clock';
import { maxInWindow } from '../testing/windows';
import { DAY, HOUR, MINUTE, SECOND } from './clock';
import { RateLimiter, rateHints, type RateWindow } from './rate-limit';

async function acquireMany(windows: RateWindow[], n: number, cost = 1): Promise<{ times: number[]; clock: FakeClock }> {
  const clock = new FakeClock();
  const limiter = new RateLimiter(windows, clock);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await limiter.acquire(cost);
    times.push(clock.now());
  }
  return { times, clock };
}

describe('RateLimiter', () => {
  it.each([
    [
      'OpenAQ',
      [
        { limit: 60, perMs: MINUTE },
        { limit: 2000, perMs: HOUR },
      ],
      5000,
    ],
    [
      'TomTom',
      [
        { limit: 10, perMs: SECOND },
        { limit: 2500, perMs: DAY },
      ],
      6000,
    ],
    ['Alpha Vantage', [{ limit: 25, perMs: DAY, burst: 5 }], 100],
    [
      'Open-Meteo',
      [
        { limit: 600, perMs: MINUTE },
        { limit: 5000, perMs: HOUR },
        { limit: 10_000, perMs: DAY },
      ],
      25_000,
    ],
    ['one a minute', [{ limit: 1, perMs: MINUTE }], 50],
  ])(
    'never lets more than the limit through in any window (%s, %i requests back to back)',
    async (_name, windows, n) => {
      const { times } = await acquireMany(windows, n);
      for (const w of windows) expect(maxInWindow(times, w.perMs)).toBeLessThanOrEqual(w.limit);
    },
  );

  it('still uses most of the limit: limit - burst + 1 per window, steadily', async () => {
    const { times } = await acquireMany([{ limit: 60, perMs: MINUTE }], 600);
    expect(maxInWindow(times, MINUTE)).toBe(60);
    // A burst of 6, then 55 a minute: the 600th request after (600 - 6) / 55 minutes.
    expect(times[599]! - times[0]!).toBe(Math.ceil(((600 - 6) / 55) * MINUTE));
  });

  it('counts cost units (Google elements), and refuses a request that can never fit its burst', async () => {
    const costs = Array.from({ length: 900 }, () => 100);
    const { times } = await acquireMany([{ limit: 60_000, perMs: MINUTE, burst: 1000 }], costs.length, 100);
    expect(maxInWindow(times, MINUTE, costs)).toBeLessThanOrEqual(60_000);
    const limiter = new RateLimiter([{ limit: 60_000, perMs: MINUTE, burst: 1000 }], new FakeClock());
    expect(() => limiter.acquire(1001)).toThrow(/can never pass a burst of 1000/);
  });

  it('holds requests while paused, and serves waiting callers one at a time', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter([{ limit: 10, perMs: SECOND, burst: 10 }], clock);
    limiter.pauseUntil(clock.now() + 30 * SECOND);
    const start = clock.now();
    const waits = await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    expect(clock.now() - start).toBe(30 * SECOND);
    expect(waits[0]).toBe(30 * SECOND);
  });

  it('stops waiting when aborted', async () => {
    const limiter = new RateLimiter([{ limit: 1, perMs: DAY }], new FakeClock());
    await limiter.acquire();
    const controller = new AbortController();
    controller.abort();
    const error = await limiter.acquire(1, controller.signal).catch((e: unknown) => e);
    expect(isSluiceError(error, 'SLUICE_API_ERROR')).toBe(true);
  });
});

describe('rateHints', () => {
  const now = Date.UTC(2026, 0, 5, 9);

  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(rateHints({ 'retry-after': '120' }, now)).toEqual({ retryAfterMs: 120_000 });
    expect(rateHints({ 'retry-after': new Date(now + 90_000).toUTCString() }, now)).toEqual({ retryAfterMs: 90_000 });
    expect(rateHints({ 'retry-after': 'soon' }, now)).toEqual({});
  });

  it('reads an exhausted x-ratelimit-* window, reset in seconds or as a Unix time (X)', () => {
    expect(rateHints({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '42' }, now)).toEqual({ resetInMs: 42_000 });
    expect(rateHints({ 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(now / 1000 + 600) }, now)).toEqual({
      resetInMs: 600_000,
    });
    expect(rateHints({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '42' }, now)).toEqual({});
  });
});
