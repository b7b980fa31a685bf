/**
 * Building records from payloads. Each API's normaliser turns one answer into records with an identity
 * and a content fingerprint (for deduplication), item by item: an item with a missing or malformed field
 * becomes a reject for the dead-letter topic, and the other items of the answer still become records.
 */
import { PayloadError, type Payload } from './payload';
import type { IngestRecord, Normalised, Reject } from './types';

/** Fields that change on every fetch and so never make two readings different. */
const ALWAYS_VOLATILE = ['ingest_ts'];

/** JSON with sorted keys, so equal content gives equal text. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface RecordOptions {
  /** What the record is a reading of; equal identity and content is a repeat. */
  identity: string;
  /** Event time, ms since the epoch (the Kafka record timestamp). */
  timestamp: number;
  /** Fields besides ingest_ts that do not make a reading new (the observation time of a poll-time reading). */
  volatile?: readonly string[];
}

export function ingestRecord(
  topic: string,
  key: string,
  value: Record<string, unknown>,
  options: RecordOptions,
): IngestRecord {
  const skip = new Set([...ALWAYS_VOLATILE, ...(options.volatile ?? [])]);
  const content = stableJson(Object.fromEntries(Object.entries(value).filter(([k]) => !skip.has(k))));
  return { topic, key, value, timestamp: options.timestamp, identity: options.identity, content };
}

export function rejectOf(error: PayloadError, payload: unknown, topic?: string): Reject {
  return { reason: error.problem, message: error.message, field: error.field, payload, ...(topic ? { topic } : {}) };
}

/** Normalises each item on its own: a PayloadError rejects that item only. Other errors are bugs and propagate. */
export function eachItem(
  items: readonly Payload[],
  make: (item: Payload) => IngestRecord | readonly IngestRecord[] | undefined,
  topic?: string,
): Normalised {
  const out: Normalised = { records: [], rejects: [] };
  for (const item of items) {
    try {
      const made = make(item);
      if (made === undefined) continue;
      out.records.push(...(Array.isArray(made) ? made : [made as IngestRecord]));
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      out.rejects.push(rejectOf(error, item.value, topic));
    }
  }
  return out;
}

/** Runs a whole-answer normaliser: a PayloadError at the top (no `results` at all) rejects the whole answer. */
export function wholeAnswer(answer: Payload, make: () => Normalised, topic?: string): Normalised {
  try {
    return make();
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    return { records: [], rejects: [rejectOf(error, answer.value, topic)] };
  }
}

export function merge(...parts: readonly Normalised[]): Normalised {
  return { records: parts.flatMap((p) => p.records), rejects: parts.flatMap((p) => p.rejects) };
}
