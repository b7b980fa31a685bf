/**
 * The public API ingestors: one module per API (client, normaliser, ingestor) on a shared framework
 * (rate limits, backoff, error recognition, deduplication, schedules). `createIngestRunner` assembles one
 * from the spec's `ingestors.<api>` entry; where its records go is the caller's choice: memory, JSON lines
 * (`--dry-run`), or Kafka (kafka-runner.ts). docs/guides/data-sources.md describes every API.
 */
import { SluiceError } from '../../lib/errors';
import { log as rootLog, type Logger } from '../../lib/log';
import type { IngestorsSpec } from '../../lib/spec';
import type { AxiosInstance } from 'axios';
import type { Registry } from 'prom-client';
import { API_MODULES } from './catalog';
import { Backoff, DEFAULT_BACKOFF } from './framework/backoff';
import { systemClock, type Clock } from './framework/clock';
import { ApiHttp } from './framework/http';
import { RateLimiter } from './framework/rate-limit';
import { IngestRunner } from './framework/runner';
import { IngestStats } from './framework/stats';
import { requireApiKey } from './framework/env';
import type { ApiName, DeadLetterSink, RecordSink } from './framework/types';

export {
  API_NAMES,
  type ApiName,
  type ApiDescriptor,
  type DeadLetter,
  type DeadLetterSink,
  type RecordSink,
} from './framework/types';
export { API_MODULES } from './catalog';
export { API_TOPICS, API_TOPIC_SCHEMAS, DEAD_LETTER_TOPIC } from './topics';
export { IngestRunner, type PollReport } from './framework/runner';
export { cronScheduler, type Scheduler } from './framework/schedule';
export { loadDotEnv, requireApiKey } from './framework/env';
export { JsonLinesDeadLetters, JsonLinesSink, MemoryDeadLetters, MemorySink } from './framework/sinks';
export type { IngestStatsSnapshot } from './framework/stats';

export interface IngestRunnerSetup {
  api: ApiName;
  /** The spec's `ingestors` section. */
  ingestors: IngestorsSpec;
  sink: RecordSink;
  deadLetters: DeadLetterSink;
  /** Where keys are read (after loadDotEnv); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Overrides the spec's baseUrl (`--base-url`). */
  baseUrl?: string;
  clock?: Clock;
  log?: Logger;
  random?: () => number;
  timeoutMs?: number;
  /** For stream ingestors: silence that counts as a dead connection. */
  streamIdleMs?: number;
  /** Prometheus registry for the ingest counters. */
  metrics?: Registry;
  /** The HTTP transport (tests answer in-process); axios' default otherwise. */
  transport?: AxiosInstance;
}

/**
 * The spec entry and key of one API's ingestor, checked before anything connects anywhere:
 * SLUICE_CONFIG_INVALID when the spec has no entry for it or disables it, SLUICE_API_KEY_MISSING when
 * its key is not set (the keyless APIs need none).
 */
export function ingestorReady<Name extends ApiName>(
  api: Name,
  ingestors: IngestorsSpec,
  env: NodeJS.ProcessEnv = process.env,
): { spec: NonNullable<IngestorsSpec[Name]>; key: string | undefined } {
  const spec = ingestors[api];
  if (!spec) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `the spec has no ingestors.${api} entry`, {
      path: `ingestors.${api}`,
      fix: `add ingestors.${api} to pipeline.yaml (docs/spec-reference.md#ingestors lists its keys)`,
    });
  }
  if (!spec.enabled) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `ingestors.${api} is disabled in the spec`, {
      path: `ingestors.${api}.enabled`,
      fix: 'set enabled: true',
    });
  }
  return { spec: spec as NonNullable<IngestorsSpec[Name]>, key: requireApiKey(API_MODULES[api].descriptor, env) };
}

/** The runner of one API's ingestor, as the spec declares it (see ingestorReady for what is refused). */
export function createIngestRunner(setup: IngestRunnerSetup): IngestRunner {
  const module = API_MODULES[setup.api];
  const descriptor = module.descriptor;
  const { spec, key } = ingestorReady(setup.api, setup.ingestors, setup.env ?? process.env);
  const clock = setup.clock ?? systemClock;
  const log = (setup.log ?? rootLog).child({ component: `ingest-${setup.api}` });
  const stats = new IngestStats(setup.api, setup.metrics);
  const http = new ApiHttp({
    api: setup.api,
    baseUrl: setup.baseUrl ?? spec.baseUrl ?? descriptor.defaultBaseUrl,
    limiter: new RateLimiter(descriptor.limits, clock),
    backoff: new Backoff(descriptor.backoff ?? DEFAULT_BACKOFF, setup.random),
    clock,
    ...(key ? { secrets: [key] } : {}),
    ...(descriptor.headers ? { headers: descriptor.headers } : {}),
    ...(module.recognise ? { recognise: module.recognise } : {}),
    ...(setup.timeoutMs !== undefined ? { timeoutMs: setup.timeoutMs } : {}),
    ...(setup.transport ? { transport: setup.transport } : {}),
    ...(descriptor.quotaResetAt ? { quotaResetAt: descriptor.quotaResetAt } : {}),
    onRequest: () => stats.request(),
    onFailure: ({ error, willRetry, waitMs }) => {
      stats.error(error.kind, error.message, clock.now(), { backoffMs: waitMs });
      if (willRetry) stats.retries += 1;
      // One that ends a poll is logged once, by the runner, with what happens next (streams log their own).
      if (error.abortsPoll && !willRetry && ingestor.kind === 'poll') return;
      log.warn(error.message, {
        resource: `ingest/${setup.api}`,
        kind: error.kind,
        backoffMs: waitMs,
        retry: willRetry,
      });
    },
  });
  const ingestor = module.create(spec as never, {
    ...(key ? { key } : {}),
    ...(setup.random ? { random: setup.random } : {}),
    ...(setup.streamIdleMs !== undefined ? { streamIdleMs: setup.streamIdleMs } : {}),
  });
  return new IngestRunner({ ingestor, http, sink: setup.sink, deadLetters: setup.deadLetters, stats, clock, log });
}
