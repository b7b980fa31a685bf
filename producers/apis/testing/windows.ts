/** The most requests (or cost units) in any window (t - W, t] of a sequence of request times. */
export function maxInWindow(times: readonly number[], windowMs: number, costs?: readonly number[]): number {
  const events = times.map((t, i) => ({ t, cost: costs?.[i] ?? 1 })).sort((a, b) => a.t - b.t);
  let best = 0;
  let sum = 0;
  let first = 0;
  for (const event of events) {
    sum += event.cost;
    while (events[first]!.t <= event.t - windowMs) sum -= events[first++]!.cost;
    best = Math.max(best, sum);
  }
  return best;
}
