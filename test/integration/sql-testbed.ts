/**
 * A private copy of the repository's streaming SQL for one test suite: its own readings, rejects and
 * aggregate topics (the SQL files are copied with the topic names and transactional ids changed), the
 * ACLs the sluice-flink principal needs on them, its own spec, and helpers to feed hand-made IoT readings
 * and read the committed results.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../../lib/kafka/connection';
import { repoRoot } from '../../lib/repo';
import { registryFromEnv } from '../../lib/registry/from-env';
import type { AclBinding } from '../../orchestrator/clients/kafka-types';
import { clientEnvironment } from '../../orchestrator/platform/client-env';
import {
  FLINK_KAFKA_SECRET,
  FLINK_KAFKA_USER,
  flinkFetch,
  flinkRestUrl,
} from '../../orchestrator/platform/components/flink';
import { QUERY_KAFKA_SECRET, QUERY_KAFKA_USER } from '../../orchestrator/platform/components/flink-query';
import { run } from '../../orchestrator/platform/processes';
import { decodeWireHeader, encodeWire, parseSchema } from '../../lib/avro/wire';
import { readSchema, type SchemaName } from '../../schemas';
import { adminClient, adminConnection, testContext, uniqueName } from './helpers';

export const TABLE_FILES = ['010-sources.sql', '020-views.sql', '030-outputs.sql', '040-api-sources.sql'];

export class SqlTestbed {
  readonly ctx = testContext();
  readonly admin = adminClient(this.ctx);
  readonly kafka: Kafka = createKafka(adminConnection(this.ctx), { retries: 5 });
  readonly registry = registryFromEnv(clientEnvironment(this.ctx));
  readonly id = uniqueName('sql').replace(/[^a-z0-9]/g, '');
  /** The topic name each suite topic stands in for, in the repository's SQL. */
  private readonly originals = {
    readings: 'iot.readings',
    devices: 'ref.devices',
    rejects: 'rejects.iot',
    device1m: 'agg.iot.device-1m',
    device5m: 'agg.iot.device-5m',
    site1m: 'agg.iot.site-1m',
    site5m: 'agg.iot.site-5m',
    enriched: 'enriched.iot',
    overThreshold: 'patterns.iot-over-threshold',
    transactions: 'finance.transactions',
    accounts: 'ref.accounts',
    enrichedFinance: 'enriched.finance',
    cardTesting: 'patterns.card-testing',
    account1m: 'agg.finance.account-1m',
    account5m: 'agg.finance.account-5m',
    merchant1m: 'agg.finance.merchant-1m',
    merchant5m: 'agg.finance.merchant-5m',
    financeRejects: 'rejects.finance',
    webLogs: 'web.access-logs',
    ipBlocks: 'ref.ip-blocks',
    enrichedWeb: 'enriched.web',
    path1m: 'agg.web.path-1m',
    path5m: 'agg.web.path-5m',
    errorBurst: 'patterns.web-error-burst',
    webRejects: 'rejects.web',
    airQuality: 'api.air-quality',
    traffic: 'api.traffic-flow',
    quotes: 'api.market-quotes',
    airQuality1h: 'agg.api.air-quality-1h',
    traffic15m: 'agg.api.traffic-15m',
    priceMoves1h: 'agg.api.price-moves-1h',
  } as const;
  /** This suite's own topics, by the same keys. */
  readonly topics = Object.fromEntries(
    Object.entries(this.originals).map(([key, topic]) => [key, `${this.id}.${topic}`]),
  ) as Record<keyof SqlTestbed['originals'], string>;
  /** The topics the jobs read; every other one they write. */
  /** The topics the jobs read, with their value schemas; every other topic they write. */
  private readonly inputSchemas: Partial<Record<keyof SqlTestbed['originals'], SchemaName>> = {
    readings: 'iot-reading',
    devices: 'device',
    transactions: 'financial-transaction',
    accounts: 'account',
    webLogs: 'web-access-log',
    ipBlocks: 'ip-block',
    airQuality: 'air-quality-measurement',
    traffic: 'traffic-flow',
    quotes: 'market-quote',
  };
  private readonly serializers = new Map<string, { id: number; type: ReturnType<typeof parseSchema> }>();
  readonly workDir = mkdtempSync(join(tmpdir(), 'sluice-sql-'));
  readonly specFile = join(this.workDir, 'spec.yaml');
  private get grants(): AclBinding[] {
    const inputs = Object.keys(this.inputSchemas).map((key) => this.topics[key as keyof SqlTestbed['originals']]);
    const outputs = Object.values(this.topics).filter((topic) => !inputs.includes(topic));
    type Grant = Pick<AclBinding, 'resourceType' | 'resourceName' | 'operation'> & Partial<AclBinding>;
    const flink: Grant[] = [
      ...(['read', 'describe'] as const).flatMap((operation) =>
        inputs.map((resourceName): Grant => ({ resourceType: 'topic', resourceName, operation })),
      ),
      ...(['write', 'describe'] as const).flatMap((operation) =>
        outputs.map((resourceName): Grant => ({ resourceType: 'topic', resourceName, operation })),
      ),
      // The demo spec's sluice-flink principal grants these too; a suite run alone on a fresh platform
      // has only what it grants itself: its jobs' transactional ids. (Not the sources' group: the jobs
      // only commit offsets to it for monitoring, a refused commit is a warning, and another suite's
      // tear-down must not delete the demo's binding.)
      ...(['write', 'describe'] as const).map((operation): Grant => ({
        resourceType: 'transactional-id',
        resourceName: `sluice-${this.id}-`,
        operation,
        patternType: 'prefixed',
      })),
    ];
    // `sluice query` and `sluice sql` read every suite topic as the query principal (issue 11).
    const query: Grant[] = Object.values(this.topics).flatMap((resourceName) =>
      (['read', 'describe'] as const).map((operation): Grant => ({ resourceType: 'topic', resourceName, operation })),
    );
    return [
      ...flink.map((g) => ({ ...g, principal: `User:${FLINK_KAFKA_USER}` })),
      ...query.map((g) => ({ ...g, principal: `User:${QUERY_KAFKA_USER}` })),
    ].map((b) => ({ patternType: 'literal' as const, ...b, permission: 'allow' as const, host: '*' }));
  }

  async setUp(): Promise<void> {
    for (const name of Object.values(this.topics))
      await this.admin.createTopic({
        name,
        partitions: 1,
        replicationFactor: 3,
        config: { 'min.insync.replicas': '2' },
      });
    // Both principals come with the demo spec's deploy; a suite run alone on a fresh platform makes them.
    const users = await this.admin.scramUsers();
    if (!users.includes(QUERY_KAFKA_USER))
      await this.admin.upsertScramUser(QUERY_KAFKA_USER, this.ctx.secrets.ensure(QUERY_KAFKA_SECRET));
    if (!users.includes(FLINK_KAFKA_USER))
      await this.admin.upsertScramUser(FLINK_KAFKA_USER, this.ctx.secrets.ensure(FLINK_KAFKA_SECRET));
    await this.admin.createAcls(this.grants);
    for (const [key, schema] of Object.entries(this.inputSchemas)) {
      const topic = this.topics[key as keyof SqlTestbed['originals']];
      this.serializers.set(key, {
        id: await this.registry.register(`${topic}-value`, JSON.stringify(readSchema(schema))),
        type: parseSchema(readSchema(schema)),
      });
    }
    for (const table of TABLE_FILES) this.copySql(table);
  }

  async tearDown(): Promise<void> {
    await this.sluice('deploy-pipeline', '--spec', this.writeSpec({}), '--prune');
    await this.admin.deleteAcls(this.grants).catch(() => undefined);
    for (const name of Object.values(this.topics)) await this.admin.deleteTopic(name).catch(() => undefined);
    await this.admin.close();
  }

  sluice(...args: string[]) {
    return run('node', [join(repoRoot(), 'bin', 'sluice.js'), ...args], {
      cwd: repoRoot(),
      env: process.env,
      timeoutMs: 300_000,
    });
  }

  /** Copies sql/<file>, pointed at this suite's topics and transactional ids, then `edit`ed. */
  copySql(file: string, edit = (text: string) => text): string {
    let text = readFileSync(join(repoRoot(), 'sql', file), 'utf8').replace(
      /'sink\.transactional-id-prefix' = 'sluice-/g,
      `'sink.transactional-id-prefix' = 'sluice-${this.id}-`,
    );
    for (const [key, original] of Object.entries(this.originals))
      text = text
        .split(`'topic' = '${original}'`)
        .join(`'topic' = '${this.topics[key as keyof SqlTestbed['originals']]}'`);
    writeFileSync(join(this.workDir, file), edit(text));
    return file;
  }

  /** The suite's spec: the table files, and the given jobs (name suffix → SQL file in sql/). */
  writeSpec(jobs: Record<string, string>): string {
    const entries = Object.entries(jobs).map(
      ([suffix, file]) => `\n    - name: ${this.jobName(suffix)}\n      file: ${file}`,
    );
    writeFileSync(
      this.specFile,
      `apiVersion: sluice/v1\nname: ${this.id}\nsql:\n  tables: [${TABLE_FILES.join(', ')}]\n  jobs:${entries.length ? entries.join('') : ' []'}\n`,
    );
    return this.specFile;
  }

  jobName(suffix: string): string {
    return `${this.id}-${suffix}`;
  }

  /** This suite's running Flink jobs by job name. */
  async runningJobs(): Promise<Map<string, string>> {
    const overview = (await (await flinkFetch(this.ctx, `${flinkRestUrl(this.ctx)}/jobs/overview`)).json()) as {
      jobs: Array<{ jid: string; name: string; state: string }>;
    };
    return new Map(
      overview.jobs
        .filter((j) => j.name.startsWith(`sluice.${this.id}-`) && j.state === 'RUNNING')
        .map((j) => [j.name.split('.')[1]!, j.jid]),
    );
  }

  /** A value for one of the suite's input topics, in the Confluent wire format with its registered schema. */
  encode(input: keyof SqlTestbed['inputSchemas'], value: Record<string, unknown>): Buffer {
    const serializer = this.serializers.get(input);
    if (!serializer) throw new Error(`${input} is not an input topic of the suite, or setUp() has not run`);
    return encodeWire(serializer.id, serializer.type, value);
  }

  /** A reading of `device` at t0 + `seconds`, as the IoT simulator would write it. */
  reading(t0: number, device: string, seconds: number, temperature: number): { key: string; value: Buffer } {
    return {
      key: device,
      value: this.encode('readings', {
        event_id: randomUUID(),
        ts: t0 + seconds * 1000,
        device_id: device,
        site_id: 'site-01',
        temperature_c: temperature,
        humidity_pct: 50,
        pressure_hpa: 1013,
        battery_pct: 90,
      }),
    };
  }

  /**
   * Key and timestamp of every committed record of a topic, read by kcat (librdkafka, an independent
   * read_committed implementation), or undefined when kcat is not installed.
   */
  async kcatCommitted(topic: string): Promise<Array<{ key: string; timestamp: number }> | undefined> {
    const env = clientEnvironment(this.ctx);
    if (!existsSync(env.SLUICE_KCAT!)) return undefined;
    const result = await run(
      env.SLUICE_KCAT!,
      [
        '-F',
        env.SLUICE_KCAT_CONFIG!,
        '-C',
        '-t',
        topic,
        '-o',
        'beginning',
        '-e',
        '-q',
        '-X',
        'isolation.level=read_committed',
        '-f',
        '%k %T\n',
      ],
      { timeoutMs: 60_000 },
    );
    if (result.code !== 0) throw new Error(`kcat failed: ${result.stderr}`);
    return result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [key, timestamp] = line.split(' ');
        return { key: key!, timestamp: Number(timestamp) };
      });
  }

  /** A device registry entry, valid from `validFrom` (its Kafka timestamp), as the IoT simulator writes it. */
  device(
    deviceId: string,
    temperatureMax: number,
    validFrom: number,
  ): { key: string; value: Buffer; timestamp: string } {
    return {
      key: deviceId,
      timestamp: String(validFrom),
      value: this.encode('devices', {
        device_id: deviceId,
        site_id: 'site-01',
        site_name: 'Cold store 1',
        lat: 52.1,
        lon: 4.3,
        model: 'TH-200',
        temperature_min_c: -5,
        temperature_max_c: temperatureMax,
        humidity_max_pct: 80,
      }),
    };
  }

  /** A card payment of `amount` EUR on `account` at t0 + `seconds`. */
  transaction(
    t0: number,
    account: string,
    seconds: number,
    amount: number,
    merchant = 'mrc-00001',
  ): { key: string; value: Buffer } {
    return {
      key: account,
      value: this.encode('transactions', {
        event_id: randomUUID(),
        ts: t0 + seconds * 1000,
        account_id: account,
        merchant_id: merchant,
        merchant_category: 'digital_services',
        amount,
        currency: 'EUR',
        channel: 'online',
        country: 'NL',
        city: 'Amsterdam',
        lat: 52.37,
        lon: 4.9,
      }),
    };
  }

  /** An account (ref.accounts), valid from `validFrom`. */
  account(accountId: string, riskLevel: string, validFrom: number): { key: string; value: Buffer; timestamp: string } {
    return {
      key: accountId,
      timestamp: String(validFrom),
      value: this.encode('accounts', {
        account_id: accountId,
        customer_id: `cus-${accountId}`,
        customer_name: 'A. Customer',
        home_country: 'NL',
        risk_level: riskLevel,
        opened_ts: validFrom - 86_400_000,
      }),
    };
  }

  /** A request for `path` from `ip` at t0 + `seconds`, as the web simulator would write it. */
  request(
    t0: number,
    ip: string,
    seconds: number,
    path: string,
    status = 200,
    responseTimeMs = 50,
  ): { key: string; value: Buffer } {
    return {
      key: ip,
      value: this.encode('webLogs', {
        event_id: randomUUID(),
        ts: t0 + seconds * 1000,
        client_ip: ip,
        user: null,
        method: 'GET',
        path,
        status,
        bytes: 512,
        referrer: null,
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
        response_time_ms: responseTimeMs,
        is_bot: false,
      }),
    };
  }

  /** A /24 block of a range (ref.ip-blocks), valid from `validFrom`. */
  ipBlock(
    block: string,
    cidr: string,
    country: string,
    asn: number,
    validFrom: number,
  ): { key: string; value: Buffer; timestamp: string } {
    return {
      key: block,
      timestamp: String(validFrom),
      value: this.encode('ipBlocks', { block, cidr, country, asn, as_org: `AS${asn} Networks` }),
    };
  }

  /** Every committed record of a topic, decoded with the registry's schema for its id. */
  async readCommitted(topic: string, expected: number, timeoutMs = 90_000): Promise<Array<Record<string, unknown>>> {
    const consumer = this.kafka.consumer({ groupId: uniqueName('sql-reader'), readUncommitted: false });
    const records: Array<Record<string, unknown>> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const { schemaId, body } = decodeWireHeader(message.value!);
          records.push(
            parseSchema(await this.registry.schemaById(schemaId)).fromBuffer(body) as Record<string, unknown>,
          );
          // A little longer after the last expected one, so that a duplicate would be seen too.
          if (records.length === expected)
            setTimeout(() => {
              clearTimeout(timer);
              resolve();
            }, 3000);
        },
      });
    });
    await consumer.disconnect();
    return records;
  }
}
