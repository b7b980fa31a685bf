/**
 * Issue 10, item 3 (must-show): the anomaly service survives a burst. On top of a demo-like load
 * (`sluice simulate iot --rate 5`: 50 devices, a reading each every 10 s), `sluice simulate iot --rate
 * 4000 --duration 20` writes 80,000 readings of 40,000 new devices into the same `iot.readings`. A
 * suite-private copy of the IoT window job (sql/120-iot-windows.sql, one-minute windows, reading the
 * demo's `iot.readings` from its latest offset) turns them into windows; the service, run as `sluice
 * anomaly` with the demo's IoT detectors, watches them. Once the service sent 12,923 alerts for such a
 * burst, grew to 2.3 GB and never caught up; now, and checked here:
 *
 * - at most 10 alerts, in the alerts topic and in Alertmanager (before the control below);
 * - its resident memory stays under its stated bound (statedMemoryBound(maxSeries), docs/guides/
 *   alerting-and-dashboards.md#bounds), its live series under maxSeries, and the 150 established series
 *   of the 50 demo devices are all still there after it;
 * - its consumer lag (measured here, with the admin client, from the group's committed offset) is back
 *   to zero within 2 minutes of the burst's end, once Flink has written the burst's windows;
 * - the positive control: afterwards one device running hot (a hand-made reading at 84 °C, over the
 *   suite's rule `temperature_max above 80`) is alerted on its own, in the alerts topic and in
 *   Alertmanager with its Grafana link, and resolves once it is normal again (issue 15 item 5).
 */
import { monitoringCredentials } from '../../orchestrator/platform/components/monitoring';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, Producer } from 'kafkajs';
import { parse, stringify } from 'yaml';
import { encodeWire, parseSchema } from '../../lib/avro/wire';
import { repoRoot } from '../../lib/repo';
import { AlertmanagerClient, AvroDecoder, type AlertRecord } from '../../anomaly/service';
import { statedMemoryBound } from '../../anomaly/service/config';
import { deployPipeline } from '../../orchestrator/cli/pipeline';
import { FLINK_KAFKA_SECRET, FLINK_KAFKA_USER } from '../../orchestrator/platform/components/flink';
import { run } from '../../orchestrator/platform/processes';
import { expandAcls } from '../../orchestrator/providers/acl';
import { loadSpec } from '../../orchestrator/spec';
import { readSchema } from '../../schemas';
import { uniqueName } from './helpers';
import { SqlTestbed } from './sql-testbed';

const bed = new SqlTestbed();
const { ctx, topics } = bed;
const MINUTE = 60_000;
const MAX_SERIES = 10_000;
/** The must-show's numbers. */
const MAX_ALERTS = 10;
const LAG_BACK_MS = 120_000;

const principal = `anomaly-${bed.id}`;
const group = principal;
const alertsTopic = `${bed.id}.alerts`;
const stateTopic = `${bed.id}.anomaly.state`;
const alertmanager = new AlertmanagerClient({
  url: `http://${ctx.host}:${ctx.ports.alertmanager}`,
  basicAuth: monitoringCredentials(ctx),
});
const sluiceJs = join(repoRoot(), 'bin', 'sluice.js');

/**
 * The demo spec without its SQL jobs, connectors and Cassandra tables (as the simulate suite deploys
 * it): the simulators' principal sim-iot, iot.readings and its schema. Without --prune nothing else
 * deployed changes.
 */
function demoSpecWithoutJobs(): string {
  const root = repoRoot();
  const spec = parse(readFileSync(join(root, 'pipeline.yaml'), 'utf8')) as Record<string, unknown> & {
    topics: Array<{ valueSchema?: string }>;
  };
  delete spec.sql;
  delete spec.connectors;
  delete spec.cassandra;
  for (const topic of spec.topics) if (topic.valueSchema) topic.valueSchema = join(root, topic.valueSchema);
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-burst-demo-')), 'pipeline.yaml');
  writeFileSync(file, stringify(spec));
  return file;
}

