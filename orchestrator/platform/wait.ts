/**
 * Wait strategies, after testcontainers: each waits for one condition, has a timeout, and says what it
 * waited for when it gives up. Never sleep for a fixed time where a condition can be checked.
 */
import { createConnection } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { SluiceError, messageOf } from '../../lib/errors';

export interface WaitStrategy {
  /** What is awaited, in words: "kafka-1 to log 'Kafka Server started'". */
  description: string;
  timeoutMs: number;
  /** One probe: true when the condition holds. May throw; the last error is reported on timeout. */
  check(): Promise<boolean>;
}

export interface WaitOptions {
  intervalMs?: number;
  /** Called between probes; throwing aborts the wait (e.g. the process died). */
  abortIf?: () => string | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(strategy: WaitStrategy, options: WaitOptions = {}): Promise<void> {
  const interval = options.intervalMs ?? 500;
  const deadline = Date.now() + strategy.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abortIf?.();
    if (aborted) {
      throw new SluiceError('SLUICE_COMPONENT_START_FAILED', `gave up waiting for ${strategy.description}: ${aborted}`);
    }
    try {
      if (await strategy.check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError ? ` (last probe: ${messageOf(lastError)})` : '';
      throw new SluiceError(
        'SLUICE_WAIT_TIMEOUT',
        `timed out after ${Math.round(strategy.timeoutMs / 1000)}s waiting for ${strategy.description}${why}`,
        { cause: lastError },
      );
    }
    await sleep(interval);
  }
}

export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function forPort(host: string, port: number, timeoutMs: number): WaitStrategy {
  return { description: `port ${host}:${port} to accept connections`, timeoutMs, check: () => portOpen(host, port) };
}

/** Waits for a line matching `pattern` in a log file, looking only past `fromOffset` (this run's output). */
export function forLogLine(file: string, pattern: RegExp, timeoutMs: number, fromOffset = 0): WaitStrategy {
  return {
    description: `${file} to log ${pattern}`,
    timeoutMs,
    check: async () => existsSync(file) && pattern.test(readFileSync(file, 'utf8').slice(fromOffset)),
  };
}

export function forCondition(description: string, timeoutMs: number, check: () => Promise<boolean>): WaitStrategy {
  return { description, timeoutMs, check };
}

/** All strategies in order; the timeout of each applies to it alone. */
export async function waitForAll(strategies: WaitStrategy[], options: WaitOptions = {}): Promise<void> {
  for (const strategy of strategies) await waitFor(strategy, options);
}
