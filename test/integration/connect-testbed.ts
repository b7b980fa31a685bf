/**
 * A private copy of the repository's sinks for one test suite: its own topics, Cassandra keyspace (the
 * tables of connectors/cql/) and InfluxDB database, and connectors made from the repository's own files
 * in connectors/ with only the topics, keyspace, database and names changed, all in a spec of its own
 * that deploy-pipeline applies. The sinks' principal `sluice-connect` gets ACLs on this suite's topics
 * (granted here, not by the spec, so that pruning this spec never touches the principal the demo
 * declares). Helpers produce IoT readings in the simulators' wire format and read what landed where.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxDB } from '@influxdata/influxdb-client';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { createKafka } from '../../lib/kafka/connection';
import { repoRoot } from '../../lib/repo';
import { registryFromEnv } from '../../lib/registry/from-env';
import { CassandraClient } from '../../orchestrator/clients/cassandra';
import type { ObservedConnector } from '../../orchestrator/clients/connect-types';
import type { AclBinding } from '../../orchestrator/clients/kafka-types';
import { clientEnvironment } from '../../orchestrator/platform/client-env';
import {
  CASSANDRA_ADMIN_SECRET,
  CASSANDRA_ADMIN_USER,
  CASSANDRA_CONNECT_USER,
  cassandraConnection,
} from '../../orchestrator/platform/components/cassandra';
import { CONNECT_SINKS_SECRET, CONNECT_SINKS_USER, connectAdmin } from '../../orchestrator/platform/components/connect';
import {
  INFLUX_ADMIN_SECRET,
  INFLUX_ADMIN_USER,
  INFLUX_WRITER_USER,
  influxUrl,
} from '../../orchestrator/platform/components/influxdb';
import { run } from '../../orchestrator/platform/processes';
import { forCondition, waitFor } from '../../orchestrator/platform/wait';
import { encodeWire, parseSchema } from '../../lib/avro/wire';
import { readSchema } from '../../schemas';
import { adminClient, adminConnection, testContext, uniqueName } from './helpers';

const CONNECTORS_DIR = join(repoRoot(), 'connectors');
const CQL_FILES = ['020-web-requests.cql', '030-iot-readings.cql', '040-finance-transactions.cql'].map((f) =>
  join(CONNECTORS_DIR, 'cql', f),
);

export interface SinkTopic {
  name: string;
  partitions: number;
  /** Absolute path of its .avsc, when deploy-pipeline should register its value schema. */
  valueSchema?: string;
}

const HOUR = 3_600_000;

/**
 * A start time today (UTC), on the hour, with `hours` more hours of today after it, so that every reading
 * of a device from t0 on lands in one day's partition; and that day (YYYY-MM-DD).
 */
export function hoursOfToday(hours: number, now = Date.now()): { t0: number; day: string } {
  const day0 = Math.floor(now / 86_400_000) * 86_400_000;
  return {
    t0: day0 + Math.min(Math.floor((now - day0) / HOUR), 23 - hours) * HOUR,
    day: new Date(day0).toISOString().slice(0, 10),
  };
}

export class ConnectTestbed {
  readonly ctx = testContext();
  readonly admin = adminClient(this.ctx);
  readonly kafka: Kafka = createKafka(adminConnection(this.ctx), { retries: 5 });
  readonly registry = registryFromEnv(clientEnvironment(this.ctx));
  readonly connect = connectAdmin(this.ctx)!;
  readonly id = uniqueName('cx');
  readonly keyspace = this.id.replace(/-/g, '_');
  readonly database = this.id.replace(/-/g, '_');
  readonly workDir = mkdtempSync(join(tmpdir(), 'sluice-connect-'));
  readonly specFile = join(this.workDir, 'spec.yaml');
  readonly readings = `${this.id}.iot.readings`;
  /** Topics of the spec: this suite's readings and every connector's dead-letter topic, and `inputs`. */
  private readonly topics: SinkTopic[];
  private readonly connectors = new Map<string, string>();
  private readonly type = parseSchema(readSchema('iot-reading'));
  private schemaId = 0;
  private cassandraClient?: CassandraClient;

  /** `inputs`: topics made by someone else (a SqlTestbed) that this suite's connectors read too. */
  constructor(private readonly inputs: SinkTopic[] = []) {
    this.topics = [
      { name: this.readings, partitions: 3, valueSchema: join(repoRoot(), 'schemas', 'iot-reading.avsc') },
      ...inputs,
    ];
  }

  /** A connector name of this suite: `<id>-<suffix>`; its group is `connect-<id>-<suffix>`. */
  name(suffix: string): string {
    return `${this.id}-${suffix}`;
  }

  deadLetterTopic(name: string): string {
    return `${this.id}.dlq.${name.slice(this.id.length + 1)}`;
  }

