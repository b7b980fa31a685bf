/**
 * Runs one ingestor: a poll fetches every target through the API's HTTP client, normalises the answers,
 * checks each record against its topic's Avro schema, drops repeats, and hands the rest to the record
 * sink. Items that cannot be records (a missing required field, a schema mismatch) go to the dead-letter
 * sink with the API, target and field named, and so do records that match the schema but cannot be true
 * (an implausible time, a value outside its documented range: framework/plausible.ts). API errors are
 * counted (the HTTP client already backed off and retried what can be retried) and never become records.
 * An error that would fail every other target too ends the poll early, logged once with what happens
 * next: a key the API refuses for good (a demo key, a premium-only endpoint) stops polling until the
 * setting is fixed and the ingestor restarted; a spent quota pauses polling until it comes back, and the
 * ticks until then are skipped without a word.
 */
import type { Logger } from '../../../lib/log';
import { invalidFields, parseSchema, type AvroType } from '../../../lib/avro/wire';
import type { OutgoingRecord } from '../../engine/engine';
import { readSchema, type SchemaName } from '../../../schemas';
import { API_TOPIC_SCHEMAS } from '../topics';
import type { Clock } from './clock';
import { Deduplicator } from './dedup';
import { ApiError, type ApiHttp } from './http';
import { PayloadError } from './payload';
import { implausible } from './plausible';
import { rejectOf } from './records';
import type { Scheduler } from './schedule';
import type { IngestStats } from './stats';
import type { DeadLetterSink, Ingestor, Normalised, RecordSink, Reject } from './types';

export interface IngestRunnerOptions {
  ingestor: Ingestor;
  http: ApiHttp;
  sink: RecordSink;
  deadLetters: DeadLetterSink;
  stats: IngestStats;
  clock: Clock;
  log: Logger;
  dedup?: Deduplicator;
  /** Avro type of each topic; by default read from schemas/ (API_TOPIC_SCHEMAS). */
  schemas?: ReadonlyMap<string, AvroType>;
}

export interface PollReport {
  api: string;
  startedAt: number;
  finishedAt: number;
  targets: number;
  records: number;
  duplicates: number;
  deadLetters: number;
  errors: number;
  /** Why the poll ended before its last target. */
  abortedBy?: string;
}

function defaultSchemas(topics: readonly string[]): Map<string, AvroType> {
  return new Map(topics.map((topic) => [topic, parseSchema(readSchema(API_TOPIC_SCHEMAS[topic] as SchemaName))]));
}

export class IngestRunner {
  private readonly dedup: Deduplicator;
  private readonly schemas: ReadonlyMap<string, AvroType>;
  private polling = false;
  /** Ticks skipped while the current poll runs (the first is logged, the count when it ends). */
  private skippedTicks = 0;
  /** Set by a key the API refuses for good: polling has stopped. */
  private keyProblem: string | undefined;

  constructor(private readonly options: IngestRunnerOptions) {
    this.dedup = options.dedup ?? new Deduplicator();
    this.schemas = options.schemas ?? defaultSchemas(options.ingestor.descriptor.topics);
  }

  get ingestor(): Ingestor {
    return this.options.ingestor;
  }

  get stats(): IngestStats {
    return this.options.stats;
  }

  private get resource(): string {
    return `ingest/${this.options.ingestor.descriptor.name}`;
  }

  private async deadLetter(reject: Reject, target: string): Promise<void> {
    const { ingestor, deadLetters, stats, clock, log } = this.options;
    stats.deadLetter(reject.reason);
    log.warn(`${reject.message}; sent to dlq.ingest`, {
      resource: this.resource,
      code: 'SLUICE_API_PAYLOAD_INVALID',
      target,
      field: reject.field,
    });
    await deadLetters.send({
      api: ingestor.descriptor.name,
      target,
      reason: reject.reason,
      message: reject.message,
      field: reject.field,
      ...(reject.topic ? { topic: reject.topic } : {}),
      payload: JSON.stringify(reject.payload) ?? 'null',
      ts: clock.now(),
    });
  }

