/**
 * Poison records (issue 10 item 2, decision 0017): records that cannot be decoded, written to a web, an
 * IoT and a finance topic between valid ones, neither stop a job nor change a window: the one-minute
 * windows equal those of the valid records alone, every job stays RUNNING with no failure at all, and
 * the decode-errors job writes each poison record to the dead-letter topic exactly once, with its topic,
 * partition, offset, timestamp, reason and bytes. Three kinds of poison on each topic: bytes that are
 * not the Confluent wire format, a schema id the registry does not know, and a truncated body. The
 * positive control, in the same test: a job over the same web records with Flink's own avro-confluent
 * format fails on them (the failure this format prevents).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientEnvironment } from '../../orchestrator/platform/client-env';
import { FLINK_KAFKA_USER, flinkFetch, flinkRestUrl } from '../../orchestrator/platform/components/flink';
import type { AclBinding } from '../../orchestrator/clients/kafka-types';
import { SqlTestbed, TABLE_FILES } from './sql-testbed';

const bed = new SqlTestbed();
const { topics } = bed;
const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
const dlqTopic = `${bed.id}.dlq.decode`;
const rest = flinkRestUrl(bed.ctx);

const dlqGrants: AclBinding[] = (['write', 'describe'] as const).map((operation) => ({
  resourceType: 'topic',
  resourceName: dlqTopic,
  operation,
  principal: `User:${FLINK_KAFKA_USER}`,
  patternType: 'literal',
  permission: 'allow',
  host: '*',
}));

beforeAll(async () => {
  await bed.setUp();
  await bed.admin.createTopic({
    name: dlqTopic,
    partitions: 1,
    replicationFactor: 3,
    config: { 'min.insync.replicas': '2' },
  });
  await bed.admin.createAcls(dlqGrants);
});
afterAll(async () => {
  await bed.admin.deleteAcls(dlqGrants).catch(() => undefined);
  await bed.admin.deleteTopic(dlqTopic).catch(() => undefined);
  await bed.tearDown();
});

/** The three kinds of poison, made from a valid record of the topic. */
function poisonOf(valid: Buffer): Array<{ kind: string; value: Buffer }> {
  const unknownId = Buffer.from(valid);
  unknownId.writeInt32BE(0x7fff0000 + (valid.readInt32BE(1) % 1000), 1);
  return [
    { kind: 'not-wire-format', value: Buffer.from('GET / HTTP/1.1\r\nHost: example\r\n') },
    { kind: 'unknown-schema-id', value: unknownId },
    // The right header and the first bytes of the body: the rest of the record is missing.
    { kind: 'schema-mismatch', value: valid.subarray(0, 5 + 4) },
  ];
}

interface Poison {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  kind: string;
  value: Buffer;
}