  private get grants(): AclBinding[] {
    const reads = this.topics.map((t) => t.name);
    const dlqs = [...this.connectors.keys()].map((n) => this.deadLetterTopic(n));
    const binding = (
      resourceType: AclBinding['resourceType'],
      resourceName: string,
      operation: AclBinding['operation'],
      patternType: AclBinding['patternType'] = 'literal',
    ): AclBinding => ({
      principal: `User:${CONNECT_SINKS_USER}`,
      resourceType,
      resourceName,
      patternType,
      operation,
      permission: 'allow',
      host: '*',
    });
    return [
      ...reads.flatMap((t) => [binding('topic', t, 'read'), binding('topic', t, 'describe')]),
      ...dlqs.flatMap((t) => [binding('topic', t, 'write'), binding('topic', t, 'describe')]),
      binding('group', `connect-${this.id}`, 'read', 'prefixed'),
    ];
  }

  /** The sinks' principal (made by deploy-pipeline of pipeline.yaml, or here when no one did yet) and its ACLs on this suite's topics. */
  async grant(): Promise<void> {
    const observed = await this.admin.observe();
    if (!observed.scramUsers.includes(CONNECT_SINKS_USER))
      await this.admin.upsertScramUser(CONNECT_SINKS_USER, this.ctx.secrets.ensure(CONNECT_SINKS_SECRET));
    await this.admin.createAcls(this.grants);
  }

  /**
   * A connector from the repository's `file`, pointed at this suite: its topics, dead-letter topic,
   * keyspace and database; `edit` changes anything else. Returns its name.
   */
  connector(
    suffix: string,
    file: string,
    topics: string[],
    edit: (config: Record<string, string>) => void = () => undefined,
  ): string {
    const name = this.name(suffix);
    const { config } = JSON.parse(readFileSync(join(CONNECTORS_DIR, file), 'utf8')) as {
      config: Record<string, string>;
    };
    config.topics = topics.join(',');
    config['errors.deadletterqueue.topic.name'] = this.deadLetterTopic(name);
    if (config['cassandra.cql'])
      config['cassandra.cql'] = config['cassandra.cql'].replace(
        /INSERT INTO sluice\./g,
        `INSERT INTO ${this.keyspace}.`,
      );
    if (config['influx.db']) config['influx.db'] = this.database;
    edit(config);
    const path = join(this.workDir, `${name}.json`);
    writeFileSync(path, `${JSON.stringify({ name, config }, null, 2)}\n`);
    this.connectors.set(name, path);
    return name;
  }

  /** The suite's spec: its topics, keyspace, database, and the connectors made so far (or those given). */
  writeSpec(connectors: string[] = [...this.connectors.keys()]): string {
    const topics: SinkTopic[] = [
      ...this.topics,
      ...connectors.map((n) => ({ name: this.deadLetterTopic(n), partitions: 1 })),
    ];
    writeFileSync(
      this.specFile,
      `apiVersion: sluice/v1
name: ${this.id}
topics:
${topics.map((t) => `  - { name: ${t.name}, partitions: ${t.partitions}, config: { min.insync.replicas: 2 }${t.valueSchema ? `, valueSchema: ${t.valueSchema}` : ''} }`).join('\n')}
cassandra:
  keyspace: ${this.keyspace}
  tables: [${CQL_FILES.join(', ')}]
  grants: [{ role: ${CASSANDRA_CONNECT_USER}, permissions: [modify] }]
influx:
  database: ${this.database}
  retentionPolicies: [{ name: raw, duration: 1d, default: true }]
  grants: [{ user: ${INFLUX_WRITER_USER}, privilege: write }]
connectors:
${connectors.length ? connectors.map((n) => `  - { name: ${n}, file: ${this.connectors.get(n)} }`).join('\n') : '  []'}
`,
    );
    return this.specFile;
  }

  sluice(...args: string[]) {
    return run('node', [join(repoRoot(), 'bin', 'sluice.js'), ...args], {
      cwd: repoRoot(),
      env: process.env,
      timeoutMs: 300_000,
    });
  }

  /** Grants, then deploys the spec; the readings' schema id is known afterwards. */
  async deploy(connectors?: string[]): Promise<Awaited<ReturnType<ConnectTestbed['sluice']>>> {
    await this.grant();
    const result = await this.sluice('deploy-pipeline', '--spec', this.writeSpec(connectors));
    if (result.code === 0 && this.schemaId === 0)
      this.schemaId = (await this.registry.latest(`${this.readings}-value`))!.id;
    return result;
  }

