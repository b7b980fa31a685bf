/** A scheduler whose ticks a test fires itself, as fast as it likes: a burst schedule without waiting. */
import type { ScheduledJob, Scheduler } from '../framework/schedule';

export class ManualScheduler implements Scheduler {
  private tick: (() => Promise<void>) | undefined;
  private readonly waiting: Array<() => void> = [];
  expression: string | undefined;
  stopped = false;

  start(expression: string, tick: () => Promise<void>): ScheduledJob {
    this.expression = expression;
    this.tick = tick;
    for (const resolve of this.waiting.splice(0)) resolve();
    return { stop: async () => void (this.stopped = true) };
  }

  /** Resolves once the runner has registered its schedule (after its first, immediate poll). */
  started(): Promise<void> {
    return this.tick ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Fires `n` ticks back to back, each as soon as the previous one returns. */
  async fire(n: number): Promise<void> {
    await this.started();
    for (let i = 0; i < n; i++) await this.tick!();
  }
}
