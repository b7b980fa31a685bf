/**
 * The service's Prometheus metrics (prom-client) and its small HTTP server: /metrics for Prometheus,
 * /ready for the launcher (200 once the state is restored and the consumer runs), /incidents (the open
 * incidents as JSON) and /incidents/<id> (an alert's generatorURL).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Incident } from './incidents';

export class AnomalyMetrics {
  readonly registry = new Registry();
  readonly records: Counter<'topic' | 'outcome'>;
  readonly series: Gauge;
  readonly incidentsOpen: Gauge<'kind'>;
  readonly alertsFired: Counter<'source' | 'severity'>;
  readonly alertsResolved: Counter<'source' | 'severity'>;
  readonly deliveryFailures: Counter<'target'>;
  readonly transactions: Counter<'outcome'>;
  readonly alertDelay: Histogram<'source'>;
  readonly lag: Gauge<'group' | 'topic'>;
  readonly eventLag: Gauge<'topic'>;
  readonly seriesLimit: Gauge;
  readonly seriesEstablished: Gauge;
  readonly evicted: Counter<'reason' | 'series'>;
  readonly outOfOrder: Counter<'topic'>;
  readonly belowMinCount: Counter<'topic' | 'metric'>;
  readonly incidentsHeld: Gauge;
  readonly ready: Gauge;
  readonly transactionSeconds: Histogram;
  readonly transactionRecords: Histogram;
  readonly transactionBytes: Histogram;
  readonly transactionLimit: Gauge<'limit'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.records = new Counter({
      name: 'sluice_anomaly_records_total',
      help: 'Records of the watched topics, by outcome: processed, or skipped (undecodable, no key, no time)',
      labelNames: ['topic', 'outcome'],
      registers,
    });
    this.series = new Gauge({
      name: 'sluice_anomaly_series_tracked',
      help: 'Series (topic, metric, key) with a detector',
      registers,
    });
    this.incidentsOpen = new Gauge({
      name: 'sluice_anomaly_incidents_open',
      help: 'Incidents firing now, as alerted, by kind: anomaly (one key), pattern (one match), group (many keys of one source and metric, alerted once)',
      labelNames: ['kind'],
      registers,
    });
    this.alertsFired = new Counter({
      name: 'sluice_anomaly_alerts_fired_total',
      help: 'Incidents fired (one alerts record each)',
      labelNames: ['source', 'severity'],
      registers,
    });
    this.alertsResolved = new Counter({
      name: 'sluice_anomaly_alerts_resolved_total',
      help: 'Incidents resolved (one alerts record each)',
      labelNames: ['source', 'severity'],
      registers,
    });
    this.deliveryFailures = new Counter({
      name: 'sluice_anomaly_delivery_failures_total',
      help: 'Alerts or annotations a target did not take (retried), by target: alertmanager, influxdb',
      labelNames: ['target'],
      registers,
    });
    this.transactions = new Counter({
      name: 'sluice_anomaly_transactions_total',
      help: 'Kafka transactions of alerts, state and offsets, by outcome: committed, aborted (the service rebuilds), retried (refused as concurrent with the previous one, tried again in place)',
      labelNames: ['outcome'],
      registers,
    });
    this.alertDelay = new Histogram({
      name: 'sluice_anomaly_alert_delay_seconds',
      help: "From an incident's start (event time: the end of the window that showed it) to its firing",
      labelNames: ['source'],
      buckets: [1, 2.5, 5, 10, 15, 20, 30, 45, 60, 120, 300, 900],
      registers,
    });
    this.lag = new Gauge({
      name: 'sluice_consumer_lag',
      help: 'Records of a watched topic not yet processed by the group (end offset minus committed offset, summed over partitions; a transaction marker counts as one)',
      labelNames: ['group', 'topic'],
      registers,
    });
    this.eventLag = new Gauge({
      name: 'sluice_anomaly_event_lag_seconds',
      help: 'Wall clock minus the event time of the newest record processed, per watched topic (a window arrives about 15 s after its end when the service keeps up)',
      labelNames: ['topic'],
      registers,
    });
    this.seriesLimit = new Gauge({
      name: 'sluice_anomaly_series_limit',
      help: 'Live series held at most (anomaly.maxSeries): the memory bound',
      registers,
    });
    this.seriesEstablished = new Gauge({
      name: 'sluice_anomaly_series_established',
      help: 'Live series promoted to a full detector (from their third point on) and kept in the state topic; the others are new, judged by their rules only',
      registers,
    });
    this.evicted = new Counter({
      name: 'sluice_anomaly_series_evicted_total',
      help: 'Series dropped from memory (and the state topic), by reason: idle (anomaly.idleSeconds), limit (anomaly.maxSeries); series: new (still light, a one-off key) or established (promoted: a limit too small)',
      labelNames: ['reason', 'series'],
      registers,
    });
    this.outOfOrder = new Counter({
      name: 'sluice_anomaly_out_of_order_points_total',
      help: "Points not later than their series' last learned point (out of order, repeated): scored, not learned",
      labelNames: ['topic'],
      registers,
    });
    this.belowMinCount = new Counter({
      name: 'sluice_anomaly_points_below_min_count_total',
      help: "Metric values of windows counting fewer records than the metric's minCount: treated as missing",
      labelNames: ['topic', 'metric'],
      registers,
    });
    this.incidentsHeld = new Gauge({
      name: 'sluice_anomaly_incidents_held',
      help: 'New incidents held back (anomaly.grouping.waitSeconds) to see whether they are part of a storm',
      registers,
    });
    this.ready = new Gauge({
      name: 'sluice_anomaly_ready',
      help: '1 while the service consumes (state restored, group joined), 0 while it restores or rebuilds',
      registers,
    });
    this.transactionSeconds = new Histogram({
      name: 'sluice_anomaly_transaction_seconds',
      help: 'Time of one transaction: processing its input records, then writing and committing alerts, state and offsets',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.transactionRecords = new Histogram({
      name: 'sluice_anomaly_transaction_records',
      help: 'Input records per transaction (at most anomaly.transactions.maxRecords)',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    });
    this.transactionBytes = new Histogram({
      name: 'sluice_anomaly_transaction_bytes',
      help: 'Bytes (uncompressed) of alerts and state per transaction (cut at about anomaly.transactions.maxBytes)',
      buckets: [1e3, 1e4, 1e5, 5e5, 1e6, 2e6, 4e6, 8e6, 16e6],
      registers,
    });
    this.transactionLimit = new Gauge({
      name: 'sluice_anomaly_transaction_limit',
      help: 'The current transaction budget (records, bytes): below the configured one after the broker refused a transaction as too large',
      labelNames: ['limit'],
      registers,
    });
    for (const reason of ['idle', 'limit'])
      for (const series of ['new', 'established']) this.evicted.inc({ reason, series }, 0);
    this.ready.set(0);
    for (const target of ['alertmanager', 'influxdb']) this.deliveryFailures.inc({ target }, 0);
    for (const outcome of ['committed', 'aborted', 'retried']) this.transactions.inc({ outcome }, 0);
  }
}

export interface ServerHooks {
  ready: () => boolean;
  /** The open incidents as alerted (/incidents). */
  incidents: () => Incident[];
  /** Any open incident by id, held ones and group members included (/incidents/<id>). */
  incident?: (id: string) => Incident | undefined;
}

export class MetricsServer {
  private server: Server | undefined;

  constructor(
    private readonly metrics: AnomalyMetrics,
    private readonly hooks: ServerHooks,
  ) {}

  /** Listens on host:port (0: a free port); resolves to the port. */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body, null, 2));
      if (url.pathname === '/metrics') {
        this.metrics.registry.metrics().then(
          (body) => res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(body),
          (error: unknown) => res.writeHead(500).end(String(error)),
        );
      } else if (url.pathname === '/ready') {
        if (this.hooks.ready()) res.writeHead(200).end('ready\n');
        else res.writeHead(503).end('restoring state\n');
      } else if (url.pathname === '/incidents') {
        json(200, this.hooks.incidents());
      } else if (url.pathname.startsWith('/incidents/')) {
        const id = decodeURIComponent(url.pathname.slice('/incidents/'.length));
        const incident = this.hooks.incident
          ? this.hooks.incident(id)
          : this.hooks.incidents().find((i) => i.id === id);
        if (incident) json(200, incident);
        else
          json(404, {
            error: `no open incident ${id}: it has resolved (see the alerts topic: npx sluice alerts --from-beginning) or never existed`,
          });
      } else res.writeHead(404).end();
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
