/** A clock for tests: sleeping moves time forward at once, and every sleep is recorded. */
import type { Clock } from '../framework/clock';

export class FakeClock implements Clock {
  readonly sleeps: number[] = [];

  // After the latest time in the recorded payloads (2026-09-25), as a real fetch of them would be.
  constructor(private time = Date.UTC(2026, 9, 5, 9, 0, 0)) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  async sleep(ms: number): Promise<void> {
    if (ms > 0) {
      this.sleeps.push(ms);
      this.time += ms;
    }
    // Let other promises run, as a real sleep would.
    await Promise.resolve();
  }
}
