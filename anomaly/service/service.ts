/**
 * The anomaly service on Kafka: a consumer group over the watched topics (read_committed), a
 * transactional producer, and the Processor between them.
 *
 * Exactly once, as Kafka Streams does it: each batch of records is processed, then ONE transaction
 * carries its alerts (alerts topic), the state it changed (detector snapshots, open incidents: the
 * compacted state topic) and the batch's offsets (`sendOffsets`, committed for the group). Either all
 * three are visible or none, so after a crash at any point the state topic and the committed offsets
 * agree: a restart restores the state, resumes from the offsets, and neither re-fires a resolved
 * incident nor loses an open one. Absence checks and pattern expiry run on a timer, in transactions of
 * their own (alerts and state, no offsets). Alertmanager and InfluxDB are told after the commit (at
 * least once; both are idempotent).
 *
 * Bounded (batching.ts): a fetched batch is cut into transactions of at most
 * `transactions.maxRecords` records, each cut earlier when what it will write reaches about
 * `transactions.maxBytes`; sends stay under the brokers' 1 MB. Alerts held back for grouping are
 * released by a timer, in transactions of their own.
 *
 * Start: fence older instances (the transactional id is the group's), read the state topic to its end
 * record by record into the processor (group `<group>-restore`, never committed; the series limit
 * applies while reading), then join the group. One instance per group: a second one fences the first,
 * which stops with SLUICE_KAFKA_ERROR. A failed transaction aborts, and the service rebuilds itself
 * from the state topic (a restart in place), with smaller transactions when the broker refused one as
 * too large; it stops with the reason when it cannot make progress (batching.ts); a fenced producer stops it.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { SluiceError, messageOf } from '../../lib/errors';
import { toSluiceError } from '../../lib/kafka/connection';
import type { Logger } from '../../lib/log';
import type { RegistryClient } from '../../lib/registry/client';
import { encodeWire } from '../../lib/avro/wire';
import { topicSerializers, type TopicSerializer } from '../../lib/avro/serializers';
import { alertRecord, summaryOf } from './alert';
import type { AlertmanagerClient } from './alertmanager';
import type { AnnotationWriter } from './annotations';
import { watchedTopics, type ServiceConfig } from './config';
import { AvroDecoder, fieldIssues, type AvroSchemaJson, type FieldIssue } from './decode';
import { Delivery } from './delivery';
import {
  RecoveryPolicy,
  SEND_BYTES,
  TransactionLimits,
  chunkBy,
  chunks,
  classifyFailure,
  splitDrained,
} from './batching';
import type { IncidentEvent } from './incidents';
import { linkOf } from './links';
import { AnomalyMetrics, MetricsServer } from './metrics';
import { Processor, type Drained, type ProcessorCounters } from './processor';

export interface AnomalyServiceOptions {
  config: ServiceConfig;
  kafka: Kafka;
  registry: RegistryClient;
  alertmanager?: AlertmanagerClient;
  annotations?: AnnotationWriter;
  /** Port of /metrics, /ready and /incidents (0: any free port; undefined: no server). */
  metricsPort?: number;
  host?: string;
  log: Logger;
  clock?: () => number;
  /** How often the consumer lag is measured (default 15 s). */
  lagIntervalMs?: number;
  /** Grafana's base URL, for `{grafana}` in the spec's link templates (links.ts). */
  grafanaUrl?: string;
}

export { chunks };

/** Attempts of a transaction the coordinator refused as concurrent with the previous one. */
const CONCURRENT_RETRIES = 5;

/** An alert record's size in a send, about (its Avro encoding is smaller than this). */
const ALERT_BYTES = 3000;

