/**
 * The anomaly service (issue 6) against the real platform: a suite-private copy of the IoT window job
 * (sql/120-iot-windows.sql with 10-second windows instead of one-minute ones, so that the test takes
 * minutes, not hours) turns live hand-made readings into `agg.iot.device-1m`-shaped windows; the
 * service watches them with two threshold rules. A device running hot fires exactly one alert (both
 * metrics in one incident), in the alerts topic and in Alertmanager, within the window plus the stated
 * delay; restarting the service while it fires (stopped, then `sluice anomaly` killed with SIGKILL)
 * loses nothing and fires nothing again; the incident resolves once the device is normal for two
 * windows; a restart after that fires nothing.
 *
 * The stated delay: a window closes when the watermark (5 s behind the newest reading) passes its end,
 * Flink commits it at the next checkpoint (every 10 s), and the service alerts within its poll (0.5 s)
 * and one transaction. So an alert should be out about 5-16 s after the window's end; the test allows
 * 45 s for two loaded cores.
 */
import { monitoringCredentials } from '../../orchestrator/platform/components/monitoring';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import { createKafka } from '../../lib/kafka/connection';
import { createLogger } from '../../lib/log';
import { repoRoot } from '../../lib/repo';
import {
  AlertmanagerClient,
  AnomalyService,
  AvroDecoder,
  serviceConfig,
  type AlertRecord,
} from '../../anomaly/service';
import { FLINK_KAFKA_SECRET, FLINK_KAFKA_USER } from '../../orchestrator/platform/components/flink';
import { kafkaConnection } from '../../orchestrator/platform/components/kafka';
import { expandAcls } from '../../orchestrator/providers/acl';
import { loadSpec } from '../../orchestrator/spec';
import { writeFileSync, readFileSync } from 'node:fs';
import { uniqueName } from './helpers';
import { SqlTestbed } from './sql-testbed';

const bed = new SqlTestbed();
const { ctx, topics } = bed;
const WINDOW_MS = 10_000;
/** Window end → alert, as stated above (with room for two loaded cores). */
const STATED_DELAY_MS = 45_000;

const principal = `anomaly-${bed.id}`;
const group = principal;
const alertsTopic = `${bed.id}.alerts`;
const stateTopic = `${bed.id}.anomaly.state`;
const alertmanager = new AlertmanagerClient({
  url: `http://${ctx.host}:${ctx.ports.alertmanager}`,
  basicAuth: monitoringCredentials(ctx),
});
const log = createLogger({ level: process.env.SLUICE_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'warn' });