async function getJson(path: string): Promise<unknown> {
  const response = await flinkFetch(bed.ctx, `${rest}${path}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Every job of this suite by name (the newest run of each), with its state. */
async function suiteJobs(): Promise<Map<string, { jid: string; state: string }>> {
  const overview = (await getJson('/jobs/overview')) as {
    jobs: Array<{ jid: string; name: string; state: string; 'start-time': number }>;
  };
  const jobs = new Map<string, { jid: string; state: string; start: number }>();
  for (const j of overview.jobs.filter((j) => j.name.startsWith(`sluice.${bed.id}-`))) {
    const name = j.name.split('.')[1]!;
    const seen = jobs.get(name);
    if (!seen || seen.start < j['start-time']) jobs.set(name, { jid: j.jid, state: j.state, start: j['start-time'] });
  }
  return jobs;
}

/** The root exceptions Flink recorded for a job (each failure, hence each restart, is one). */
async function exceptionsOf(jid: string): Promise<string[]> {
  const body = (await getJson(`/jobs/${jid}/exceptions`)) as {
    exceptionHistory?: { entries?: Array<{ stacktrace?: string; exceptionName?: string }> };
  };
  return (body.exceptionHistory?.entries ?? []).map((e) => e.stacktrace ?? e.exceptionName ?? '');
}

test('poison records on a web, an IoT and a finance topic: windows as without them, jobs RUNNING, each poison record in the dead letters once with its reason', async () => {
  // The positive control: the web records read with Flink's own avro-confluent format, into a blackhole.
  const registryUrl = clientEnvironment(bed.ctx).SLUICE_REGISTRY_URL!;
  writeFileSync(
    join(bed.workDir, '060-control.sql'),
    `CREATE TABLE web_access_logs_plain WITH (
  'connector' = 'kafka',
  'topic' = '${topics.webLogs}',
  'properties.group.id' = 'flink-sluice',
  'scan.startup.mode' = 'earliest-offset',
  \${KAFKA},
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = '${registryUrl}'
)
LIKE web_access_logs (EXCLUDING ALL);

CREATE TABLE control_blackhole WITH ('connector' = 'blackhole') LIKE web_access_logs (EXCLUDING ALL);
`,
  );
  writeFileSync(
    join(bed.workDir, '900-control.sql'),
    'INSERT INTO control_blackhole SELECT * FROM web_access_logs_plain;\n',
  );
  bed.copySql('030-outputs.sql', (text) => text.split("'topic' = 'dlq.decode'").join(`'topic' = '${dlqTopic}'`));
  const tables = [...TABLE_FILES, bed.copySql('050-decode-errors.sql'), '060-control.sql'];
  const jobs: Record<string, string> = {
    'web-windows': bed.copySql('170-web-windows.sql'),
    'iot-windows': bed.copySql('120-iot-windows.sql'),
    'finance-windows': bed.copySql('180-finance-windows.sql'),
    'decode-errors': bed.copySql('400-decode-errors.sql'),
  };
  const spec = () => {
    const all = { ...jobs, control: '900-control.sql' };
    const entries = Object.entries(all).map(
      ([suffix, file]) => `\n    - name: ${bed.jobName(suffix)}\n      file: ${file}`,
    );
    writeFileSync(
      bed.specFile,
      `apiVersion: sluice/v1\nname: ${bed.id}\nsql:\n  tables: [${tables.join(', ')}]\n  jobs:${entries.join('')}\n`,
    );
    return bed.specFile;
  };
  const deployed = await bed.sluice('deploy-pipeline', '--spec', spec());
  expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(deployed.code).toBe(0);

  const producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const poisons: Poison[] = [];
  /** Sends valid records with the three poison records after the first three, and notes where each went. */
  async function sendWithPoison(topic: string, valid: Array<{ key: string; value: Buffer }>): Promise<void> {
    const kinds = poisonOf(valid[0]!.value);
    const messages: Array<{ key: string; value: Buffer; timestamp?: string }> = [];
    valid.forEach((m, i) => {
      messages.push(m);
      const poison = kinds[i];
      if (poison) messages.push({ key: 'poison', value: poison.value, timestamp: String(t0 + 7_000 + i) });
    });
    const [result] = await producer.send({ topic, acks: -1, messages });
    const base = BigInt(result!.baseOffset!);
    messages.forEach((m, i) => {
      if (m.key !== 'poison') return;
      const kind = kinds.find((k) => k.value === m.value)!;
      poisons.push({
        topic,
        partition: result!.partition,
        offset: String(base + BigInt(i)),
        timestamp: Number(m.timestamp),
        kind: kind.kind,
        value: m.value,
      });
    });
  }

  // Web: '/' three requests (one 5xx) and '/a' two, all in minute 0.
  await sendWithPoison(topics.webLogs, [
    bed.request(t0, '81.24.16.10', 1, '/', 200, 10),
    bed.request(t0, '81.24.16.10', 2, '/a', 200, 20),
    bed.request(t0, '81.24.16.11', 3, '/', 500, 30),
    bed.request(t0, '81.24.16.11', 10, '/a', 200, 40),
    bed.request(t0, '81.24.16.12', 20, '/', 200, 50),
  ]);
  // IoT: d1 three readings (10, 20, 30 °C), d2 one (50 °C), all in minute 0.
  await sendWithPoison(topics.readings, [
    bed.reading(t0, 'd1', 1, 10),
    bed.reading(t0, 'd1', 20, 20),
    bed.reading(t0, 'd2', 25, 50),
    bed.reading(t0, 'd1', 40, 30),
  ]);
  // Finance: acc-1 two payments (10 + 20), acc-2 one (5.5), all in minute 0.
  await sendWithPoison(topics.transactions, [
    bed.transaction(t0, 'acc-1', 1, 10),
    bed.transaction(t0, 'acc-1', 2, 20),
    bed.transaction(t0, 'acc-2', 3, 5.5),
  ]);
  await new Promise((r) => setTimeout(r, 4000));
  // One valid record each, far later: the watermarks pass minute 0 and its windows close.
  await producer.send({ topic: topics.webLogs, acks: -1, messages: [bed.request(t0, '81.24.16.10', 300, '/')] });
  await producer.send({ topic: topics.readings, acks: -1, messages: [bed.reading(t0, 'd1', 300, 15)] });
  await producer.send({ topic: topics.transactions, acks: -1, messages: [bed.transaction(t0, 'acc-1', 300, 1)] });
  await producer.disconnect();
  expect(poisons).toHaveLength(9);

  // The positive control fails on the poison: Flink's own format cannot read these records.
  const controlName = bed.jobName('control');
  const deadline = Date.now() + 120_000;
  let controlFailures: string[] = [];
  let controlJid: string | undefined;
  while (controlFailures.length === 0) {
    if (Date.now() > deadline)
      throw new Error('the control job (plain avro-confluent) never failed on the poison records');
    controlJid = (await suiteJobs()).get(controlName)?.jid;
    if (controlJid) controlFailures = await exceptionsOf(controlJid);
    if (controlFailures.length === 0) await new Promise((r) => setTimeout(r, 2000));
  }
  // Its first record is valid; the second is the first poison record, not in the wire format.
  expect(controlFailures[0]).toMatch(/Magic number does not match/);
  // Out of the way (it would restart for ever): cancelled; the spec's other jobs are unchanged.
  const cancel = await flinkFetch(bed.ctx, `${rest}/jobs/${controlJid}?mode=cancel`, { method: 'PATCH' });
  expect(cancel.status).toBe(202);

  // The windows: exactly those of the valid records.
  const paths = (await bed.readCommitted(topics.path1m, 2))
    .map((w) => [w.path, ((w.window_start as number) - t0) / 60_000, w.requests, w.server_errors, w.latency_max_ms])
    .sort();
  expect(paths).toEqual([
    ['/', 0, 3, 1, 50],
    ['/a', 0, 2, 0, 40],
  ]);
  const devices = (await bed.readCommitted(topics.device1m, 2))
    .map((w) => [w.device_id, ((w.window_start as number) - t0) / 60_000, w.readings, w.temperature_avg])
    .sort();
  expect(devices).toEqual([
    ['d1', 0, 3, 20],
    ['d2', 0, 1, 50],
  ]);
  const accounts = (await bed.readCommitted(topics.account1m, 2))
    .map((w) => [w.account_id, ((w.window_start as number) - t0) / 60_000, w.transactions, w.amount_total])
    .sort();
  expect(accounts).toEqual([
    ['acc-1', 0, 2, 30],
    ['acc-2', 0, 1, 5.5],
  ]);

  // The dead letters: each poison record once, with its place, its Kafka timestamp, its reason and bytes.
  const letters = await bed.readCommitted(dlqTopic, poisons.length);
  const rows = letters
    .map((l) => ({
      topic: l.source_topic,
      partition: l.source_partition,
      offset: String(l.source_offset),
      timestamp: l.source_timestamp,
      kind: String(l.reason).split(':')[0],
      value: Buffer.from(l.value as Buffer),
    }))
    .sort((a, b) => `${a.topic}/${a.offset}`.localeCompare(`${b.topic}/${b.offset}`));
  expect(rows).toEqual([...poisons].sort((a, b) => `${a.topic}/${a.offset}`.localeCompare(`${b.topic}/${b.offset}`)));
  for (const l of letters) expect(String(l.reason).length).toBeGreaterThan(30);
  // Read to its end by an independent read_committed client (kcat -e), after more checkpoints: nine, no more.
  await new Promise((r) => setTimeout(r, 12_000));
  const committed = await bed.kcatCommitted(dlqTopic);
  if (committed) expect(committed).toHaveLength(poisons.length);

  // Every job still RUNNING, and none ever failed (no entry in its exception history: no restart).
  const running = await suiteJobs();
  for (const suffix of Object.keys(jobs)) {
    const job = running.get(bed.jobName(suffix));
    expect([suffix, job?.state]).toEqual([suffix, 'RUNNING']);
    expect([suffix, await exceptionsOf(job!.jid)]).toEqual([suffix, []]);
  }
});