  /** Dead letters, schema check, deduplication, then the sink. Returns [records produced, repeats]. */
  async accept(normalised: Normalised, target: string): Promise<[number, number]> {
    const { ingestor, sink, stats } = this.options;
    for (const reject of normalised.rejects) await this.deadLetter(reject, target);
    const fresh: OutgoingRecord[] = [];
    let repeats = 0;
    const now = this.options.clock.now();
    for (const record of normalised.records) {
      const wrong = implausible(
        ingestor.descriptor.name,
        API_TOPIC_SCHEMAS[record.topic],
        record.topic,
        record.value,
        record.timestamp,
        now,
      );
      if (wrong) {
        await this.deadLetter(wrong, target);
        continue;
      }
      const type = this.schemas.get(record.topic);
      const problems = type ? invalidFields(type, record.value) : [{ path: '(topic)', value: record.topic }];
      if (problems.length > 0) {
        const listed = problems.map((p) => `${p.path}=${JSON.stringify(p.value) ?? 'undefined'}`).join(', ');
        await this.deadLetter(
          {
            reason: 'schema-mismatch',
            message: `${ingestor.descriptor.name}: record for ${record.topic} does not match its Avro schema: ${listed}`,
            field: problems[0]!.path,
            payload: record.value,
            topic: record.topic,
          },
          target,
        );
        continue;
      }
      if (!this.dedup.admit(record.identity, record.content)) {
        stats.duplicate();
        repeats += 1;
        continue;
      }
      fresh.push({ topic: record.topic, key: record.key, value: record.value, timestamp: record.timestamp });
      stats.record(record.topic);
    }
    if (fresh.length > 0) await sink.write(fresh);
    return [fresh.length, repeats];
  }

  /** One poll of every target. API errors are in the report and the stats, not thrown. */
  async poll(signal?: AbortSignal): Promise<PollReport> {
    const { ingestor, http, stats, clock, log } = this.options;
    if (ingestor.kind !== 'poll') throw new Error(`${ingestor.descriptor.name} is a stream, not polled`);
    const startedAt = clock.now();
    const report: PollReport = {
      api: ingestor.descriptor.name,
      startedAt,
      finishedAt: startedAt,
      targets: 0,
      records: 0,
      duplicates: 0,
      deadLetters: 0,
      errors: 0,
    };
    if (this.keyProblem !== undefined) {
      // Logged when it was found; no request can succeed until the setting is fixed.
      report.abortedBy = this.keyProblem;
      return report;
    }
    const before = { deadLetters: stats.deadLetters, errors: stats.errors };
    stats.polls += 1;
    for (const target of ingestor.targets()) {
      if (signal?.aborted) break;
      report.targets += 1;
      stats.currentTarget = target.id;
      let normalised: Normalised;
      try {
        normalised = await target.fetch({
          http,
          now: startedAt,
          ...(signal ? { signal } : {}),
          reportError: (kind, message) => {
            stats.error(kind, message, clock.now(), { target: target.id });
            log.warn(message, { resource: this.resource, target: target.id, kind });
          },
        });
      } catch (error) {
        if (error instanceof PayloadError) {
          normalised = { records: [], rejects: [rejectOf(error, error.payload)] };
        } else if (error instanceof ApiError) {
          // Counted by the HTTP client's onFailure, with each retry.
          if (error.abortsPoll) {
            report.abortedBy = error.message;
            log.error(this.whatNext(error), { resource: this.resource, target: target.id, kind: error.kind });
            break;
          }
          continue;
        } else throw error;
      }
      const [records, repeats] = await this.accept(normalised, target.id);
      report.records += records;
      report.duplicates += repeats;
    }
    stats.currentTarget = undefined;
    report.finishedAt = clock.now();
    report.deadLetters = stats.deadLetters - before.deadLetters;
    report.errors = stats.errors - before.errors;
    return report;
  }