/** The suite's spec: the window job with 10 s windows, the service's topics and principal, and what it watches. */
function writeSuiteSpec(): string {
  const windows = bed.copySql('120-iot-windows.sql', (sql) =>
    sql
      .split("INTERVAL '1' MINUTE")
      .join("INTERVAL '10' SECOND")
      .split("INTERVAL '5' MINUTE")
      .join("INTERVAL '50' SECOND"),
  );
  const base = readFileSync(bed.writeSpec({ windows }), 'utf8');
  const file = join(bed.workDir, 'anomaly-spec.yaml');
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
  startFrom: earliest
  resendSeconds: 5
  tickSeconds: 1
  series:
    - topic: ${topics.device1m}
      key: [device_id]
      time: window_end
      resolveAfter: 2
      metrics:
        - field: temperature_avg
          rules: [{ kind: threshold, above: 30 }]
        - field: temperature_max
          severity: critical
          rules: [{ kind: threshold, above: 32 }]
`,
  );
  return file;
}

let specFile = '';
/** d1 runs hot for readings of event time in [hotFrom, hotUntil): whole windows, from one boundary to another. */
let hotFrom = Infinity;
let hotUntil = Infinity;
let feeding = true;
const nextBoundary = () => Math.ceil((Date.now() + 500) / WINDOW_MS) * WINDOW_MS;
let feeder: Promise<void> | undefined;
let tail: Consumer | undefined;
const alerts: Array<AlertRecord & { seenAt: number }> = [];

function newService(): AnomalyService {
  const spec = loadSpec(specFile);
  const password = ctx.secrets.read(`users/${principal}`)!;
  return new AnomalyService({
    config: serviceConfig(spec.anomaly),
    kafka: createKafka(kafkaConnection(ctx, principal, password, principal), { retries: 10, logger: log }),
    registry: bed.registry,
    alertmanager,
    metricsPort: 0,
    log,
  });
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
    await new Promise((r) => setTimeout(r, 500));
  }
}

const ofD1 = () => alerts.filter((a) => a.key === 'd1');

/** Records a service has processed, from its /metrics text. */
const processedBy = (metrics: string): number =>
  Number(/sluice_anomaly_records_total\{[^}]*outcome="processed"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0);

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

beforeAll(async () => {
  await bed.setUp();
  // Flink logs in as sluice-flink with the grants the demo pipeline gives it (its transactional ids);
  // this suite may run before any suite has applied pipeline.yaml. The same password as Flink's JAAS
  // file and the same bindings: nothing changes if they exist.
  if (!(await bed.admin.scramUsers()).includes(FLINK_KAFKA_USER))
    await bed.admin.upsertScramUser(FLINK_KAFKA_USER, ctx.secrets.ensure(FLINK_KAFKA_SECRET));
  await bed.admin.createAcls(
    expandAcls(loadSpec(join(repoRoot(), 'pipeline.yaml')).principals.find((p) => p.name === FLINK_KAFKA_USER)!),
  );
  specFile = writeSuiteSpec();
  const deployed = await bed.sluice('deploy-pipeline', '--spec', specFile);
  expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(deployed.code).toBe(0);

  // Every alert record, as a reader of the topic sees it (read_committed).
  const decoder = new AvroDecoder(bed.registry);
  tail = bed.kafka.consumer({ groupId: uniqueName('alerts-tail'), readUncommitted: false, maxWaitTimeInMs: 250 });
  await tail.connect();
  await tail.subscribe({ topic: alertsTopic, fromBeginning: true });
  await tail.run({
    eachMessage: async ({ message }) =>
      void alerts.push({
        ...((await decoder.decode(message.value!)).value as unknown as AlertRecord),
        seenAt: Date.now(),
      }),
  });

  // Live readings every second for two devices, in event time = now; d1 runs hot in [hotFrom, hotUntil).
  const producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  feeder = (async () => {
    for (let i = 0; feeding; i++) {
      const now = Date.now();
      const normal = 21 + 0.3 * Math.sin(i / 3);
      await producer.send({
        topic: topics.readings,
        acks: -1,
        messages: [
          bed.reading(now, 'd1', 0, now >= hotFrom && now < hotUntil ? 40 + (i % 3) : normal),
          bed.reading(now, 'd2', 0, normal),
        ],
      });
      await new Promise((r) => setTimeout(r, 1000 - ((Date.now() - now) % 1000)));
    }
    await producer.disconnect();
  })();
}, 300_000);

afterAll(async () => {
  feeding = false;
  await feeder;
  await tail?.disconnect();
  const admin = bed.kafka.admin();
  await admin.connect();
  await admin.deleteGroups([group, `${group}-restore`]).catch(() => undefined);
  await admin.disconnect();
  await bed.tearDown();
});

test('a device running hot fires exactly one alert, in the alerts topic and Alertmanager, within the window plus the stated delay; a restart while it fires loses nothing and repeats nothing; it resolves when normal', async () => {
  let service = newService();
  await service.start();
  try {
    // Normal windows first: the series are established (from their third window, when they are
    // written to the state topic), and nothing fires.
    await until('windows of both devices to be watched', 120_000, () =>
      service.metrics.seriesEstablished.get().then((m) => ((m.values[0]?.value ?? 0) >= 4 ? true : undefined)),
    );
    expect(alerts).toEqual([]);

    hotFrom = nextBoundary();
    const firing = await until('the firing alert', 120_000, () => ofD1().find((a) => a.status === 'firing'));
    // The first hot window is the one that starts at hotFrom.
    const windowEnd = firing.started_ts;
    expect(windowEnd).toBe(hotFrom + WINDOW_MS);
    expect(firing.fired_ts - windowEnd).toBeLessThan(STATED_DELAY_MS);
    expect(firing.seenAt - windowEnd).toBeLessThan(STATED_DELAY_MS);
    expect(firing).toMatchObject({
      kind: 'anomaly',
      source: topics.device1m,
      key: 'd1',
      key_fields: { device_id: 'd1' },
      severity: 'critical',
      metrics: ['temperature_max', 'temperature_avg'],
      value: expect.any(Number),
      score: 1,
      resolved_ts: null,
    });
    // The band no part of the detector flags: the members' band, narrowed by the rule (≤ 32).
    expect(firing.expected_high!).toBeLessThanOrEqual(32);
    expect(firing.value!).toBeGreaterThan(32);
    expect(JSON.parse(firing.evidence).map((e: { metric: string; cause: string }) => [e.metric, e.cause])).toEqual([
      ['temperature_max', 'point'],
      ['temperature_avg', 'point'],
    ]);

    const inAlertmanager = await until(
      'the alert in Alertmanager',
      30_000,
      async () => (await alertmanager.alerts({ incident_id: firing.incident_id }))[0],
    );
    const amDelay = Date.now() - windowEnd;
    expect(inAlertmanager.labels).toEqual({
      alertname: 'SluiceAnomaly',
      source: topics.device1m,
      key: 'd1',
      severity: 'critical',
      incident_id: firing.incident_id,
      kind: 'anomaly',
      component: 'anomaly',
      device_id: 'd1',
    });
    expect(inAlertmanager.status.state).toBe('active');
    expect(new Date(inAlertmanager.startsAt).getTime()).toBe(windowEnd);
    expect(inAlertmanager.generatorURL).toBe(`http://127.0.0.1:${service.httpPort}/incidents/${firing.incident_id}`);
    process.stdout.write(
      `anomaly: window end -> alert: fired after ${((firing.fired_ts - windowEnd) / 1000).toFixed(1)} s, in the alerts topic after ${((firing.seenAt - windowEnd) / 1000).toFixed(1)} s, seen in Alertmanager after ${(amDelay / 1000).toFixed(1)} s (stated: under ${STATED_DELAY_MS / 1000} s)\n`,
    );

    // Restart while firing, still hot: stopped, then run as `sluice anomaly` (the CLI), which restores
    // the incident from the state topic and does not fire it again; then killed (kill -9) in the middle
    // of its work, and started again: still nothing lost, nothing repeated.
    await service.stop();
    const port = await freePort();
    const cli = spawn(
      process.execPath,
      [join(repoRoot(), 'bin', 'sluice.js'), 'anomaly', '--spec', specFile, '--metrics-port', String(port)],
      { cwd: repoRoot(), env: process.env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let cliLog = '';
    cli.stderr.on('data', (chunk: Buffer) => (cliLog += chunk.toString()));
    try {
      await until('sluice anomaly to be ready', 120_000, async () =>
        cliLog.includes('ready: metrics') ? true : undefined,
      );
      expect(cliLog).toMatch(/state restored in [\d.]+s: 4 series, 1 open incidents/);
      await until('two hot windows processed by sluice anomaly', 90_000, async () =>
        processedBy(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()) >= 4 ? true : undefined,
      );
    } finally {
      cli.kill('SIGKILL');
    }
    expect(ofD1().map((a) => a.status)).toEqual(['firing']);
    service = newService();
    await service.start();
    expect(service.openIncidents().map((i) => i.id)).toEqual([firing.incident_id]);
    const restartedAt = Date.now();
    // Two more hot windows, processed by the new instance (once the killed one's session has expired).
    await until('two hot windows after the restart', 120_000, async () => {
      const processed = processedBy(await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text());
      return processed >= 4 && Date.now() - restartedAt > 2 * WINDOW_MS ? true : undefined;
    });
    expect(ofD1().map((a) => a.status)).toEqual(['firing']);
    expect(await alertmanager.alerts({ incident_id: firing.incident_id })).toHaveLength(1);

    // Back to normal: two normal windows resolve it, once.
    hotUntil = nextBoundary();
    const normalFrom = hotUntil;
    const resolved = await until('the resolved alert', 120_000, () => ofD1().find((a) => a.status === 'resolved'));
    expect(resolved).toMatchObject({
      incident_id: firing.incident_id,
      severity: 'critical',
      started_ts: windowEnd,
      fired_ts: firing.fired_ts,
    });
    // Two normal windows: the second ends two windows after the last hot one.
    expect(resolved.resolved_ts!).toBe(normalFrom + 2 * WINDOW_MS);
    expect(resolved.seenAt - resolved.resolved_ts!).toBeLessThan(STATED_DELAY_MS);
    await until('Alertmanager to have resolved it', 30_000, async () =>
      (await alertmanager.alerts({ incident_id: firing.incident_id })).length === 0 ? true : undefined,
    );
    expect(ofD1().map((a) => a.status)).toEqual(['firing', 'resolved']);
    expect(alerts.filter((a) => a.key === 'd2')).toEqual([]);
  } finally {
    await service.stop();
  }
});

test('a restart after the incident resolved fires nothing again, and the service reports its consumer lag', async () => {
  const before = alerts.length;
  const service = newService();
  await service.start();
  try {
    expect(service.openIncidents()).toEqual([]);
    const startedAt = Date.now();
    await until('three windows processed after the restart', 90_000, async () => {
      const processed = processedBy(await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text());
      return processed >= 6 && Date.now() - startedAt > 3 * WINDOW_MS ? true : undefined;
    });
    // The lag is measured every 15 s.
    const text = await until('the lag metric', 30_000, async () => {
      const t = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text();
      return t.includes(`sluice_consumer_lag{group="${group}",topic="${topics.device1m}"}`) ? t : undefined;
    });
    const lag = Number(
      new RegExp(
        `sluice_consumer_lag\\{group="${group}",topic="${topics.device1m.replace(/\./g, '\\.')}"\\} (\\d+)`,
      ).exec(text)?.[1],
    );
    expect(lag).toBeLessThan(50);
    await new Promise((r) => setTimeout(r, 3000)); // a last transaction would show by now
    expect(alerts.length).toBe(before);
  } finally {
    await service.stop();
  }
});
