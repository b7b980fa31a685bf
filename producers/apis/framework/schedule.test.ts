import { cronScheduler } from './schedule';

describe('cronScheduler', () => {
  it('runs the tick on the cron schedule (node-cron, seconds field first) until stopped', async () => {
    let ticks = 0;
    const job = cronScheduler.start('* * * * * *', async () => void (ticks += 1), 'test');
    const deadline = Date.now() + 3000;
    while (ticks === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await job.stop();
    const stoppedAt = ticks;
    await new Promise((r) => setTimeout(r, 1200));
    expect(stoppedAt).toBeGreaterThan(0);
    expect(ticks).toBe(stoppedAt);
  });
});
