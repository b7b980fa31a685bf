/**
 * The shapes shared by every ingestor: what an API is (descriptor), what one fetch yields (records and
 * rejected items), and where they go (a record sink and a dead-letter sink). Nothing here knows Kafka:
 * the Kafka runner (producers/apis/kafka-runner.ts) implements both sinks.
 */
import type { OutgoingRecord } from '../../engine/engine';
import type { BackoffPolicy } from './backoff';
import type { Clock } from './clock';
import type { ApiHttp, Recogniser } from './http';
import type { RateWindow } from './rate-limit';

export const API_NAMES = [
  'openaq',
  'tomtom',
  'weatherapi',
  'open-meteo',
  'alphavantage',
  'yahoo',
  'google-maps',
  'x',
  'facebook',
] as const;
export type ApiName = (typeof API_NAMES)[number];

export interface ApiDescriptor {
  name: ApiName;
  /** For people: "OpenAQ v3". */
  title: string;
  /** Environment variable of the key or token; none for the keyless APIs. */
  keyEnv?: string;
  /** Where to get the key, for the message when it is missing. */
  keyHelp?: string;
  defaultBaseUrl: string;
  /** The documented limits (or self-imposed ones where none are documented; see each window's source). */
  limits: readonly RateWindow[];
  backoff?: BackoffPolicy;
  /** Topics the ingestor writes (besides dlq.ingest). */
  topics: readonly string[];
  /** The Kafka principal it produces as, declared in pipeline.yaml. */
  principal: string;
  /** Headers every request carries (a browser User-Agent for Yahoo). */
  headers?: Readonly<Record<string, string>>;
  /** When a spent quota comes back, for an API whose quota resets at a known time (see ApiHttpOptions). */
  quotaResetAt?: (now: number) => number;
}

/** A record ready for the engine, with what deduplication needs. */
export interface IngestRecord extends OutgoingRecord {
  /** What the record is a reading of, e.g. `openaq:3917@1727301600000`. */
  identity: string;
  /** What it says, without volatile fields (the fetch time): equal content under one identity is a repeat. */
  content: string;
}

/** An item of an answer that could not become a record. */
export interface Reject {
  /**
   * missing-field, invalid-field: the answer lacks a field or has it of the wrong type; schema-mismatch:
   * the record does not match its topic's Avro schema; implausible-time: a time far in the future or the
   * past (milliseconds where the API documents seconds); out-of-range: a value outside the range its
   * schema documents (a TomTom confidence of 7 where the doc says 0 to 1).
   */
  reason: 'missing-field' | 'invalid-field' | 'schema-mismatch' | 'implausible-time' | 'out-of-range';
  message: string;
  /** The field at fault, as a path into the answer (or into the record, for schema-mismatch). */
  field: string;
  /** The item as received, for the dead-letter topic. */
  payload: unknown;
  /** The topic the record was meant for, when known. */
  topic?: string;
}

export interface Normalised {
  records: IngestRecord[];
  rejects: Reject[];
}

/** What went to the dead-letter topic instead of the data, and why. */
export interface DeadLetter {
  api: ApiName;
  target: string;
  reason: Reject['reason'];
  message: string;
  field: string;
  topic?: string;
  /** The raw item, as JSON text. */
  payload: string;
  ts: number;
}

export interface RecordSink {
  write(records: readonly OutgoingRecord[]): void | Promise<void>;
}

/** Implemented by the Kafka runner (topic dlq.ingest, reason in headers), by memory and console sinks here. */
export interface DeadLetterSink {
  send(letter: DeadLetter): void | Promise<void>;
}

/** What a fetch may use besides the HTTP client. */
export interface FetchContext {
  http: ApiHttp;
  /** The time the poll started: the observation time of readings that have none of their own. */
  now: number;
  signal?: AbortSignal;
  /** An error inside a successful answer (Google's per-element status): counted, not retried. */
  reportError(kind: string, message: string): void;
}

/** One unit of a poll: a location, a point, a symbol. */
export interface PollTarget {
  /** Names the target in logs, errors and dead letters: `location/2178`. */
  id: string;
  fetch(ctx: FetchContext): Promise<Normalised>;
}

/** Ingestors that poll on a schedule. */
export interface PollingIngestor {
  kind: 'poll';
  descriptor: ApiDescriptor;
  /** The cron expression from the spec. */
  schedule: string;
  targets(): PollTarget[];
}

export interface StreamContext {
  http: ApiHttp;
  clock: Clock;
  signal: AbortSignal;
  /** Records and rejects as they arrive. */
  emit(normalised: Normalised, target: string): Promise<void>;
  /** A failure that was handled (reconnected): counted and logged. */
  reportError(error: Error): void;
}

/** Ingestors that hold a connection open (the X stream). */
export interface StreamingIngestor {
  kind: 'stream';
  descriptor: ApiDescriptor;
  /** Reads until `signal` aborts, reconnecting with backoff; `once`: one connection only. */
  stream(ctx: StreamContext, options: { once: boolean }): Promise<void>;
}

export type Ingestor = PollingIngestor | StreamingIngestor;

export interface IngestorOptions {
  /** The API key or token (absent for the keyless APIs). */
  key?: string;
  /** Jitter source (tests pin it). */
  random?: () => number;
  /** Streams: silence after which a connection counts as dead (tests shorten it). */
  streamIdleMs?: number;
}

/** An API's module: its descriptor, how to recognise its errors, and how to make its ingestor from the spec. */
export interface ApiModule<Spec> {
  descriptor: ApiDescriptor;
  recognise?: Recogniser;
  create(spec: Spec, options: IngestorOptions): Ingestor;
}
