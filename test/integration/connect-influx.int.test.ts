/**
 * Flink's windows into InfluxDB (issue 5): the repository's IoT window job runs on hand-made readings
 * (like streaming-sql.int.test.ts), its exactly-once Avro output is read by a connector made from
 * connectors/influx-aggregates.json, and the points read back with @influxdata/influxdb-client hold the
 * windows: a measurement per topic, the key columns as tags, the numbers as fields, window_end as time.
 */
import { ConnectTestbed } from './connect-testbed';
import { SqlTestbed } from './sql-testbed';

const sql = new SqlTestbed();
const bed = new ConnectTestbed([sql.topics.device1m, sql.topics.site1m].map((name) => ({ name, partitions: 1 })));
const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
const iso = (secondsAfterT0: number) => new Date(t0 + secondsAfterT0 * 1000).toISOString().replace('.000Z', 'Z');

beforeAll(async () => {
  await sql.setUp();
  const jobs = await sql.sluice(
    'deploy-pipeline',
    '--spec',
    sql.writeSpec({ windows: sql.copySql('120-iot-windows.sql') }),
  );
  expect(jobs.code).toBe(0);
  bed.connector('influx', 'influx-aggregates.json', [sql.topics.device1m, sql.topics.site1m]);
  const deployed = await bed.deploy();
  expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(deployed.code).toBe(0);
});
afterAll(async () => {
  await bed.tearDown();
  await sql.tearDown();
});

test("Flink's one-minute windows land in InfluxDB: a point per window, tagged by its keys, at its end", async () => {
  const reading = (device: string, seconds: number, temperature: number) =>
    sql.reading(t0, device, seconds, temperature);
  const producer = sql.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const send = (messages: Array<{ key: string; value: Buffer }>) =>
    producer.send({ topic: sql.topics.readings, acks: -1, messages });
  await send([
    reading('d1', 1, 10),
    reading('d1', 20, 20),
    reading('d2', 25, 50),
    reading('d1', 40, 30),
    reading('d1', 59, 40),
    reading('d1', 61, 5),
  ]);
  await new Promise((r) => setTimeout(r, 4000));
  await send([reading('d1', 140, 10)]); // moves the watermark past t0+120 s: the first two minutes close
  await producer.disconnect();

  const measurement = sql.topics.device1m;
  await bed.waitForCount(
    `points of ${measurement}`,
    3,
    async () => (await bed.influxPoints(measurement)).length,
    240_000,
  );
  const points = (await bed.influxPoints(measurement))
    .map((p) => ({
      time: p._time,
      device: p.device_id,
      site: p.site_id,
      readings: p.readings,
      avg: p.temperature_avg,
      min: p.temperature_min,
      max: p.temperature_max,
      start: p.window_start,
    }))
    .sort((a, b) => String(a.time).localeCompare(String(b.time)) || String(a.device).localeCompare(String(b.device)));
  expect(points).toEqual([
    { time: iso(60), device: 'd1', site: 'site-01', readings: 4, avg: 25, min: 10, max: 40, start: undefined },
    { time: iso(60), device: 'd2', site: 'site-01', readings: 1, avg: 50, min: 50, max: 50, start: undefined },
    { time: iso(120), device: 'd1', site: 'site-01', readings: 1, avg: 5, min: 5, max: 5, start: undefined },
  ]);

  const sites = (await bed.influxPoints(sql.topics.site1m))
    .map((p) => [p._time, p.site_id, p.device_id, p.devices, p.readings])
    .sort();
  expect(sites).toEqual([
    [iso(60), 'site-01', undefined, 2, 5],
    [iso(120), 'site-01', undefined, 1, 1],
  ]);

  const status = await bed.status(bed.name('influx'));
  expect([status.state, status.tasks.map((t) => t.state)]).toEqual(['RUNNING', ['RUNNING']]);
});