  /** The one line for an error that ends the poll: what it was and what happens next. */
  private whatNext(error: ApiError): string {
    const { http, clock, ingestor } = this.options;
    if (error.kind === 'key-rejected') {
      this.keyProblem = error.message;
      return `${error.message}; polling has stopped until that is fixed and ingest-${ingestor.descriptor.name} restarted`;
    }
    const resumes = http.pausedUntil;
    if (error.kind === 'quota-exhausted' && resumes > clock.now())
      return `${error.message}; quota used up: polling resumes at ${new Date(resumes).toISOString()} (in ${Math.round((resumes - clock.now()) / 60_000)} min), the ticks until then are skipped`;
    return `${error.message}; skipping the rest of this poll`;
  }

  private async streamOnce(signal: AbortSignal, once: boolean): Promise<void> {
    const { ingestor, http, stats, clock, log } = this.options;
    if (ingestor.kind !== 'stream') throw new Error(`${ingestor.descriptor.name} is polled, not a stream`);
    await ingestor.stream(
      {
        http,
        clock,
        signal,
        emit: async (normalised, target) => {
          await this.accept(normalised, target);
        },
        reportError: (error) => {
          const kind = error instanceof ApiError ? error.kind : 'stream';
          stats.error(kind, error.message, clock.now());
          log.warn(error.message, { resource: this.resource, kind });
        },
      },
      { once },
    );
  }

  /** `--once`: one poll, or one stream connection. */
  async once(signal: AbortSignal = new AbortController().signal): Promise<void> {
    if (this.options.ingestor.kind === 'poll') {
      const report = await this.poll(signal);
      this.logReport(report);
    } else await this.streamOnce(signal, true);
  }

  private logReport(report: PollReport): void {
    const { log } = this.options;
    const line = `poll: ${report.targets} targets, ${report.records} records, ${report.duplicates} repeats dropped, ${report.deadLetters} dead letters, ${report.errors} errors`;
    (report.errors > 0 || report.deadLetters > 0 ? log.warn : log.info)(line, {
      resource: this.resource,
      ms: report.finishedAt - report.startedAt,
    });
  }

  /**
   * Polls now and then on the schedule until `signal` aborts; a stream runs until `signal` aborts. A tick
   * is skipped when the previous poll still runs (said once per poll), while a spent quota pauses the
   * API (said once, when the quota ran out), and after a key problem (said once, when it was found).
   */
  async run(scheduler: Scheduler, signal: AbortSignal): Promise<void> {
    const { ingestor, log, http, clock } = this.options;
    if (ingestor.kind === 'stream') return this.streamOnce(signal, false);
    const tick = async (): Promise<void> => {
      if (signal.aborted || this.keyProblem !== undefined) return;
      if (this.polling) {
        if (this.skippedTicks++ === 0)
          log.warn('previous poll still running; ticks are skipped until it ends', { resource: this.resource });
        return;
      }
      if (http.pausedUntil > clock.now()) {
        log.debug(`tick skipped: the API is paused until ${new Date(http.pausedUntil).toISOString()}`, {
          resource: this.resource,
        });
        return;
      }
      this.polling = true;
      this.skippedTicks = 0;
      try {
        this.logReport(await this.poll(signal));
      } catch (error) {
        // A bug in a normaliser must not stop the schedule, but it must be loud.
        log.error(`poll failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, {
          resource: this.resource,
        });
      } finally {
        this.polling = false;
        if (this.skippedTicks > 0)
          log.info(`the poll ended; ${this.skippedTicks} ticks were skipped while it ran`, { resource: this.resource });
        this.skippedTicks = 0;
      }
    };
    await tick();
    const job = scheduler.start(ingestor.schedule, tick, this.resource);
    try {
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      await job.stop();
      while (this.polling) await new Promise((r) => setTimeout(r, 20));
    }
  }
}
