/** A runner wired to a fixture server, a fake clock and memory sinks: what every API test needs. */
import { createLogger } from '../../../lib/log';
import { withDefaults, type IngestorsSpec } from '../../../lib/spec';
import { createIngestRunner } from '../index';
import type { IngestRunner } from '../framework/runner';
import { MemoryDeadLetters, MemorySink } from '../framework/sinks';
import type { ApiName } from '../framework/types';
import { FakeClock } from './fake-clock';
import type { FixtureServer } from './fixture-server';

export const TEST_KEYS: Readonly<Record<string, string>> = {
  SLUICE_OPENAQ_API_KEY: 'openaq-test-key-1234567890',
  SLUICE_TOMTOM_API_KEY: 'tomtom-test-key-1234567890',
  SLUICE_WEATHERAPI_KEY: 'weatherapi-test-key-1234567890',
  SLUICE_ALPHAVANTAGE_API_KEY: 'alphavantage-test-key-1234567890',
  SLUICE_GOOGLE_MAPS_API_KEY: 'google-maps-test-key-1234567890',
  SLUICE_X_BEARER_TOKEN: 'x-test-bearer-token-1234567890',
  SLUICE_FACEBOOK_ACCESS_TOKEN: 'facebook-test-token-1234567890',
};

/** The `ingestors` section of a spec with just this entry, defaults applied by the spec's schema (lib/spec). */
export function ingestorsSpec(api: ApiName, entry: Record<string, unknown>): IngestorsSpec {
  const { document, errors } = withDefaults({ apiVersion: 'sluice/v1', name: 'test', ingestors: { [api]: entry } });
  if (!document) throw new Error(`invalid test spec: ${JSON.stringify(errors)}`);
  return document.ingestors;
}

export interface TestRig {
  runner: IngestRunner;
  sink: MemorySink;
  deadLetters: MemoryDeadLetters;
  clock: FakeClock;
  logs: string[];
}

/** A runner for `api` on `server` (whose requests are then stamped with the rig's fake clock). */
export function rig(
  api: ApiName,
  entry: Record<string, unknown>,
  server: FixtureServer | string,
  /** inProcess: the server's routes answer without sockets (for thousands of requests). */
  options: { env?: NodeJS.ProcessEnv; clock?: FakeClock; streamIdleMs?: number; inProcess?: boolean } = {},
): TestRig {
  const sink = new MemorySink();
  const deadLetters = new MemoryDeadLetters();
  const clock = options.clock ?? new FakeClock();
  const baseUrl = typeof server === 'string' ? server : server.url;
  if (typeof server !== 'string') server.clock = clock;
  const logs: string[] = [];
  const runner = createIngestRunner({
    api,
    ingestors: ingestorsSpec(api, entry),
    sink,
    deadLetters,
    env: options.env ?? { ...TEST_KEYS },
    baseUrl,
    clock,
    log: createLogger({ level: 'debug', format: 'text', write: (line) => logs.push(line) }),
    // Jitter pinned to its middle, so waits are exact in assertions.
    random: () => 0.5,
    timeoutMs: 5000,
    ...(options.streamIdleMs !== undefined ? { streamIdleMs: options.streamIdleMs } : {}),
    ...(options.inProcess && typeof server !== 'string' ? { transport: server.transport() } : {}),
  });
  return { runner, sink, deadLetters, clock, logs };
}
