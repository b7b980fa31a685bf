import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles from the base up to the ceiling, keeping at least half of each delay', () => {
    const low = new Backoff({ baseMs: 1000, maxMs: 8000 }, () => 0);
    expect([1, 2, 3, 4, 5].map(() => low.next())).toEqual([500, 1000, 2000, 4000, 4000]);
    const high = new Backoff({ baseMs: 1000, maxMs: 8000 }, () => 1);
    expect([1, 2, 3, 4, 5].map(() => high.next())).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('never waits less than the API asked for, and starts over after a success', () => {
    const backoff = new Backoff({ baseMs: 1000, maxMs: 8000 }, () => 0.5);
    expect(backoff.next(60_000)).toBe(60_000);
    expect(backoff.next()).toBe(1500);
    backoff.reset();
    expect(backoff.consecutiveFailures).toBe(0);
    expect(backoff.next()).toBe(750);
  });
});
