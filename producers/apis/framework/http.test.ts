import { FakeClock } from '../testing/fake-clock';
import { FixtureServer, type Route } from '../testing/fixture-server';
import { Backoff } from './backoff';
import { SECOND } from './clock';
import { ApiError, ApiHttp, type ApiHttpOptions, type FailedAttempt } from './http';
import { RateLimiter } from './rate-limit';

const KEY = 'secret-key-0123456789';

async function withServer(
  routes: Route[],
  run: (
    server: FixtureServer,
    make: (options?: Partial<ApiHttpOptions>) => { http: ApiHttp; clock: FakeClock; failures: FailedAttempt[] },
  ) => Promise<void>,
): Promise<void> {
  const clock = new FakeClock();
  const server = await FixtureServer.start(routes, clock);
  try {
    await run(server, (options = {}) => {
      const failures: FailedAttempt[] = [];
      const http = new ApiHttp({
        api: 'test',
        baseUrl: server.url,
        limiter: new RateLimiter([{ limit: 100, perMs: SECOND, burst: 100 }], clock),
        backoff: new Backoff({ baseMs: 1000, maxMs: 60_000 }, () => 0.5),
        clock,
        secrets: [KEY],
        timeoutMs: 2000,
        onFailure: (f) => failures.push(f),
        ...options,
      });
      return { http, clock, failures };
    });
  } finally {
    await server.close();
  }
}

const failure = async (p: Promise<unknown>): Promise<ApiError> => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
};

describe('ApiHttp', () => {
  it('retries a 429 after the Retry-After it sent, then returns the answer', async () => {
    const routes: Route[] = [
      {
        path: '/data',
        reply: (_r, n) =>
          n === 0
            ? { status: 429, headers: { 'Retry-After': '7' }, body: { detail: 'slow down' } }
            : { body: { ok: true } },
      },
    ];
    await withServer(routes, async (server, make) => {
      const { http, clock, failures } = make();
      const answer = await http.get({ path: '/data' });
      expect(answer.json).toEqual({ ok: true });
      expect(failures.map((f) => [f.error.kind, f.willRetry, f.waitMs])).toEqual([['rate-limited', true, 7000]]);
      expect(server.requests[1]!.at - server.requests[0]!.at).toBe(7000);
      expect(clock.sleeps).toEqual([7000]);
    });
  });

  it('backs off exponentially with jitter on 5xx and gives up after maxAttempts', async () => {
    await withServer([{ path: '/data', reply: { status: 503, body: 'upstream down' } }], async (server, make) => {
      const { http, failures } = make();
      const error = await failure(http.get({ path: '/data' }));
      expect(error.kind).toBe('server');
      expect(error.retriable).toBe(true);
      expect(server.requests).toHaveLength(4);
      // Equal jitter pinned at its middle: 3/4 of 1, 2, 4, 8 s.
      expect(failures.map((f) => [f.waitMs, f.willRetry])).toEqual([
        [750, true],
        [1500, true],
        [3000, true],
        [6000, false],
      ]);
    });
  });

  it('does not retry what cannot get better, but still backs off before the next request', async () => {
    await withServer(
      [
        { path: '/data', reply: { status: 401, body: { detail: 'Invalid credentials' } } },
        { path: '/other', reply: { body: {} } },
      ],
      async (server, make) => {
        const { http, clock } = make();
        const error = await failure(http.get({ path: '/data' }));
        expect([error.kind, error.status, error.abortsPoll, server.requests.length]).toEqual([
          'unauthorized',
          401,
          true,
          1,
        ]);
        const before = clock.now();
        await http.get({ path: '/other' });
        expect(clock.now() - before).toBe(750);
      },
    );
  });

  it('never lets the key out: not in the message, the path or the body excerpt', async () => {
    const echo: Route = {
      path: '/v1/current.json',
      reply: (r) => ({
        status: 400,
        body: { error: { code: 1003, message: `bad request with key=${r.query.get('key')}` } },
      }),
    };
    await withServer([echo], async (_server, make) => {
      const { http } = make();
      const error = await failure(http.get({ path: '/v1/current.json', query: { key: KEY, q: 'London' } }));
      const everything = JSON.stringify({
        message: error.message,
        path: error.path,
        details: error.details,
        describe: error.describe(),
      });
      expect(everything).not.toContain(KEY);
      expect(error.message).toContain('/v1/current.json?key=***&q=London');
    });
  });

  it('pauses when x-ratelimit-remaining reaches 0, until the reset', async () => {
    await withServer(
      [{ path: '/data', reply: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '30' }, body: {} } }],
      async (server, make) => {
        const { http } = make();
        await http.get({ path: '/data' });
        await http.get({ path: '/data' });
        expect(server.requests[1]!.at - server.requests[0]!.at).toBe(30_000);
      },
    );
  });

  it('refuses a 200 whose body is not JSON, and reports network errors and timeouts by kind', async () => {
    await withServer(
      [
        { path: '/html', reply: { body: '<html>consent</html>' } },
        { path: '/slow', reply: { lines: [], holdMs: 3000 } },
      ],
      async (server, make) => {
        const { http } = make({ maxAttempts: 1, timeoutMs: 200 });
        expect((await failure(http.get({ path: '/html' }))).kind).toBe('unexpected');
        expect((await failure(http.get({ path: '/slow' }))).kind).toBe('timeout');
        const closed = make({ baseUrl: 'http://127.0.0.1:9', maxAttempts: 2 });
        const network = await failure(closed.http.get({ path: '/data' }));
        expect([network.kind, closed.failures.length]).toEqual(['network', 2]);
        expect(server.to('/slow')).toHaveLength(1);
      },
    );
  });

  it('follows absolute URLs only on its own origin (paging links carry the key)', async () => {
    await withServer([{ path: '/page2', reply: { body: { n: 2 } } }], async (server, make) => {
      const { http } = make();
      expect((await http.get({ path: `${server.url}/page2?access_token=${KEY}` })).json).toEqual({ n: 2 });
      const { http: counting, failures } = make();
      const error = await failure(counting.get({ path: `https://evil.example/steal?access_token=${KEY}` }));
      expect(error.message).toMatch(/refusing to follow https:\/\/evil.example/);
      expect(failures.map((f) => f.error.kind)).toEqual(['unexpected']);
      expect(error.message).not.toContain(KEY);
    });
  });

  it('streams lines, keep-alives included, and ends a silent stream with a timeout', async () => {
    await withServer(
      [{ path: '/stream', reply: { lines: ['{"a":1}', '', '{"a":2}'], holdMs: 1500 } }],
      async (_server, make) => {
        const { http } = make();
        const lines: string[] = [];
        const error = await (async () => {
          for await (const line of await http.openStream({ path: '/stream' }, 300)) lines.push(line);
        })().then(
          () => undefined,
          (e: unknown) => e as ApiError,
        );
        expect(lines).toEqual(['{"a":1}', '', '{"a":2}']);
        expect(error?.kind).toBe('timeout');
      },
    );
  });
});
