/**
 * The X stream ingestor: ensures the filtered-stream rules exist, holds the stream open, and reconnects
 * as X documents it (docs.x.com, "Handling disconnections"): at once after a drop; after a network error
 * 250 ms longer each time up to 16 s; after an HTTP error 5 s doubling up to 320 s; after a 429 one
 * minute doubling. A keep-alive newline comes every 20 s, so silence for longer means a dead connection.
 * 401 and 403 end the ingestor: no wait makes a wrong token or access tier work.
 */
import type { XIngestorSpec } from '../../../lib/spec';
import { MINUTE, SECOND } from '../framework/clock';
import { ApiError, type ApiErrorKind } from '../framework/http';
import { Payload } from '../framework/payload';
import type { ApiModule, IngestorOptions, StreamContext, StreamingIngestor } from '../framework/types';
import { X, recogniseX, xClient } from './client';
import { normalisePost } from './normalise';

/** Heartbeats come every 20 s; a little more than one missed heartbeat is a dead connection. */
export const IDLE_MS = 30 * SECOND;

/** The wait before reconnection attempt `n` (1, 2, …) after failures of `kind`, before jitter. */
export function reconnectDelay(kind: ApiErrorKind, n: number, retryAfterMs = 0): number {
  let delay: number;
  if (kind === 'network' || kind === 'timeout') delay = Math.min(16 * SECOND, 250 * n);
  else if (kind === 'rate-limited' || kind === 'quota-exhausted') delay = Math.min(30 * MINUTE, MINUTE * 2 ** (n - 1));
  else delay = Math.min(320 * SECOND, 5 * SECOND * 2 ** (n - 1));
  return Math.max(delay, retryAfterMs);
}

const FATAL: ReadonlySet<ApiErrorKind> = new Set(['unauthorized', 'gone', 'bad-request']);

function createX(spec: XIngestorSpec, options: IngestorOptions): StreamingIngestor {
  const random = options.random ?? Math.random;
  const idleMs = options.streamIdleMs ?? IDLE_MS;
  const channel = spec.mode === 'filtered' ? 'filtered-stream' : 'sample-stream';

  const syncRules = async (ctx: StreamContext): Promise<void> => {
    const client = xClient(ctx.http, options.key);
    const existing = Payload.of('x', (await client.rules(ctx.signal)).json)
      .at('data')
      .optList()
      .map((r) => r.at('value').value);
    const missing = spec.rules
      .filter((r) => !existing.includes(r.value))
      .map((r) => ({ value: r.value, ...(r.tag ? { tag: r.tag } : {}) }));
    if (missing.length === 0) return;
    const added = Payload.of('x', (await client.addRules(missing, ctx.signal)).json);
    const invalid = added.at('meta', 'summary', 'invalid').optInteger() ?? 0;
    if (invalid > 0) {
      const why = added
        .at('errors')
        .optList()
        .map((e) => `${String(e.at('value').value)}: ${String(e.at('title').value)}`)
        .join('; ');
      throw new ApiError('x', 'bad-request', `x: ${invalid} filtered-stream rule(s) refused: ${why}`, {
        path: '/2/tweets/search/stream/rules',
      });
    }
  };

  /** One connection: reads until the server closes it, it goes silent, or an in-stream error says it ended. */
  const readOnce = async (ctx: StreamContext): Promise<void> => {
    const lines = await xClient(ctx.http, options.key).stream(spec.mode, idleMs, ctx.signal);
    for await (const line of lines) {
      if (line.trim() === '') continue; // keep-alive
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        ctx.reportError(
          new ApiError('x', 'unexpected', `x: a stream line is not JSON: ${line.slice(0, 80)}`, {
            path: '/2/tweets/…/stream',
          }),
        );
        continue;
      }
      const body = message as { data?: unknown; errors?: Array<{ title?: unknown; detail?: unknown }> };
      if (body.data !== undefined) {
        await ctx.emit(normalisePost(message, channel, ctx.clock.now()), channel);
      } else if (Array.isArray(body.errors)) {
        const said = body.errors
          .map((e) => [e.title, e.detail].filter((s) => typeof s === 'string').join(': '))
          .join('; ');
        // operational-disconnect and its kind end the connection; anything else is reported and read past.
        if (body.errors.some((e) => /disconnect/i.test(String(e.title)))) {
          ctx.reportError(
            new ApiError('x', 'server', `x: stream ended by the server: ${said}`, { path: '/2/tweets/…/stream' }),
          );
          return;
        }
        ctx.reportError(new ApiError('x', 'unexpected', `x: stream error: ${said}`, { path: '/2/tweets/…/stream' }));
      }
    }
  };

  return {
    kind: 'stream',
    descriptor: X,
    stream: async (ctx, { once }) => {
      if (spec.mode === 'filtered' && spec.rules.length > 0) {
        try {
          await syncRules(ctx);
        } catch (error) {
          // The stream still delivers the rules it has; only a bad token or a refused rule is the end.
          // (The HTTP client has counted and logged each failed attempt.)
          if (!(error instanceof ApiError) || FATAL.has(error.kind)) throw error;
        }
      }
      const failures = new Map<string, number>();
      while (!ctx.signal.aborted) {
        try {
          await readOnce(ctx);
          failures.clear();
          if (once) return;
          continue; // a drop: reconnect at once
        } catch (error) {
          if (ctx.signal.aborted) return; // stopped: the cancelled request is not an error
          if (!(error instanceof ApiError)) throw error;
          if (FATAL.has(error.kind)) throw error;
          // Refused connections are counted by the HTTP client; a connection that broke is counted here.
          if (!error.counted) ctx.reportError(error);
          const family =
            error.kind === 'network' || error.kind === 'timeout'
              ? 'network'
              : error.kind === 'rate-limited' || error.kind === 'quota-exhausted'
                ? 'rate'
                : 'http';
          const n = (failures.get(family) ?? 0) + 1;
          failures.set(family, n);
          const asked = Number((error.details?.retryAfterMs as number | undefined) ?? 0);
          const wait = Math.round(reconnectDelay(error.kind, n, asked) * (1 + random() * 0.1));
          await ctx.clock.sleep(wait, ctx.signal);
        }
      }
    },
  };
}

export const x: ApiModule<XIngestorSpec> = { descriptor: X, recognise: recogniseX, create: createX };
