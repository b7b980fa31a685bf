/**
 * Fault: the TaskManager is killed with -9 while a windowed job runs and is started again. The job
 * restores from its last checkpoint, re-reads what came after it, and its exactly-once sink commits each
 * window's result once: a read_committed consumer sees every window exactly once, with the right counts.
 */
import { pidFileOf } from '../../../orchestrator/platform/component';
import { flinkFetch, flinkRestUrl } from '../../../orchestrator/platform/components/flink';
import { up } from '../../../orchestrator/platform/platform';
import { readPid } from '../../../orchestrator/platform/processes';
import { forCondition, waitFor } from '../../../orchestrator/platform/wait';
import { SqlTestbed } from '../sql-testbed';

const bed = new SqlTestbed();
const WINDOWS = 5;
const PER_WINDOW = 60; // one reading per second of event time

beforeAll(() => bed.setUp());
afterAll(async () => {
  await up(bed.ctx, ['flink-taskmanager']);
  await bed.tearDown();
});

async function restarts(jobId: string): Promise<number> {
  const response = await flinkFetch(bed.ctx, `${flinkRestUrl(bed.ctx)}/jobs/${jobId}/checkpoints`);
  const body = (await response.json()) as { counts?: { restored?: number } };
  return body.counts?.restored ?? 0;
}

test('kill -9 of the TaskManager mid-run: the job restores from its checkpoint and every window result is committed exactly once', async () => {
  const deployed = await bed.sluice(
    'deploy-pipeline',
    '--spec',
    bed.writeSpec({ windows: bed.copySql('120-iot-windows.sql') }),
  );
  expect(deployed.code).toBe(0);
  const jobId = (await bed.runningJobs()).get(bed.jobName('windows'))!;

  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 60 * 60_000;
  const producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const total = WINDOWS * PER_WINDOW;
  let killedAt = -1;
  // 300 readings over about 30 s; the TaskManager dies a third of the way through.
  for (let second = 0; second < total; second += 10) {
    await producer.send({
      topic: bed.topics.readings,
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => bed.reading(t0, 'd1', second + i, 20)),
    });
    if (second === 100) {
      process.kill(readPid(pidFileOf(bed.ctx, 'flink-taskmanager'))!, 'SIGKILL');
      killedAt = second;
      await up(bed.ctx, ['flink-taskmanager']);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  // Event time moves past the last full window (plus the 5 s lateness bound): it closes.
  await producer.send({ topic: bed.topics.readings, acks: -1, messages: [bed.reading(t0, 'd1', total + 70, 20)] });
  await producer.disconnect();
  expect(killedAt).toBe(100);

  await waitFor(
    forCondition('the job to restore from a checkpoint', 120_000, async () => (await restarts(jobId)) >= 1),
    { intervalMs: 2000 },
  );
  const windows = await bed.readCommitted(bed.topics.device1m, WINDOWS, 180_000);
  // librdkafka's read_committed view of the same topic (an independent implementation): one record per window.
  const byKcat = await bed.kcatCommitted(bed.topics.device1m);
  if (byKcat) expect(byKcat.map((r) => r.key)).toEqual(Array.from({ length: WINDOWS }, () => 'd1'));
  const rows = windows
    .map((w) => [((w.window_start as number) - t0) / 60_000, w.readings])
    .sort((a, b) => Number(a[0]) - Number(b[0]));
  expect(rows).toEqual(Array.from({ length: WINDOWS }, (_, i) => [i, PER_WINDOW]));
});
