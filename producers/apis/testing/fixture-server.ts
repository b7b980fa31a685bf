/**
 * A local HTTP server (node:http on 127.0.0.1, port 0) that answers like the public APIs, from the
 * recorded payloads in ./fixtures (copied from the shared fixture set; see its README.md) or from
 * payloads a test builds. Every request is recorded with the fake clock's time, so tests can check what
 * was asked, with which key, and how fast.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import type { Clock } from '../framework/clock';

export const FIXTURES = join(__dirname, 'fixtures');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(fixture(name)) as T;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Streamed one by one, each followed by \r\n (the X stream); the response ends after the last. */
  lines?: string[];
  /** Keep the connection open this long after the last line (ms, real time). */
  holdMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** The fake clock's time when the request arrived. */
  at: number;
}

export type Handler = (request: RecordedRequest, nth: number) => Reply;

const bodyText = (reply: Reply): string =>
  typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
const contentType = (reply: Reply): string =>
  typeof reply.body === 'string' && !/^\s*[[{]/.test(reply.body) ? 'text/plain' : 'application/json';

export interface Route {
  method?: string;
  path: string | RegExp;
  reply: Reply | Handler;
}

export class FixtureServer {
  readonly requests: RecordedRequest[] = [];
  private readonly hits = new Map<Route, number>();
  /** Stamps requests; the test rig sets it to its fake clock. */
  clock: Clock | undefined;
  /** Pending holdMs timers, cleared on close so no test leaves the event loop busy. */
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly routes: Route[],
  ) {}

  static async start(routes: Route[], clock?: Clock): Promise<FixtureServer> {
    // The handler is made before the server object it answers for: it reaches it through this holder.
    const holder: { self?: FixtureServer } = {};
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => holder.self!.answer(req, body, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const self = new FixtureServer(server, `http://127.0.0.1:${port}`, routes);
    self.clock = clock;
    holder.self = self;
    return self;
  }

  /** Records a request and picks the reply of the first route that matches it. */
  private reply(method: string, href: string, headers: IncomingMessage['headers'], body: string): Reply {
    const url = new URL(href, this.url);
    const recorded: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers,
      body,
      at: this.clock?.now() ?? Date.now(),
    };
    this.requests.push(recorded);
    const route = this.routes.find(
      (r) =>
        (r.method ?? 'GET') === method &&
        (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname)),
    );
    if (!route) return { status: 599, body: `no fixture route for ${method} ${url.pathname}` };
    const nth = this.hits.get(route) ?? 0;
    this.hits.set(route, nth + 1);
    return typeof route.reply === 'function' ? route.reply(recorded, nth) : route.reply;
  }

  private answer(req: IncomingMessage, body: string, res: ServerResponse): void {
    const reply = this.reply(req.method ?? 'GET', req.url ?? '/', req.headers, body);
    res.writeHead(reply.status ?? 200, { 'Content-Type': contentType(reply), ...reply.headers });
    if (!reply.lines) {
      res.end(bodyText(reply));
      return;
    }
    for (const line of reply.lines) res.write(`${line}\r\n`);
    if (reply.holdMs) this.later(() => res.end(), reply.holdMs);
    else res.end();
  }

  /**
   * The same routes without sockets: an axios instance whose adapter answers in-process. For tests that
   * send thousands of requests (the burst schedules), where a busy machine makes each socket slow.
   */
  transport(): AxiosInstance {
    return axios.create({
      adapter: async (config) => {
        const headers = Object.fromEntries(
          Object.entries((config.headers as { toJSON?: () => Record<string, unknown> }).toJSON?.() ?? {}).map(
            ([k, v]) => [k.toLowerCase(), String(v)],
          ),
        );
        const reply = this.reply(
          (config.method ?? 'get').toUpperCase(),
          config.url ?? '/',
          headers,
          typeof config.data === 'string' ? config.data : '',
        );
        const responseHeaders = {
          'content-type': contentType(reply),
          ...Object.fromEntries(Object.entries(reply.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
        };
        let data: unknown = bodyText(reply);
        if (config.responseType === 'stream') {
          const stream = new PassThrough();
          for (const line of reply.lines ?? []) stream.write(`${line}\r\n`);
          if (!reply.lines) stream.write(bodyText(reply));
          if (reply.holdMs) this.later(() => stream.end(), reply.holdMs);
          else stream.end();
          data = stream;
        }
        return { data, status: reply.status ?? 200, statusText: '', headers: responseHeaders, config, request: {} };
      },
    });
  }

  private later(run: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  /** Requests to `path` (string: exact; RegExp: matching). */
  to(path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Runs `run` against a fixture server that is closed afterwards, whatever happens. */
export async function serve<T>(routes: Route[], run: (server: FixtureServer) => Promise<T>, clock?: Clock): Promise<T> {
  const server = await FixtureServer.start(routes, clock);
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}
