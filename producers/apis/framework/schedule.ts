/**
 * Schedules from the spec (`ingestors.<api>.schedule`) are cron expressions run by node-cron, behind a
 * small interface so tests drive ticks themselves (producers/apis/testing/manual-scheduler.ts).
 * Overlapping ticks are skipped (noOverlap): a slow poll is not stacked on itself. The spec's loader
 * checks the expressions with node-cron beforehand (orchestrator/spec/ingestor-checks.ts).
 */
import cron from 'node-cron';

export interface ScheduledJob {
  stop(): Promise<void>;
}

export interface Scheduler {
  start(expression: string, tick: () => Promise<void>, name: string): ScheduledJob;
}

export const cronScheduler: Scheduler = {
  start(expression, tick, name) {
    const task = cron.schedule(expression, () => tick(), { name, noOverlap: true });
    return {
      stop: async () => {
        await task.destroy();
      },
    };
  },
};
