/**
 * When the supervisor restarts a component that died, as systemd's `Restart=on-failure` with
 * `RestartSec` growing per failure and `StartLimitBurst`/`StartLimitIntervalSec`: the delay doubles from
 * `firstDelayMs` up to `maxDelayMs` while the deaths come in a row (a run that lasted `stableAfterMs`
 * resets the count), and a component that has been started `burst` times within `windowMs` is given up
 * on (`failed`) instead of looping: the platform alert SluiceComponentFailed fires and `platform up`
 * starts it again. Pure: the supervisor keeps the history and asks what to do.
 */
export interface RestartPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  /** Starts allowed within `windowMs` before the component is given up on. */
  burst: number;
  windowMs: number;
  /** A run at least this long resets the doubling of the delay. */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  burst: 5,
  windowMs: 10 * 60_000,
  stableAfterMs: 60_000,
};

/** What the supervisor remembers of one component's starts; bounded by the policy's window. */
export interface RestartHistory {
  /** Times (ms) of the starts within the window, oldest first: at most `burst` entries are kept. */
  starts: number[];
  /** Deaths in a row, each after a run shorter than `stableAfterMs`. */
  consecutiveFailures: number;
}

export type RestartDecision = { action: 'restart'; delayMs: number } | { action: 'give-up'; reason: string };

export function emptyHistory(): RestartHistory {
  return { starts: [], consecutiveFailures: 0 };
}

/** Records a start at `now`, keeping only what the window needs. */
export function recordStart(history: RestartHistory, now: number, policy = DEFAULT_RESTART_POLICY): RestartHistory {
  const starts = [...history.starts.filter((t) => now - t < policy.windowMs), now].slice(-policy.burst);
  return { ...history, starts };
}

/** The component died at `now` after running `ranForMs`: restart it after a delay, or give up. */
export function onExit(
  history: RestartHistory,
  now: number,
  ranForMs: number,
  policy = DEFAULT_RESTART_POLICY,
): { history: RestartHistory; decision: RestartDecision } {
  const consecutiveFailures = ranForMs >= policy.stableAfterMs ? 1 : history.consecutiveFailures + 1;
  const starts = history.starts.filter((t) => now - t < policy.windowMs);
  const next = { starts, consecutiveFailures };
  if (starts.length >= policy.burst) {
    const minutes = Math.round(policy.windowMs / 60_000);
    return {
      history: next,
      decision: {
        action: 'give-up',
        reason: `started ${starts.length} times within ${minutes} min and died each time; not restarting it again (run: npx sluice platform up)`,
      },
    };
  }
  const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (consecutiveFailures - 1));
  return { history: next, decision: { action: 'restart', delayMs } };
}
