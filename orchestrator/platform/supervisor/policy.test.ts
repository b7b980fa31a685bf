import { DEFAULT_RESTART_POLICY as policy, emptyHistory, onExit, recordStart } from './policy';

describe('restart policy', () => {
  test('the delay doubles for deaths in a row and is capped', () => {
    let history = emptyHistory();
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 7; i++) {
      const { history: next, decision } = onExit(history, now, 5_000, { ...policy, burst: 100 });
      expect(decision.action).toBe('restart');
      if (decision.action === 'restart') delays.push(decision.delayMs);
      history = next;
      now += 1_000;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  test('a run that lasted past stableAfterMs resets the delay', () => {
    const after3 = { starts: [], consecutiveFailures: 3 };
    const { decision } = onExit(after3, 0, policy.stableAfterMs, policy);
    expect(decision).toEqual({ action: 'restart', delayMs: policy.firstDelayMs });
  });

  test('burst starts within the window: given up on, with what to run', () => {
    let history = emptyHistory();
    for (let t = 0; t < policy.burst; t++) history = recordStart(history, t * 1000, policy);
    const { decision } = onExit(history, policy.burst * 1000, 100, policy);
    expect(decision.action).toBe('give-up');
    if (decision.action === 'give-up') expect(decision.reason).toMatch(/5 times within 10 min.*platform up/);
  });

  test('starts older than the window do not count, and the history stays bounded', () => {
    let history = emptyHistory();
    for (let t = 0; t < 50; t++) history = recordStart(history, t * policy.windowMs, policy);
    expect(history.starts).toHaveLength(1);
    for (let t = 0; t < 50; t++) history = recordStart(history, 100 * policy.windowMs + t, policy);
    expect(history.starts).toHaveLength(policy.burst);
    const { decision } = onExit(history, 102 * policy.windowMs, 10, policy);
    expect(decision.action).toBe('restart');
  });
});