/** The suite's spec: the window job reading the demo's iot.readings, the service's topics, principal and what it watches. */
function writeSuiteSpec(): string {
  // The readings table reads the demo's topic, from now on (not its history).
  bed.copySql('010-sources.sql', (sql) => {
    const from = `'topic' = '${topics.readings}',\n  'properties.group.id' = 'flink-sluice',\n  'scan.startup.mode' = 'earliest-offset',`;
    if (!sql.includes(from)) throw new Error(`010-sources.sql no longer declares the readings as expected:\n${from}`);
    return sql.replace(
      from,
      `'topic' = 'iot.readings',\n  'properties.group.id' = 'flink-sluice',\n  'scan.startup.mode' = 'latest-offset',`,
    );
  });
  const windows = bed.copySql('120-iot-windows.sql');
  const base = readFileSync(bed.writeSpec({ windows }), 'utf8');
  const file = join(bed.workDir, 'anomaly-burst-spec.yaml');
  writeFileSync(
    file,
    `${base}
topics:
  - name: ${topics.device1m}
    partitions: 1
    config: { min.insync.replicas: 2 }
  - name: ${alertsTopic}
    partitions: 1
    valueSchema: ${join(repoRoot(), 'schemas', 'alert.avsc')}
    config: { min.insync.replicas: 2 }
  - name: ${stateTopic}
    partitions: 1
    config: { min.insync.replicas: 2, cleanup.policy: compact }
principals:
  - name: ${principal}
    consumes:
      - { group: ${group}, topics: [${topics.device1m}] }
      - { group: ${group}-restore, topics: [${stateTopic}] }
    produces: [${alertsTopic}, ${stateTopic}]
    acls:
      - { resourceType: transactional-id, name: ${group}, operations: [write, describe] }
anomaly:
  principal: ${principal}
  group: ${group}
  alertsTopic: ${alertsTopic}
  stateTopic: ${stateTopic}
  resendSeconds: 10
  tickSeconds: 5
  maxSeries: ${MAX_SERIES}
  grafanaUrl: "{grafana}/d/sluice-iot/?var-device_id={device_id}&from={from}&to={to}"
  series:
    # The demo's IoT series (pipeline.yaml), and the control's rule on temperature_max.
    - topic: ${topics.device1m}
      key: [device_id]
      time: window_end
      resolveAfter: 2
      countField: readings
      metrics:
        - field: readings
          detector:
            kind: ensemble
            members: [{ kind: robust-z, direction: down, window: 500 }, { kind: ewma, direction: down }, { kind: seasonal, direction: down }]
          rules: [{ kind: absence, afterSeconds: 150 }]
        - field: temperature_avg
          detector: { kind: ensemble, members: [{ kind: robust-z, window: 500 }, { kind: ewma }, { kind: seasonal }] }
        - field: temperature_stddev
          minCount: 3
          detector:
            kind: ensemble
            members: [{ kind: robust-z, direction: down, window: 500 }, { kind: ewma, direction: down }, { kind: seasonal, direction: down }]
          rules: [{ kind: threshold, below: 0.0005 }]
        # The control's rule alone (no statistical part): its expected range is "≤ 80".
        - field: temperature_max
          severity: critical
          detector: { kind: threshold, above: 80 }
`,
  );
  return file;
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A metric's value (summed over its label sets) in a /metrics text. */
function metric(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

let specFile = '';
let service: ChildProcess | undefined;
let background: ChildProcess | undefined;
let serviceLog = '';
let port = 0;
let tail: Consumer | undefined;
let producer: Producer | undefined;
let feeding = true;
let feeder: Promise<void> | undefined;
/** The control device runs hot for readings of event time in [hotFrom, hotUntil). */
let hotFrom = Infinity;
let hotUntil = Infinity;
const alerts: Array<AlertRecord & { seenAt: number }> = [];
/** Resident memory of the service, sampled every 2 s from its /metrics. */
const rss: number[] = [];
let sampler: NodeJS.Timeout | undefined;

async function serviceMetrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
}

/** Records of the window topic not yet committed by the service's group (one partition). */
async function lag(): Promise<{ lag: number; end: number }> {
  const admin = bed.kafka.admin();
  await admin.connect();
  try {
    const [end] = await admin.fetchTopicOffsets(topics.device1m);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topics.device1m] });
    const offset = Number(committed?.partitions[0]?.offset ?? -1);
    const high = Number(end!.high);
    return { lag: offset < 0 ? high - Number(end!.low) : high - offset, end: high };
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  await bed.setUp();
  // Flink logs in as sluice-flink with the demo pipeline's grants (iot.readings among them).
  if (!(await bed.admin.scramUsers()).includes(FLINK_KAFKA_USER))
    await bed.admin.upsertScramUser(FLINK_KAFKA_USER, ctx.secrets.ensure(FLINK_KAFKA_SECRET));
  await bed.admin.createAcls(
    expandAcls(loadSpec(join(repoRoot(), 'pipeline.yaml')).principals.find((p) => p.name === FLINK_KAFKA_USER)!),
  );
  // sim-iot, iot.readings and its schema.
  await deployPipeline(ctx, demoSpecWithoutJobs(), { log: ctx.log });
  specFile = writeSuiteSpec();
  const deployed = await bed.sluice('deploy-pipeline', '--spec', specFile);
  expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(deployed.code).toBe(0);

  const decoder = new AvroDecoder(bed.registry);
  tail = bed.kafka.consumer({ groupId: uniqueName('burst-alerts'), readUncommitted: false, maxWaitTimeInMs: 250 });
  await tail.connect();
  await tail.subscribe({ topic: alertsTopic, fromBeginning: true });
  await tail.run({
    eachMessage: async ({ message }) =>
      void alerts.push({
        ...((await decoder.decode(message.value!)).value as unknown as AlertRecord),
        seenAt: Date.now(),
      }),
  });

  // The demo-like load, all along: 50 devices, no anomalies of their own.
  background = spawn(process.execPath, [sluiceJs, 'simulate', 'iot', '--rate', '5', '--anomaly-rate', '0'], {
    cwd: repoRoot(),
    env: process.env,
    stdio: 'ignore',
  });

  // The control device: six readings a minute, as the simulator's devices, in the demo's topic.
  const registered = await bed.registry.latest('iot.readings-value');
  expect(registered).toBeDefined();
  const type = parseSchema(readSchema('iot-reading'));
  producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  feeder = (async () => {
    for (let i = 0; feeding; i++) {
      const now = Date.now();
      const hot = now >= hotFrom && now < hotUntil;
      await producer!.send({
        topic: 'iot.readings',
        acks: -1,
        messages: [
          {
            key: 'control-1',
            value: encodeWire(registered!.id, type, {
              event_id: randomUUID(),
              ts: now,
              device_id: 'control-1',
              site_id: 'site-01',
              temperature_c: hot ? 84 : 21 + 0.3 * Math.sin(i / 2),
              humidity_pct: 50,
              pressure_hpa: 1013,
              battery_pct: 90,
            }),
          },
        ],
      });
      await new Promise((r) => setTimeout(r, 10_000 - ((Date.now() - now) % 10_000)));
    }
  })();

  port = await freePort();
  service = spawn(process.execPath, [sluiceJs, 'anomaly', '--spec', specFile, '--metrics-port', String(port)], {
    cwd: repoRoot(),
    env: process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  service.stderr!.on('data', (chunk: Buffer) => (serviceLog = (serviceLog + chunk.toString()).slice(-20_000)));
  await until('sluice anomaly to be ready', 120_000, () => (serviceLog.includes('ready: metrics') ? true : undefined));
  sampler = setInterval(() => {
    serviceMetrics().then(
      (text) => rss.push(metric(text, 'process_resident_memory_bytes')),
      () => undefined,
    );
  }, 2000);
}, 600_000);

