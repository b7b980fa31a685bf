/**
 * Producer metrics: Prometheus counters and a send-latency histogram (prom-client), an HTTP endpoint
 * for Prometheus to scrape, and a one-line summary for the terminal.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ProducerMetrics {
  readonly registry = new Registry();
  readonly sent: Counter<'topic'>;
  readonly failed: Counter<'topic' | 'reason'>;
  readonly latency: Histogram<'topic'>;
  /** How far the source's time trails real time: 0 while the producer keeps up. */
  readonly behind: Gauge;
  private readonly latencies: number[] = [];
  private sentTotal = 0;
  private failedTotal = 0;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.sent = new Counter({
      name: 'sluice_producer_records_sent_total',
      help: 'Records acknowledged by Kafka (acks=all)',
      labelNames: ['topic'],
      registers: [this.registry],
    });
    this.failed = new Counter({
      name: 'sluice_producer_records_failed_total',
      help: 'Records not delivered, by reason (serialization, timeout, kafka error type)',
      labelNames: ['topic', 'reason'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'sluice_producer_send_latency_seconds',
      help: 'Time from handing a batch to Kafka to its acknowledgement',
      labelNames: ['topic'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.behind = new Gauge({
      name: 'sluice_producer_behind_seconds',
      help: "How far the source's time trails real time (0 while the producer keeps up with its rate)",
      registers: [this.registry],
    });
  }

  recordSent(topic: string, count: number, seconds: number): void {
    this.sent.inc({ topic }, count);
    this.latency.observe({ topic }, seconds);
    this.sentTotal += count;
    this.latencies.push(seconds);
    if (this.latencies.length > 10_000) this.latencies.splice(0, this.latencies.length - 10_000);
  }

  recordFailed(topic: string, reason: string, count = 1): void {
    this.failed.inc({ topic, reason }, count);
    this.failedTotal += count;
  }

  get totals(): { sent: number; failed: number } {
    return { sent: this.sentTotal, failed: this.failedTotal };
  }

  /** Latency percentile (0..1) over the last 10,000 batches, in milliseconds. */
  percentileMs(p: number): number {
    if (this.latencies.length === 0) return 0;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 1000;
  }

  line(elapsedMs: number): string {
    const rate = elapsedMs > 0 ? (this.sentTotal * 1000) / elapsedMs : 0;
    return `${this.service}: sent ${this.sentTotal} (${rate.toFixed(1)}/s)  failed ${this.failedTotal}  latency p50 ${this.percentileMs(0.5).toFixed(1)} ms p99 ${this.percentileMs(0.99).toFixed(1)} ms`;
  }

  /** Serves /metrics on 127.0.0.1:`port` (0 picks a free port); resolves to the server. */
  serve(port: number, host = '127.0.0.1'): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': this.registry.contentType }).end(body),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }
}