  async tearDown(): Promise<void> {
    // The same spec with nothing in it, pruned: the connectors, the keyspace, the database and the topics go.
    writeFileSync(this.specFile, `apiVersion: sluice/v1\nname: ${this.id}\n`);
    const pruned = await this.sluice('deploy-pipeline', '--spec', this.specFile, '--prune');
    if (pruned.code !== 0) throw new Error(`tear-down of ${this.id} failed: ${pruned.stderr}`);
    await this.admin.deleteAcls(this.grants).catch(() => undefined);
    await this.cassandraClient?.close();
    await this.admin.close();
  }

  /** A reading as the IoT simulator writes it; `eventId` fixed to send the same event again. */
  reading(
    device: string,
    ts: number,
    eventId: string = randomUUID(),
    temperature = 20.5,
  ): { key: string; value: Buffer } {
    return {
      key: device,
      value: encodeWire(this.schemaId, this.type, {
        event_id: eventId,
        ts,
        device_id: device,
        site_id: 'site-01',
        temperature_c: temperature,
        humidity_pct: null,
        pressure_hpa: 1013,
        battery_pct: 90,
      }),
    };
  }

  async produce(topic: string, messages: Array<{ key: string; value: Buffer }>): Promise<void> {
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let i = 0; i < messages.length; i += 100)
        await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 100) });
    } finally {
      await producer.disconnect();
    }
  }

  private async cassandra(): Promise<CassandraClient> {
    this.cassandraClient ??= await CassandraClient.connect(
      cassandraConnection(this.ctx, CASSANDRA_ADMIN_USER, this.ctx.secrets.read(CASSANDRA_ADMIN_SECRET)!),
    );
    return this.cassandraClient;
  }

  /** Rows of `device` on `day` (YYYY-MM-DD) in iot_readings_by_device_day, and its event ids. */
  async deviceRows(device: string, day: string): Promise<string[]> {
    const client = await this.cassandra();
    const rows = await client.rows<{ event_id: { toString(): string } }>(
      `SELECT event_id FROM ${this.keyspace}.iot_readings_by_device_day WHERE device_id = ? AND day = ?`,
      [device, day],
    );
    return rows.map((r) => r.event_id.toString());
  }

  /** Rows of `device` in iot_readings_by_hour over the given hours. */
  async hourRows(device: string, hours: number[]): Promise<number> {
    const client = await this.cassandra();
    let count = 0;
    for (const hour of hours) {
      const rows = await client.rows<{ device_id: string }>(
        `SELECT device_id FROM ${this.keyspace}.iot_readings_by_hour WHERE hour = ?`,
        [new Date(hour)],
      );
      count += rows.filter((r) => r.device_id === device).length;
    }
    return count;
  }

  /** Waits until `count()` returns `expected`, then a little longer to see that no more arrive. */
  async waitForCount(
    what: string,
    expected: number,
    count: () => Promise<number>,
    timeoutMs = 180_000,
  ): Promise<number> {
    let last = -1;
    try {
      await waitFor(
        forCondition(`${what} to reach ${expected}`, timeoutMs, async () => (last = await count()) >= expected),
        { intervalMs: 2000 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message} (last seen: ${last})`, { cause: error });
    }
    await new Promise((r) => setTimeout(r, 5000));
    return count();
  }

  /** Every record of a dead-letter topic, with its headers as text. */
  /** Records ever written to a connector's dead-letter topic: its end offsets (0 is an answer, not a timeout). */
  async deadLetterCount(name: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.deadLetterTopic(name));
      return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  async deadLetters(
    name: string,
    expected: number,
    timeoutMs = 90_000,
  ): Promise<Array<{ key: string; value: Buffer; headers: Record<string, string> }>> {
    const consumer = this.kafka.consumer({ groupId: uniqueName('dlq-reader') });
    const out: Array<{ key: string; value: Buffer; headers: Record<string, string> }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: this.deadLetterTopic(name), fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }: { message: KafkaMessage }) => {
          const headers = Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]),
          );
          out.push({ key: message.key?.toString() ?? '', value: message.value ?? Buffer.alloc(0), headers });
          if (out.length === expected)
            setTimeout(() => {
              clearTimeout(timer);
              resolve();
            }, 3000);
        },
      });
    });
    await consumer.disconnect();
    return out;
  }

  status(name: string): Promise<ObservedConnector> {
    return this.connect.settledStatus(name, 60_000);
  }

  /** Points of a measurement in this suite's database, read back with @influxdata/influxdb-client (Flux). */
  async influxPoints(measurement: string): Promise<Array<Record<string, unknown>>> {
    const token = `${INFLUX_ADMIN_USER}:${this.ctx.secrets.read(INFLUX_ADMIN_SECRET)!}`;
    const query = new InfluxDB({ url: influxUrl(this.ctx), token }).getQueryApi('');
    const flux = `from(bucket: "${this.database}/raw")
  |> range(start: 1970-01-01T00:00:00Z)
  |> filter(fn: (r) => r._measurement == "${measurement}")
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`;
    return query.collectRows<Record<string, unknown>>(flux);
  }
}