afterAll(async () => {
  if (sampler) clearInterval(sampler);
  feeding = false;
  await feeder;
  await producer?.disconnect();
  background?.kill('SIGTERM');
  service?.kill('SIGTERM');
  await tail?.disconnect();
  const admin = bed.kafka.admin();
  await admin.connect();
  await admin.deleteGroups([group, `${group}-restore`]).catch(() => undefined);
  await admin.disconnect();
  await bed.tearDown();
}, 300_000);

test('a burst of 40,000 new devices: at most 10 alerts, memory under the stated bound, lag back to zero within 2 minutes; then the next anomaly is alerted, alone, with its link, and resolves', async () => {
  // The demo devices and the control established: three windows each (4 metrics x 51 devices).
  await until('the 51 devices to be established', 360_000, async () =>
    metric(await serviceMetrics(), 'sluice_anomaly_series_established') >= 4 * 51 ? true : undefined,
  );
  const before = alerts.length;
  const { end: endBefore } = await lag();

  // The burst, as the issue ran it.
  const burstStart = Date.now();
  const burst = await run(process.execPath, [sluiceJs, 'simulate', 'iot', '--rate', '4000', '--duration', '20'], {
    cwd: repoRoot(),
    env: process.env,
    timeoutMs: 180_000,
  });
  const burstEnd = Date.now();
  expect(burst.code).toBe(0);
  process.stdout.write(`anomaly-burst: ${burst.stdout.trim().split('\n').pop()}\n`);

  // Flink writes the burst's windows (one or two per new device), then the service catches up.
  await until('the burst windows to be written', LAG_BACK_MS, async () =>
    (await lag()).end - endBefore >= 40_000 ? true : undefined,
  );
  const caughtUp = await until('the lag back to zero', LAG_BACK_MS, async () =>
    (await lag()).lag <= 1 ? Date.now() : undefined,
  );
  const text = await serviceMetrics();
  const series = metric(text, 'sluice_anomaly_series_tracked');
  const established = metric(text, 'sluice_anomaly_series_established');
  const peak = Math.max(...rss);
  const bound = statedMemoryBound(MAX_SERIES);
  // A window's absence checks (150 s) and the held incidents' release: wait them out before counting.
  await new Promise((r) => setTimeout(r, 3 * MINUTE));
  const burstAlerts = alerts.slice(before).filter((a) => a.status === 'firing');
  const inAlertmanager = await alertmanager.alerts({ source: topics.device1m });
  process.stdout.write(
    `anomaly-burst: lag back to zero ${((caughtUp - burstEnd) / 1000).toFixed(0)} s after the burst's end (${((burstEnd - burstStart) / 1000).toFixed(0)} s long); resident memory at most ${(peak / 1e6).toFixed(0)} MB (stated bound ${(bound / 1e6).toFixed(0)} MB); ${series} live series (limit ${MAX_SERIES}), ${established} established; ${burstAlerts.length} alerts: ${burstAlerts.map((a) => a.summary).join(' | ')}\n`,
  );
  expect(caughtUp - burstEnd).toBeLessThanOrEqual(LAG_BACK_MS);
  expect(burstAlerts.length).toBeLessThanOrEqual(MAX_ALERTS);
  expect(inAlertmanager.length).toBeLessThanOrEqual(MAX_ALERTS);
  expect(rss.length).toBeGreaterThan(10);
  expect(peak).toBeLessThan(bound);
  expect(series).toBeLessThanOrEqual(MAX_SERIES);
  // The burst churned through the new series only: the demo devices and the control are all still established.
  expect(established).toBeGreaterThanOrEqual(4 * 51);
  expect(metric(text, 'sluice_anomaly_series_evicted_total{reason="limit",series="established"}')).toBe(0);

  // The positive control: the next anomaly is alerted, on its own, with its Grafana link.
  const boundary = () => Math.ceil((Date.now() + 1000) / MINUTE) * MINUTE;
  hotFrom = boundary();
  hotUntil = hotFrom + MINUTE;
  const firing = await until('the control alert', 4 * MINUTE, () =>
    alerts.find((a) => a.key === 'control-1' && a.status === 'firing'),
  );
  expect(firing).toMatchObject({
    kind: 'anomaly',
    source: topics.device1m,
    key_fields: { device_id: 'control-1' },
    severity: 'critical',
    started_ts: hotUntil,
  });
  expect(firing.metrics).toContain('temperature_max');
  expect(firing.summary).toMatch(/control-1: temperature_max 84 \(expected ≤ 80: 4 above, \+5%\) since /);
  const [am] = await until('the control in Alertmanager', 60_000, async () => {
    const found = await alertmanager.alerts({ incident_id: firing.incident_id });
    return found.length ? found : undefined;
  });
  expect(am!.labels).toMatchObject({ alertname: 'SluiceAnomaly', key: 'control-1', device_id: 'control-1' });
  expect(am!.annotations.dashboard_url).toMatch(/\/d\/sluice-iot\/\?var-device_id=control-1&from=\d+&to=now$/);

  // Back to normal for two windows: the incident closes with a resolution.
  const resolved = await until('the control to resolve', 5 * MINUTE, () =>
    alerts.find((a) => a.incident_id === firing.incident_id && a.status === 'resolved'),
  );
  expect(resolved.summary).toMatch(/Resolved: back to normal for 2 points in a row/);
  await until('Alertmanager to resolve it', 60_000, async () =>
    (await alertmanager.alerts({ incident_id: firing.incident_id })).length === 0 ? true : undefined,
  );
}, 1_800_000);
