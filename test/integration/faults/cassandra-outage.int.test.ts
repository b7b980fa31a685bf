/**
 * Fault: Cassandra is stopped for 60 s while events keep coming. The sink's writes fail, it throws
 * RetriableException, and Connect delivers the same batch again every retry.backoff.ms; the task stays
 * RUNNING the whole time (nothing goes to the dead-letter topic, nothing is skipped), and once
 * Cassandra is back every event is written: N events, N rows.
 */
import { randomUUID } from 'node:crypto';
import { down, up } from '../../../orchestrator/platform/platform';
import { ConnectTestbed, hoursOfToday } from '../connect-testbed';

const bed = new ConnectTestbed();
const sink = bed.connector('cassandra-iot', 'cassandra-iot-readings.json', [bed.readings]);
const { t0, day } = hoursOfToday(1);

beforeAll(async () => {
  const deployed = await bed.deploy();
  expect(deployed.code).toBe(0);
});
afterAll(async () => {
  await up(bed.ctx, ['cassandra']);
  await bed.tearDown();
});

test('Cassandra down for 60 s: the task keeps RUNNING and retries, and nothing is lost once Cassandra is back', async () => {
  const device = `dev-${randomUUID().slice(0, 8)}`;
  const produced: string[] = [];
  const send = async (count: number) => {
    const batch = Array.from({ length: count }, () => {
      const id = randomUUID();
      produced.push(id);
      return bed.reading(device, t0 + produced.length * 1000, id);
    });
    await bed.produce(bed.readings, batch);
  };
  await send(50);
  await bed.waitForCount(`rows of ${device}`, 50, async () => (await bed.deviceRows(device, day)).length);

  const states = new Set<string>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const status = await bed.connect.settledStatus(sink, 1).catch(() => undefined);
      if (status) states.add([status.state, ...status.tasks.map((t) => t.state)].join(' '));
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();

  await down(bed.ctx, ['cassandra']);
  const stoppedAt = Date.now();
  // Events keep coming while Cassandra is away: 10 a second for 60 s.
  while (Date.now() - stoppedAt < 60_000) {
    await send(10);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await up(bed.ctx, ['cassandra']);
  await send(50);

  expect(
    await bed.waitForCount(
      `rows of ${device}`,
      produced.length,
      async () => (await bed.deviceRows(device, day)).length,
      300_000,
    ),
  ).toBe(produced.length);
  watching = false;
  await watch;
  expect(new Set(await bed.deviceRows(device, day))).toEqual(new Set(produced));
  expect([...states]).toEqual(['RUNNING RUNNING']);
  // Nothing was sent to the dead-letter topic: an unreachable database is not bad data. Its end offsets
  // say so at once (the topic exists: fetching the offsets of a missing topic throws).
  expect(await bed.deadLetterCount(sink)).toBe(0);
});
