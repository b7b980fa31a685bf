/**
 * Fault: the JobManager is killed with -9 while a windowed job runs. No command is given: the supervisor
 * starts it again, it takes the leadership from ZooKeeper (Flink HA, decision 0021) and recovers the job,
 * under the same job id, from its last completed checkpoint. The exactly-once sink commits each window's
 * result once: a read_committed consumer sees every window exactly once, with the right counts.
 */
import { pidFileOf } from '../../../orchestrator/platform/component';
import { flinkFetch, flinkRestUrl } from '../../../orchestrator/platform/components/flink';
import { readPid } from '../../../orchestrator/platform/processes';
import { forCondition, waitFor } from '../../../orchestrator/platform/wait';
import { SqlTestbed } from '../sql-testbed';

const bed = new SqlTestbed();
const WINDOWS = 5;
const PER_WINDOW = 60; // one reading per second of event time
const rest = () => flinkRestUrl(bed.ctx);

beforeAll(() => bed.setUp());
afterAll(() => bed.tearDown());

async function jobState(jobId: string): Promise<{ state?: string; restored: number }> {
  try {
    const job = (await (
      await flinkFetch(bed.ctx, `${rest()}/jobs/${jobId}`, { signal: AbortSignal.timeout(3000) })
    ).json()) as {
      state?: string;
    };
    const checkpoints = (await (
      await flinkFetch(bed.ctx, `${rest()}/jobs/${jobId}/checkpoints`, { signal: AbortSignal.timeout(3000) })
    ).json()) as { counts?: { restored?: number } };
    return { state: job.state, restored: checkpoints.counts?.restored ?? 0 };
  } catch {
    return { restored: 0 }; // the JobManager is down or not the leader yet
  }
}

async function completedCheckpoints(jobId: string): Promise<number> {
  const body = (await (await flinkFetch(bed.ctx, `${rest()}/jobs/${jobId}/checkpoints`)).json()) as {
    counts?: { completed?: number };
  };
  return body.counts?.completed ?? 0;
}

test('kill -9 of the JobManager mid-run: restarted by the supervisor, it recovers the same job from its checkpoint and every window result is committed exactly once', async () => {
  const deployed = await bed.sluice(
    'deploy-pipeline',
    '--spec',
    bed.writeSpec({ windows: bed.copySql('120-iot-windows.sql') }),
  );
  if (deployed.code !== 0) throw new Error(`deploy-pipeline failed:\n${deployed.stdout}\n${deployed.stderr}`);
  const jobId = (await bed.runningJobs()).get(bed.jobName('windows'))!;
  expect(jobId).toBeDefined();

  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 60 * 60_000;
  const producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const total = WINDOWS * PER_WINDOW;
  let killed: number | undefined;
  // 300 readings over about 30 s; the JobManager dies a third of the way through, once a checkpoint has
  // completed (without one, the job would restart from the beginning: correct, but not this case).
  for (let second = 0; second < total; second += 10) {
    await producer.send({
      topic: bed.topics.readings,
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => bed.reading(t0, 'd1', second + i, 20)),
    });
    if (second === 100) {
      await waitFor(
        forCondition(
          'a completed checkpoint before the kill',
          120_000,
          async () => (await completedCheckpoints(jobId)) >= 1,
        ),
        { intervalMs: 1000 },
      );
      killed = readPid(pidFileOf(bed.ctx, 'flink-jobmanager'));
      process.kill(killed!, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  // Event time moves past the last full window (plus the 5 s lateness bound): it closes.
  await producer.send({ topic: bed.topics.readings, acks: -1, messages: [bed.reading(t0, 'd1', total + 70, 20)] });
  await producer.disconnect();
  expect(killed).toBeGreaterThan(0);

  await waitFor(
    forCondition('the same job RUNNING again, restored from a checkpoint', 240_000, async () => {
      const job = await jobState(jobId);
      return job.state === 'RUNNING' && job.restored >= 1;
    }),
    { intervalMs: 2000 },
  );
  // A new process, started by the supervisor (no command was given).
  expect(readPid(pidFileOf(bed.ctx, 'flink-jobmanager'))).not.toBe(killed);
  const windows = await bed.readCommitted(bed.topics.device1m, WINDOWS, 180_000);
  const byKcat = await bed.kcatCommitted(bed.topics.device1m);
  if (byKcat) expect(byKcat.map((r) => r.key)).toEqual(Array.from({ length: WINDOWS }, () => 'd1'));
  const rows = windows
    .map((w) => [((w.window_start as number) - t0) / 60_000, w.readings])
    .sort((a, b) => Number(a[0]) - Number(b[0]));
  expect(rows).toEqual(Array.from({ length: WINDOWS }, (_, i) => [i, PER_WINDOW]));
}, 900_000);
