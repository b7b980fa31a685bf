/**
 * What an ingestor did: requests, records, repeats dropped, dead letters, errors by kind. Plain counters
 * for reports and tests, mirrored to Prometheus when a registry is given (the producer metrics' one, so
 * /metrics shows the engine and the ingestor side by side).
 */
import { Counter, type Registry } from 'prom-client';

export interface ErrorEntry {
  kind: string;
  message: string;
  target?: string;
  at: number;
  /** How long the API was paused after it (0: none, e.g. a per-element error in a good answer). */
  backoffMs: number;
}

export interface IngestStatsSnapshot {
  api: string;
  polls: number;
  requests: number;
  records: number;
  duplicates: number;
  deadLetters: number;
  retries: number;
  errors: number;
  errorsByKind: Record<string, number>;
  /** The most recent errors, newest last. */
  recentErrors: ErrorEntry[];
}

const RECENT = 100;

export class IngestStats {
  polls = 0;
  requests = 0;
  records = 0;
  duplicates = 0;
  deadLetters = 0;
  retries = 0;
  /** The target being fetched, so errors from the HTTP client name it too. */
  currentTarget: string | undefined;
  private readonly byKind = new Map<string, number>();
  private readonly recent: ErrorEntry[] = [];
  private readonly prom?: {
    requests: Counter<'api'>;
    records: Counter<'api' | 'topic'>;
    duplicates: Counter<'api'>;
    deadLetters: Counter<'api' | 'reason'>;
    errors: Counter<'api' | 'kind'>;
  };

  constructor(
    readonly api: string,
    registry?: Registry,
  ) {
    if (registry) {
      const registers = [registry];
      this.prom = {
        requests: new Counter({
          name: 'sluice_ingest_requests_total',
          help: 'HTTP requests sent to the API, retries included',
          labelNames: ['api'],
          registers,
        }),
        records: new Counter({
          name: 'sluice_ingest_records_total',
          help: 'Records handed to the producer (after deduplication)',
          labelNames: ['api', 'topic'],
          registers,
        }),
        duplicates: new Counter({
          name: 'sluice_ingest_duplicates_total',
          help: 'Readings dropped because they were produced before unchanged',
          labelNames: ['api'],
          registers,
        }),
        deadLetters: new Counter({
          name: 'sluice_ingest_dead_letters_total',
          help: 'Items sent to dlq.ingest instead of the data, by reason',
          labelNames: ['api', 'reason'],
          registers,
        }),
        errors: new Counter({
          name: 'sluice_ingest_errors_total',
          help: 'API errors (failed requests, error payloads), by kind',
          labelNames: ['api', 'kind'],
          registers,
        }),
      };
    }
  }

  request(): void {
    this.requests += 1;
    this.prom?.requests.inc({ api: this.api });
  }

  record(topic: string, count = 1): void {
    this.records += count;
    this.prom?.records.inc({ api: this.api, topic }, count);
  }

  duplicate(): void {
    this.duplicates += 1;
    this.prom?.duplicates.inc({ api: this.api });
  }

  deadLetter(reason: string): void {
    this.deadLetters += 1;
    this.prom?.deadLetters.inc({ api: this.api, reason });
  }

  error(kind: string, message: string, at: number, options: { target?: string; backoffMs?: number } = {}): void {
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    const target = options.target ?? this.currentTarget;
    this.recent.push({ kind, message, at, backoffMs: options.backoffMs ?? 0, ...(target ? { target } : {}) });
    if (this.recent.length > RECENT) this.recent.shift();
    this.prom?.errors.inc({ api: this.api, kind });
  }

  get errors(): number {
    return [...this.byKind.values()].reduce((a, b) => a + b, 0);
  }

  snapshot(): IngestStatsSnapshot {
    return {
      api: this.api,
      polls: this.polls,
      requests: this.requests,
      records: this.records,
      duplicates: this.duplicates,
      deadLetters: this.deadLetters,
      retries: this.retries,
      errors: this.errors,
      errorsByKind: Object.fromEntries(this.byKind),
      recentErrors: [...this.recent],
    };
  }
}
