/**
 * Fault: the Kafka Connect worker is killed with -9 while a sink writes, and started again. Offsets of
 * what was written but not yet committed are lost with the worker, so the restarted task reads those
 * records again; the writes are upserts by primary key, so Cassandra ends with exactly one row per
 * event: N events, N rows, none lost, none doubled.
 */
import { randomUUID } from 'node:crypto';
import { pidFileOf } from '../../../orchestrator/platform/component';
import { up } from '../../../orchestrator/platform/platform';
import { readPid, runningPid } from '../../../orchestrator/platform/processes';
import { ConnectTestbed, hoursOfToday } from '../connect-testbed';

const bed = new ConnectTestbed();
const sink = bed.connector('cassandra-iot', 'cassandra-iot-readings.json', [bed.readings]);
const { t0, day } = hoursOfToday(1);

beforeAll(async () => {
  const deployed = await bed.deploy();
  expect(deployed.code).toBe(0);
});
afterAll(async () => {
  await up(bed.ctx, ['connect']);
  await bed.tearDown();
});

test('kill -9 of the Connect worker mid-run: after its restart, exactly N rows, one per event', async () => {
  const device = `dev-${randomUUID().slice(0, 8)}`;
  const N = 600;
  const events = Array.from({ length: N }, (_, i) => bed.reading(device, t0 + i * 5000));
  let restarted: Promise<void> | undefined;
  // 600 readings in batches of 20 a second; the worker dies a third of the way through.
  for (let i = 0; i < N; i += 20) {
    await bed.produce(bed.readings, events.slice(i, i + 20));
    if (i === 200) {
      const pid = readPid(pidFileOf(bed.ctx, 'connect'))!;
      process.kill(pid, 'SIGKILL');
      // Writing goes on while the worker comes back (up waits for it to join its group again).
      restarted = (async () => {
        while (runningPid(pidFileOf(bed.ctx, 'connect'), 'connect', bed.ctx.paths.home) !== undefined)
          await new Promise((r) => setTimeout(r, 200));
        await up(bed.ctx, ['connect']);
      })();
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  await restarted;
  expect(
    await bed.waitForCount(`rows of ${device}`, N, async () => (await bed.deviceRows(device, day)).length, 300_000),
  ).toBe(N);
  const status = await bed.status(sink);
  expect([status.state, status.tasks.map((t) => t.state)]).toEqual(['RUNNING', ['RUNNING']]);
});