/** A one-at-a-time queue: batches and ticks change the same state and share one transactional producer. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class AnomalyService {
  readonly metrics = new AnomalyMetrics();
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly serial = new Serial();
  private readonly decoder: AvroDecoder;
  private readonly delivery: Delivery;
  private readonly server: MetricsServer | undefined;
  private processor: Processor;
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private alerts: TopicSerializer | undefined;
  private timers: NodeJS.Timeout[] = [];
  private ready = false;
  private stopping = false;
  private rebuilding = false;
  /** The current transaction budget (smaller after a refusal as too large). */
  private readonly limits: TransactionLimits;
  /** Failures since the last progress, and what to do about the next one. */
  private readonly recovery: RecoveryPolicy;
  private releaseTimer: NodeJS.Timeout | undefined;
  private releaseAt = Infinity;
  private port: number | undefined;
  private readonly checkedSchemas = new Set<number>();
  private assigned = new Set<string>();
  private finished!: (error?: unknown) => void;
  /** Settles when the service stops: resolves after stop(), rejects when it gives up. */
  readonly done: Promise<void>;

  constructor(private readonly options: AnomalyServiceOptions) {
    this.log = options.log.child({ component: 'anomaly' });
    this.clock = options.clock ?? Date.now;
    this.decoder = new AvroDecoder(options.registry);
    this.limits = new TransactionLimits(options.config.maxRecordsPerTransaction, options.config.maxBytesPerTransaction);
    this.recovery = new RecoveryPolicy(this.limits, options.config);
    this.processor = this.newProcessor();
    this.metrics.seriesLimit.set(options.config.maxSeries);
    this.showLimits();
    this.server =
      options.metricsPort === undefined
        ? undefined
        : new MetricsServer(this.metrics, {
            ready: () => this.ready,
            incidents: () => this.processor.openIncidents(),
            incident: (id) => this.processor.allOpenIncidents().find((i) => i.id === id),
          });
    this.delivery = new Delivery({
      ...(options.alertmanager ? { alertmanager: options.alertmanager } : {}),
      ...(options.annotations ? { annotations: options.annotations } : {}),
      resendMs: options.config.resendMs,
      baseUrl: () => `http://${options.host ?? '127.0.0.1'}:${this.port ?? 0}`,
      link: (incident) => linkOf(options.config, incident, options.grafanaUrl),
      metrics: this.metrics,
      log: this.log,
      clock: this.clock,
    });
    this.done = new Promise<void>((resolve, reject) => {
      this.finished = (error?: unknown) => (error === undefined ? resolve() : reject(error));
    });
    this.done.catch(() => undefined);
  }

  get config(): ServiceConfig {
    return this.options.config;
  }

  private newProcessor(): Processor {
    const m = this.metrics;
    const counters: ProcessorCounters = {
      outOfOrder: (topic) => m.outOfOrder.inc({ topic }),
      belowMinCount: (topic, metric) => m.belowMinCount.inc({ topic, metric }),
      evicted: (reason, n, established) => {
        if (n > established) m.evicted.inc({ reason, series: 'new' }, n - established);
        if (established > 0) m.evicted.inc({ reason, series: 'established' }, established);
      },
    };
    return new Processor(this.options.config, this.log, counters);
  }

  private showLimits(): void {
    this.metrics.transactionLimit.set({ limit: 'records' }, this.limits.records);
    this.metrics.transactionLimit.set({ limit: 'bytes' }, this.limits.bytes);
  }

  /** The processor's gauges: live series, held and open incidents. */
  private showState(): void {
    this.metrics.series.set(this.processor.seriesCount);
    this.metrics.seriesEstablished.set(this.processor.promotedCount);
    this.metrics.incidentsHeld.set(this.processor.grouper.heldCount);
    this.countOpen();
  }

  /** The HTTP port (/metrics, /ready, /incidents), once started. */
  get httpPort(): number | undefined {
    return this.port;
  }

  get isReady(): boolean {
    return this.ready;
  }

  openIncidents() {
    return this.processor.openIncidents();
  }

  /** Restores the state and starts consuming; resolves once the service is ready. */
  async start(): Promise<void> {
    if (this.server)
      this.port = await this.server.listen(this.options.metricsPort ?? 0, this.options.host ?? '127.0.0.1');
    const { config } = this.options;
    this.alerts = (
      await topicSerializers(
        this.options.registry,
        [config.alertsTopic],
        { [config.alertsTopic]: 'alert' },
        'anomaly.alertsTopic',
      )
    ).get(config.alertsTopic);
    await this.checkRegisteredSchemas();
    await this.startKafka();
    this.timers.push(
      setInterval(() => void this.tick(), config.tickMs),
      setInterval(() => void this.resend(), config.resendMs),
      setInterval(() => void this.measureLag(), this.options.lagIntervalMs ?? 15_000),
    );
    for (const t of this.timers) t.unref();
    void this.measureLag();
  }

  /** The spec's fields against each watched topic's latest registered schema (topics Flink has not written yet are checked on their first record). */
  private async checkRegisteredSchemas(): Promise<void> {
    const issues: FieldIssue[] = [];
    const unregistered: string[] = [];
    for (const watched of [...this.config.series.values(), ...this.config.patterns.values()]) {
      const latest = await this.options.registry.latest(`${watched.topic}-value`);
      if (!latest) {
        unregistered.push(watched.topic);
        continue;
      }
      this.checkedSchemas.add(latest.id);
      issues.push(...fieldIssues(watched, JSON.parse(latest.schema) as AvroSchemaJson));
    }
    if (unregistered.length)
      this.log.info(
        `no schema registered yet for ${unregistered.join(', ')} (a Flink job registers one with its first record): their fields are checked then`,
      );
    if (issues.length) {
      throw new SluiceError(
        'SLUICE_CONFIG_INVALID',
        `the anomaly section names fields the topics do not have:\n${issues.map((i) => `  - ${i.path}: ${i.message} (fix: ${i.fix})`).join('\n')}`,
        {
          path: issues[0]!.path,
          fix: 'correct the field names in pipeline.yaml (the columns of the window tables in sql/030-outputs.sql)',
          details: { issues },
        },
      );
    }
  }

  private async startKafka(): Promise<void> {
    const { config, kafka } = this.options;
    this.processor = this.newProcessor();
    this.assigned = new Set();
    const producer = kafka.producer({
      transactionalId: config.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    this.producer = producer;
    try {
      await producer.connect();
      // InitProducerId: fences an older instance and aborts its open transaction, so that what the
      // state topic holds below is everything that was committed.
      await (await producer.transaction()).abort();
    } catch (error) {
      throw toSluiceError(error, `anomaly: starting the transactional producer ${config.transactionalId}`);
    }
    const started = this.clock();
    this.processor.beginRestore(started);
    const read = await this.readState((record) => this.processor.restoreRecord(record));
    const summary = this.processor.endRestore(this.clock());
    this.log.info(
      `state restored in ${((this.clock() - started) / 1000).toFixed(1)}s: ${summary.detectors} series, ${summary.incidents} open incidents (${read} records read)${summary.evicted ? `, ${summary.evicted} series not restored (idle, or beyond anomaly.maxSeries ${config.maxSeries}: the least recent)` : ''}${summary.restarted ? `, ${summary.restarted} series restarted (their detector changed)` : ''}${summary.dropped ? `, ${summary.dropped} records of series no longer watched removed` : ''}`,
      { topic: config.stateTopic },
    );
    // Resolutions of incidents no longer watched, and tombstones, go out before anything new (in
    // transactions of at most the budget each: they carry no offsets).
    const restored = this.processor.drain(this.clock());
    await this.commitUnbound(restored);

    this.admin = kafka.admin();
    await this.admin
      .connect()
      .catch((error: unknown) => this.log.warn(`no admin connection for the lag metric: ${messageOf(error)}`));
    const consumer = kafka.consumer({
      groupId: config.group,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onJoin(event.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart && !this.stopping) void this.fail(event.payload.error);
    });
    try {
      await consumer.connect();
      for (const topic of watchedTopics(config))
        await consumer.subscribe({ topic, fromBeginning: config.startFrom === 'earliest' });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.eachBatch(payload),
      });
    } catch (error) {
      throw toSluiceError(error, `anomaly: joining group ${config.group}`);
    }
    this.ready = true;
    this.metrics.ready.set(1);
    this.showState();
    await this.afterCommit(restored.events);
    this.scheduleRelease();
    // Alertmanager may have restarted too, or dropped the alerts while the service was away.
    await this.delivery.resend(this.processor.openIncidents());
    this.log.info(`watching ${watchedTopics(config).join(', ')} as group ${config.group}`, { group: config.group });
  }

  /** Partitions newly given to this instance were someone else's: rebuild from the state topic to have their latest state. */
  private onJoin(assignment: Record<string, number[]>): void {
    const now = new Set(
      Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}:${p}`)),
    );
    const first = this.assigned.size === 0;
    const gained = [...now].filter((tp) => !this.assigned.has(tp));
    this.assigned = now;
    if (!first && gained.length > 0 && !this.stopping) {
      this.log.info(`took over ${gained.join(', ')}: rebuilding from the state topic`);
      void this.rebuild(new Error('partitions reassigned'), false);
    }
  }

  /**
   * Every committed record of the state topic, in order, to `onRecord` (read_committed, to its end);
   * nothing is kept here, so memory is what the processor keeps (within the series limit). Returns how
   * many records were read.
   */
  private async readState(onRecord: (record: { key: string; value: string | null }) => void): Promise<number> {
    const { config, kafka } = this.options;
    const admin = kafka.admin();
    let read = 0;
    try {
      await admin.connect();
      const ends = new Map(
        (await admin.fetchTopicOffsets(config.stateTopic)).map((p) => [
          p.partition,
          { low: Number(p.low), high: Number(p.high) },
        ]),
      );
      const remaining = new Set([...ends].filter(([, o]) => o.high > o.low).map(([p]) => p));
      if (remaining.size === 0) return 0;
      const consumer = kafka.consumer({
        groupId: config.restoreGroup,
        readUncommitted: false,
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: 250,
      });
      let done!: () => void;
      const complete = new Promise<void>((resolve) => (done = resolve));
      const reached = (partition: number, lastOffset: string | number | null | undefined): void => {
        if (lastOffset === null || lastOffset === undefined) return;
        if (Number(lastOffset) + 1 >= (ends.get(partition)?.high ?? 0)) remaining.delete(partition);
        if (remaining.size === 0) done();
      };
      // Batches of only transaction markers or aborted records end a partition too.
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => reached(e.payload.partition, e.payload.lastOffset));
      await consumer.connect();
      try {
        await consumer.subscribe({ topic: config.stateTopic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              read++;
              onRecord({ key: m.key?.toString() ?? '', value: m.value === null ? null : m.value.toString() });
            }
          },
        });
        // Always from the beginning: the restore group never commits, but a stale one may exist.
        for (const partition of ends.keys())
          consumer.seek({ topic: config.stateTopic, partition, offset: String(ends.get(partition)!.low) });
        const timeout = new Promise<never>((_, reject) =>
          setTimeout(
            () =>
              reject(
                new SluiceError(
                  'SLUICE_WAIT_TIMEOUT',
                  `reading the state topic ${config.stateTopic} to its end took more than 5 minutes`,
                ),
              ),
            300_000,
          ).unref(),
        );
        await Promise.race([complete, timeout]);
      } finally {
        await consumer.disconnect();
      }
      return read;
    } catch (error) {
      throw toSluiceError(error, `anomaly: reading the state topic ${config.stateTopic}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * A fetched batch of one partition, in transactions of at most `limits.records` records each, cut
   * earlier when what it will write reaches about `limits.bytes`.
   */
  private async eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
    pause,
  }: EachBatchPayload): Promise<void> {
    const messages = batch.messages;
    let next = 0;
    while (next < messages.length) {
      if (!isRunning() || isStale() || this.rebuilding || this.stopping) return;
      let outcome: Drained;
      try {
        outcome = await this.serial.run(async () => {
          const started = this.clock();
          const first = next;
          while (
            next < messages.length &&
            next - first < this.limits.records &&
            (next === first || this.processor.pendingBytes < this.limits.bytes)
          ) {
            await this.handleMessage(batch.topic, messages[next]!.value, started);
            next++;
          }
          const drained = this.processor.drain(this.clock());
          const last = messages[next - 1]!.offset;
          await this.commit(drained, {
            topic: batch.topic,
            partition: batch.partition,
            offset: String(Number(last) + 1),
          });
          resolveOffset(last);
          this.metrics.transactionSeconds.observe((this.clock() - started) / 1000);
          this.metrics.transactionRecords.observe(next - first);
          return drained;
        });
      } catch (error) {
        // The in-memory state ran ahead of what was committed: stop consuming and rebuild.
        pause();
        void this.fail(error);
        return;
      }
      const newest = this.processor.newestEventTs(batch.topic);
      if (newest !== undefined)
        this.metrics.eventLag.set({ topic: batch.topic }, Math.max(0, (this.clock() - newest) / 1000));
      this.showState();
      await heartbeat();
      await this.afterCommit(outcome.events);
      this.scheduleRelease();
    }
  }

  private async handleMessage(topic: string, value: Buffer | null, now: number): Promise<void> {
    if (value === null) {
      this.metrics.records.inc({ topic, outcome: 'skipped' });
      return;
    }
    let decoded;
    try {
      decoded = await this.decoder.decode(value);
    } catch (error) {
      // A record that cannot be read must not stop the topic; the registry being down must.
      if ((error as SluiceError).code === 'SLUICE_HTTP_ERROR') throw error;
      this.metrics.records.inc({ topic, outcome: 'skipped' });
      this.log.warn(`record skipped: ${messageOf(error)}`, { resource: `topic/${topic}` });
      return;
    }
    if (!this.checkedSchemas.has(decoded.schemaId)) {
      this.checkedSchemas.add(decoded.schemaId);
      const watched = this.config.series.get(topic) ?? this.config.patterns.get(topic);
      for (const issue of watched ? fieldIssues(watched, decoded.schema) : [])
        this.log.error(`${issue.path}: ${issue.message} (fix: ${issue.fix})`, {
          resource: `topic/${topic}`,
          schemaId: decoded.schemaId,
        });
    }
    const skipped = this.processor.handle(topic, decoded.value, now);
    this.metrics.records.inc({ topic, outcome: skipped ? 'skipped' : 'processed' });
  }

  /**
   * One transaction: alerts, state, and (for a batch) the offsets. Nothing to write: nothing sent.
   * Every send stays under the brokers' 1 MB (SEND_BYTES uncompressed). A transaction with offsets
   * that commits is progress: the failure count starts again. When the coordinator is still finishing
   * the previous transaction (CONCURRENT_TRANSACTIONS), the aborted one is tried again, a few times.
   */
  private async commit(
    drained: Drained,
    offsets?: { topic: string; partition: number; offset: string },
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.commitOnce(drained, offsets);
        return;
      } catch (error) {
        if (attempt >= CONCURRENT_RETRIES || classifyFailure(error) !== 'concurrent') {
          this.metrics.transactions.inc({ outcome: 'aborted' });
          throw error;
        }
        this.metrics.transactions.inc({ outcome: 'retried' });
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  private async commitOnce(
    drained: Drained,
    offsets?: { topic: string; partition: number; offset: string },
  ): Promise<void> {
    const { config } = this.options;
    const alerts = drained.events.filter((e) => e.type !== 'updated');
    if (alerts.length === 0 && drained.state.length === 0 && !offsets) return;
    const producer = this.producer!;
    const txn = await producer.transaction();
    let bytes = 0;
    try {
      const now = this.clock();
      const encoded = alerts.map((e) => ({
        key: e.incident.id,
        value: encodeWire(
          this.alerts!.schemaId,
          this.alerts!.type,
          alertRecord(e.incident, e.type === 'fired' ? 'firing' : 'resolved', now),
          'alert',
        ),
      }));
      for (const chunk of chunkBy(encoded, (m) => m.key.length + m.value.length, SEND_BYTES)) {
        bytes += chunk.reduce((n, m) => n + m.key.length + m.value.length, 0);
        await txn.send({ topic: config.alertsTopic, acks: -1, messages: chunk });
      }
      // Snapshots are JSON of numbers (up to ~70 KB for a warm ensemble): gzip makes them a third of
      // their size, and sends of at most SEND_BYTES keep each record batch under the brokers' 1 MB.
      for (const chunk of chunks(drained.state, SEND_BYTES)) {
        bytes += chunk.reduce((n, r) => n + r.key.length + (r.value?.length ?? 0), 0);
        await txn.send({
          topic: config.stateTopic,
          acks: -1,
          compression: CompressionTypes.GZIP,
          messages: chunk.map((s) => ({ key: s.key, value: s.value })),
        });
      }
      if (offsets)
        await txn.sendOffsets({
          consumerGroupId: config.group,
          topics: [{ topic: offsets.topic, partitions: [{ partition: offsets.partition, offset: offsets.offset }] }],
        });
      await txn.commit();
      this.metrics.transactions.inc({ outcome: 'committed' });
      this.metrics.transactionBytes.observe(bytes);
      if (offsets) this.recovery.progressed();
      this.limits.succeeded();
      this.showLimits();
    } catch (error) {
      let aborted = !txn.isActive();
      if (!aborted)
        aborted = await txn.abort().then(
          () => true,
          () => false,
        );
      // Not aborted: the producer's state is unknown, so no retry in place (the service rebuilds).
      const cause =
        !aborted && classifyFailure(error) === 'concurrent'
          ? new Error(`abort failed after: ${messageOf(error)}`)
          : error;
      throw toSluiceError(
        cause,
        `anomaly: transaction of ${alerts.length} alerts, ${drained.state.length} state records (${bytes} bytes sent before the failure)${offsets ? ` and offset ${offsets.topic}[${offsets.partition}]@${offsets.offset}` : ''}`,
      );
    }
  }

  /** What carries no input offsets (a restore's tombstones, ticks, released alerts): several transactions within the budget. */
  private async commitUnbound(drained: Drained): Promise<void> {
    for (const part of splitDrained(drained, this.limits.bytes, () => ALERT_BYTES)) await this.commit(part);
  }

  private async afterCommit(events: IncidentEvent[]): Promise<void> {
    for (const e of events) {
      if (e.type === 'fired') {
        this.metrics.alertsFired.inc({ source: e.incident.source, severity: e.incident.severity });
        this.metrics.alertDelay.observe(
          { source: e.incident.source },
          Math.max(0, (e.incident.firedAt - e.incident.startedAt) / 1000),
        );
        this.log.warn(`incident ${e.incident.id} fired: ${summaryOf(e.incident)}`, {
          resource: `${e.incident.source}/${e.incident.key}`,
          severity: e.incident.severity,
        });
      } else if (e.type === 'resolved') {
        this.metrics.alertsResolved.inc({ source: e.incident.source, severity: e.incident.severity });
        this.log.info(`incident ${e.incident.id} resolved`, { resource: `${e.incident.source}/${e.incident.key}` });
      }
    }
    this.countOpen();
    await this.delivery.deliver(events);
  }

  private countOpen(): void {
    // As alerted: a group counts once (kind group), its members not at all.
    const open = this.processor.openIncidents();
    const count = (kind: string) => open.filter((i) => (i.members ? 'group' : i.kind) === kind).length;
    for (const kind of ['anomaly', 'pattern', 'group']) this.metrics.incidentsOpen.set({ kind }, count(kind));
  }

  /** Absence checks, idle eviction, pattern expiry, held alerts due: transactions of their own. */
  private async tick(): Promise<void> {
    await this.offsetless(() => this.processor.tick(this.clock()));
  }

  /** Held incidents due now: grouped or alone, in a transaction of their own. */
  private async release(): Promise<void> {
    this.releaseTimer = undefined;
    this.releaseAt = Infinity;
    await this.offsetless(() => undefined);
  }

  private async offsetless(work: () => void): Promise<void> {
    if (!this.ready || this.rebuilding || this.stopping) return;
    let drained: Drained;
    try {
      drained = await this.serial.run(async () => {
        work();
        const out = this.processor.drain(this.clock());
        await this.commitUnbound(out);
        return out;
      });
    } catch (error) {
      void this.fail(error);
      return;
    }
    this.showState();
    await this.afterCommit(drained.events);
    this.scheduleRelease();
  }

  /** A timer for the next held incident's release (one at a time, the earliest). */
  private scheduleRelease(): void {
    const due = this.processor.nextRelease();
    if (due === undefined || due >= this.releaseAt || this.stopping) return;
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseAt = due;
    this.releaseTimer = setTimeout(() => void this.release(), Math.max(0, due - this.clock()) + 10);
    this.releaseTimer.unref();
  }

  private async resend(): Promise<void> {
    if (!this.ready || this.rebuilding) return;
    await this.delivery
      .resend(this.processor.openIncidents())
      .catch((error: unknown) => this.log.warn(`re-send failed: ${messageOf(error)}`));
  }

  /** sluice_consumer_lag{group, topic}: end offsets minus the group's committed offsets. */
  private async measureLag(): Promise<void> {
    const admin = this.admin;
    if (!admin || !this.ready) return;
    const { group } = this.config;
    try {
      for (const topic of watchedTopics(this.config)) {
        const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        const ends = await admin.fetchTopicOffsets(topic);
        let lag = 0;
        for (const end of ends) {
          const offset = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
          lag += Math.max(0, Number(end.high) - (offset >= 0 ? offset : Number(end.low)));
        }
        this.metrics.lag.set({ group, topic }, lag);
      }
    } catch (error) {
      this.log.debug(`lag not measured: ${messageOf(error)}`);
    }
  }

  /** A failed transaction or a crashed consumer: rebuild from the state topic, or stop when fenced or making no progress. */
  private async fail(error: unknown): Promise<void> {
    if (this.stopping) return;
    await this.rebuild(error, true);
  }

  /**
   * Rebuilds from the state topic (the in-memory state ran ahead of what was committed). Never a loop
   * (RecoveryPolicy): a refusal as too large shrinks the transactions first, down to one record; any
   * other failure counts, and MAX_FAILURES in a row without progress stop the service with the reason.
   */
  private async rebuild(error: unknown, counts: boolean): Promise<void> {
    if (this.rebuilding || this.stopping) return;
    this.rebuilding = true;
    this.ready = false;
    this.metrics.ready.set(0);
    let cause = error;
    try {
      for (;;) {
        const recovery = this.recovery.failed(cause, counts);
        this.showLimits();
        if (recovery.action === 'stop') throw recovery.error;
        if (recovery.note) this.log.warn(recovery.note);
        this.log.warn(
          `rebuilding from the state topic (failures without progress: ${this.recovery.failures}/${this.recovery.maxFailures}): ${messageOf(cause)}`,
        );
        try {
          await this.serial.run(async () => {
            await this.disconnectKafka();
            await new Promise((r) => setTimeout(r, recovery.delayMs));
            if (this.stopping) return;
            await this.startKafka();
          });
          break;
        } catch (next) {
          cause = next;
          counts = true;
        }
      }
      this.rebuilding = false;
    } catch (fatal) {
      this.rebuilding = false;
      this.log.error(`stopping: ${messageOf(fatal)}`);
      await this.shutdown(fatal);
    }
  }

  private async disconnectKafka(): Promise<void> {
    const consumer = this.consumer;
    const producer = this.producer;
    const admin = this.admin;
    this.consumer = undefined;
    this.producer = undefined;
    this.admin = undefined;
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }

  private async shutdown(error?: unknown): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.ready = false;
    this.metrics.ready.set(0);
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    // Let a batch or tick in flight finish its transaction first.
    await this.serial.run(async () => undefined);
    await this.disconnectKafka();
    await this.delivery.close();
    await this.server?.close();
    this.finished(error);
  }

  /** Stops after the transaction in flight; firing alerts stay in Alertmanager until their endsAt. */
  async stop(): Promise<void> {
    await this.shutdown();
    await this.done.catch(() => undefined);
  }
}
