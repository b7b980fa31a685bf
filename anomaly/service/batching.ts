/**
 * Keeping the service's Kafka transactions within the broker's limits, however large the backlog:
 *
 * - **Sends.** Each send of a transaction carries records of at most SEND_BYTES (uncompressed), so
 *   every record batch stays under the brokers' `message.max.bytes` (1 MB) whatever the compression.
 * - **Transactions.** A transaction carries at most `records` input records, and is cut as soon as
 *   what it will write (alerts and state, uncompressed) reaches about `bytes` (the processor's estimate).
 *   Writes that carry no input offsets (a restore's tombstones, idle evictions, released alerts) are
 *   split into several transactions of at most `bytes`, alerts and incidents first.
 * - **Failure is never a loop.** A transaction the broker refuses as too large halves both limits and
 *   the service rebuilds and goes on with smaller transactions; at one record and the smallest size it
 *   stops, saying which setting to change. Other failures rebuild with backoff, and count only until a
 *   transaction moves the input offsets forward (progress): five in a row without progress stop it.
 */
import { SluiceError, messageOf } from '../../lib/errors';
import type { Drained, StateRecord } from './processor';

/** Records of one send, by their uncompressed size: each send is one record batch per partition. */
export const SEND_BYTES = 900_000;
/** The smallest transaction budget the limits shrink to. */
export const MIN_TRANSACTION_BYTES = 64_000;
/** Successful transactions after which shrunk limits double back towards the configured ones. */
const GROW_AFTER = 20;

/** Consecutive runs of items of at most `bytes` by `size` (an item larger than that goes alone). */
export function chunkBy<T>(items: readonly T[], size: (item: T) => number, bytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let total = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && total + n > bytes) {
      out.push(current);
      current = [];
      total = 0;
    }
    current.push(item);
    total += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export const stateBytes = (r: StateRecord): number => r.key.length + (r.value?.length ?? 0);

/** Consecutive runs of state records of at most `bytes` (a larger record goes alone). */
export function chunks(records: StateRecord[], bytes: number): StateRecord[][] {
  return chunkBy(records, stateBytes, bytes);
}

/** Records that say what is alerted (incidents, patterns, groups) before the detectors' snapshots. */
function incidentFirst(a: StateRecord, b: StateRecord): number {
  const rank = (r: StateRecord) => (r.key.startsWith('["detector"') ? 1 : 0);
  return rank(a) - rank(b);
}

/**
 * A drain with no input offsets, as transactions of at most `bytes` each: the alerts and the incident
 * records first (so that an alert and its incident's record travel together in the first one), then
 * the snapshots and tombstones.
 */
export function splitDrained(
  drained: Drained,
  bytes: number,
  alertBytes: (e: Drained['events'][number]) => number,
): Drained[] {
  const state = [...drained.state].sort(incidentFirst);
  const first: Drained = { events: drained.events, state: [] };
  let used = drained.events.reduce((n, e) => n + alertBytes(e), 0);
  let i = 0;
  while (i < state.length && !state[i]!.key.startsWith('["detector"')) {
    first.state.push(state[i]!);
    used += stateBytes(state[i]!);
    i++;
  }
  const out: Drained[] = [first];
  for (const record of state.slice(i)) {
    const n = stateBytes(record);
    if (used + n > bytes && (out[out.length - 1]!.state.length > 0 || out[out.length - 1]!.events.length > 0)) {
      out.push({ events: [], state: [] });
      used = 0;
    }
    out[out.length - 1]!.state.push(record);
    used += n;
  }
  return out.filter((d) => d.events.length > 0 || d.state.length > 0);
}

/**
 * fenced: another instance took over; too-large: the brokers refused a request's size; concurrent: the
 * coordinator was still finishing the previous transaction (CONCURRENT_TRANSACTIONS: try the same one
 * again shortly); other: anything else.
 */
export type CommitFailure = 'fenced' | 'too-large' | 'concurrent' | 'other';

/** What a failed transaction means: another instance took over, a request was too large, or something else. */
export function classifyFailure(error: unknown): CommitFailure {
  const seen = new Set<unknown>();
  let text = '';
  for (let e: unknown = error; e && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    text += ` ${(e as { type?: string }).type ?? ''} ${(e as { name?: string }).name ?? ''} ${messageOf(e)}`;
  }
  if (/PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|TRANSACTIONAL_ID_AUTHORIZATION_FAILED|fenced/i.test(text))
    return 'fenced';
  if (/MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE|too large|larger than the max/i.test(text)) return 'too-large';
  if (/CONCURRENT_TRANSACTIONS|another concurrent operation on the same transaction/i.test(text)) return 'concurrent';
  return 'other';
}

/** The current budget of a transaction: shrunk after a refusal as too large, grown back after successes. */
export class TransactionLimits {
  records: number;
  bytes: number;
  private successes = 0;

  constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
  ) {
    this.records = maxRecords;
    this.bytes = maxBytes;
  }

  /** Halves both limits; false when they are at their minimum already (one record, MIN_TRANSACTION_BYTES). */
  shrink(): boolean {
    this.successes = 0;
    if (this.records <= 1 && this.bytes <= MIN_TRANSACTION_BYTES) return false;
    this.records = Math.max(1, Math.floor(this.records / 2));
    this.bytes = Math.max(MIN_TRANSACTION_BYTES, Math.floor(this.bytes / 2));
    return true;
  }

  /** A transaction committed: after GROW_AFTER in a row, the limits double back towards the configured ones. */
  succeeded(): void {
    if (this.records === this.maxRecords && this.bytes === this.maxBytes) return;
    if (++this.successes < GROW_AFTER) return;
    this.successes = 0;
    this.records = Math.min(this.maxRecords, this.records * 2);
    this.bytes = Math.min(this.maxBytes, this.bytes * 2);
  }

  get shrunk(): boolean {
    return this.records < this.maxRecords || this.bytes < this.maxBytes;
  }
}

/** Failed transactions in a row without progress (input offsets moving on) after which the service stops. */
export const MAX_FAILURES = 5;

/** What to do after a failed transaction: rebuild (after a delay), or stop with the reason. */
export type Recovery = { action: 'rebuild'; delayMs: number; note?: string } | { action: 'stop'; error: SluiceError };

export interface RecoveryNames {
  group: string;
  transactionalId: string;
  alertsTopic: string;
  stateTopic: string;
}

/**
 * Why a failure is never a loop: each failure either shrinks the transactions (finitely often, down to
 * one record), or counts; progress (a transaction that moved the input offsets on) resets the count,
 * and `maxFailures` in a row stop the service with the last cause.
 */
export class RecoveryPolicy {
  failures = 0;

  constructor(
    readonly limits: TransactionLimits,
    private readonly names: RecoveryNames,
    readonly maxFailures = MAX_FAILURES,
  ) {}

  /** A transaction with input offsets committed. */
  progressed(): void {
    this.failures = 0;
  }

  /** A transaction (or a rebuild) failed with `error`; `counts` false for a rebuild asked for (partitions reassigned). */
  failed(error: unknown, counts = true): Recovery {
    const kind = classifyFailure(error);
    if (kind === 'fenced') {
      return {
        action: 'stop',
        error: new SluiceError(
          'SLUICE_KAFKA_ERROR',
          `fenced by another anomaly service instance of group ${this.names.group} (transactional id ${this.names.transactionalId}): ${messageOf(error)}`,
          { cause: error, retriable: false, fix: 'run one instance per group (pipeline.yaml anomaly.group)' },
        ),
      };
    }
    let note: string | undefined;
    if (kind === 'too-large') {
      if (!this.limits.shrink()) {
        return {
          action: 'stop',
          error: new SluiceError(
            'SLUICE_KAFKA_ERROR',
            `the brokers refuse as too large even a transaction of one input record (${this.limits.bytes} bytes): ${messageOf(error)}`,
            {
              cause: error,
              retriable: false,
              fix: `raise max.message.bytes on the topics ${this.names.alertsTopic} and ${this.names.stateTopic} (pipeline.yaml topics[].config), or use smaller detectors (their snapshots are the state records)`,
            },
          ),
        };
      }
      note = `the brokers refused a transaction as too large: going on with at most ${this.limits.records} records and ${this.limits.bytes} bytes a transaction`;
    } else if (counts) this.failures++;
    if (this.failures >= this.maxFailures) {
      return {
        action: 'stop',
        error: new SluiceError(
          'SLUICE_KAFKA_ERROR',
          `${this.failures} transactions failed in a row without progress; the last: ${messageOf(error)}`,
          {
            cause: error,
            retriable: false,
            fix: 'see the cause (npx sluice platform status for the brokers); the service resumes from its last commit when started again',
          },
        ),
      };
    }
    return { action: 'rebuild', delayMs: Math.min(30_000, 1000 * 2 ** this.failures), ...(note ? { note } : {}) };
  }
}
