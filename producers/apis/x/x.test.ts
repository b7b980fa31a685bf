/** The X stream ingestor against a local server speaking the documented stream protocol. */
import { isSluiceError } from '../../../lib/errors';
import { serve, type Route } from '../testing/fixture-server';
import { TEST_KEYS, rig } from '../testing/setup';
import {
  OPERATIONAL_DISCONNECT,
  TOO_MANY_CONNECTIONS,
  UNAUTHORIZED,
  rulesAdded,
  rulesList,
  streamPost,
} from '../testing/x-payloads';
import { reconnectDelay } from './stream';

const TOKEN = TEST_KEYS.SLUICE_X_BEARER_TOKEN!;
const RULE = { value: '(traffic OR "air quality") lang:en -is:retweet', tag: 'traffic-air' };
const spec = { mode: 'filtered', rules: [RULE] };
const line = (value: unknown) => JSON.stringify(value);

const rules = (existing: Array<{ id: string; value: string; tag?: string }> = []): Route[] => [
  { path: '/2/tweets/search/stream/rules', reply: { body: rulesList(existing) } },
  {
    method: 'POST',
    path: '/2/tweets/search/stream/rules',
    reply: (r) => ({ body: rulesAdded((JSON.parse(r.body) as { add: Array<{ value: string; tag?: string }> }).add) }),
  },
];

describe('x', () => {
  it('adds the missing rule, backs off a refused connection, then turns streamed posts into records (repeats and keep-alives dropped)', async () => {
    const stream: Route = {
      path: '/2/tweets/search/stream',
      reply: (_r, n) =>
        n === 0
          ? { status: 429, body: TOO_MANY_CONNECTIONS }
          : {
              lines: [
                '',
                line(streamPost('1880000000000000001')),
                '',
                line(streamPost('1880000000000000001')),
                line(streamPost('1880000000000000002', { tags: [null, 'city'] })),
                line(OPERATIONAL_DISCONNECT),
              ],
            },
    };
    await serve([...rules([{ id: '1', value: 'from:someone_else' }]), stream], async (server) => {
      const { runner, sink, clock } = rig('x', spec, server);
      await runner.once();
      const added = server.requests.find((r) => r.method === 'POST');
      expect(JSON.parse(added!.body)).toEqual({ add: [RULE] });
      expect(server.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
      // A 429 on connect: a minute first (X's policy), with up to 10 % jitter.
      expect(clock.sleeps).toEqual([63_000]);
      expect(sink.records.map((r) => r.key)).toEqual(['x:1880000000000000001', 'x:1880000000000000002']);
      expect(sink.records[0]).toEqual({
        topic: 'api.social-posts',
        key: 'x:1880000000000000001',
        timestamp: Date.UTC(2026, 0, 15, 10, 35),
        value: {
          source: 'x',
          ts: Date.UTC(2026, 0, 15, 10, 35),
          ingest_ts: expect.any(Number),
          post_id: '1880000000000000001',
          channel: 'filtered-stream',
          author_id: '2244994945',
          author_name: 'ringroadwatch',
          text: 'Traffic jam on the A10 ring road near exit 01',
          lang: 'en',
          url: 'https://x.com/ringroadwatch/status/1880000000000000001',
          matching_rules: ['traffic-air'],
          like_count: 12,
          repost_count: 3,
          reply_count: 1,
          share_count: 0,
          updated_ts: null,
        },
      });
      // A rule without a tag is named by its id.
      expect(sink.records[1]!.value.matching_rules).toEqual(['1700000000000000000', 'city']);
      const stats = runner.stats.snapshot();
      expect([stats.duplicates, stats.errorsByKind]).toEqual([1, { 'rate-limited': 1, server: 1 }]);
    });
  });

  it('does not add rules that exist, and sends a post without text to the dead letters with the field named', async () => {
    const stream: Route = {
      path: '/2/tweets/search/stream',
      reply: {
        lines: [line(streamPost('1880000000000000003', { text: null })), line(streamPost('1880000000000000004'))],
      },
    };
    await serve([...rules([{ id: '9', ...RULE }]), stream], async (server) => {
      const { runner, sink, deadLetters } = rig('x', spec, server);
      await runner.once();
      expect(server.requests.some((r) => r.method === 'POST')).toBe(false);
      expect(sink.records.map((r) => r.value.post_id)).toEqual(['1880000000000000004']);
      expect(deadLetters.letters.map((l) => [l.api, l.field, l.message])).toEqual([
        ['x', 'data.text', 'x: required field data.text is missing'],
      ]);
    });
  });

  it('reconnects at once after a drop and after a silent connection, until stopped', async () => {
    const controller = new AbortController();
    const stream: Route = {
      path: '/2/tweets/sample/stream',
      reply: (_r, n) => {
        if (n === 0) return { lines: [line(streamPost('1880000000000000005'))] };
        if (n === 1) return { lines: [''], holdMs: 1000 }; // a keep-alive, then silence
        // Stopped while the third connection is open, after its post arrived.
        setTimeout(() => controller.abort(), 100);
        return { lines: [line(streamPost('1880000000000000006'))], holdMs: 1000 };
      },
    };
    await serve([stream], async (server) => {
      const { runner, sink, clock } = rig('x', { mode: 'sample' }, server, { streamIdleMs: 150 });
      await runner.run({ start: () => ({ stop: async () => undefined }) }, controller.signal);
      expect(server.to('/2/tweets/sample/stream')).toHaveLength(3);
      expect(sink.records.map((r) => r.value.channel)).toEqual(['sample-stream', 'sample-stream']);
      expect(runner.stats.snapshot().errorsByKind).toEqual({ timeout: 1 });
      // A network-level failure: 250 ms first.
      expect(clock.sleeps).toEqual([263]);
    });
  });

  it('streams anyway when the rules cannot be read (a 5xx), counting the failures', async () => {
    const routes: Route[] = [
      { path: '/2/tweets/search/stream/rules', reply: { status: 503, body: { title: 'Service Unavailable' } } },
      { path: '/2/tweets/search/stream', reply: { lines: [line(streamPost('1880000000000000007'))] } },
    ];
    await serve(routes, async (server) => {
      const { runner, sink } = rig('x', spec, server);
      await runner.once();
      expect(sink.records).toHaveLength(1);
      expect(runner.stats.snapshot().errorsByKind).toEqual({ server: 4 });
    });
  });

  it('counts a refused connection once, and waits 250 ms more after each network error', async () => {
    const controller = new AbortController();
    // Nothing listens on port 9: every connection is refused at the TCP level.
    const { runner, clock } = rig('x', { mode: 'sample' }, 'http://127.0.0.1:9');
    const original = clock.sleep.bind(clock);
    clock.sleep = async (ms: number) => {
      if (clock.sleeps.length === 2) controller.abort();
      await original(ms);
    };
    await runner.run({ start: () => ({ stop: async () => undefined }) }, controller.signal);
    expect(runner.stats.snapshot().errorsByKind).toEqual({ network: 3 });
    expect(clock.sleeps).toEqual([263, 525, 788]);
  });

  it('stops on 401: no wait makes a wrong token or access tier work', async () => {
    await serve([{ path: '/2/tweets/sample/stream', reply: { status: 401, body: UNAUTHORIZED } }], async (server) => {
      const { runner } = rig('x', { mode: 'sample' }, server);
      const error = await runner.once().catch((e: unknown) => e);
      expect(isSluiceError(error, 'SLUICE_API_ERROR')).toBe(true);
      expect((error as Error).message).toMatch(
        /HTTP 401 \(unauthorized\) Unauthorized: Unauthorized \(check SLUICE_X_BEARER_TOKEN/,
      );
      expect((error as Error).message).not.toContain(TOKEN);
    });
  });

  it('follows the documented reconnect policy', () => {
    expect([1, 2, 3, 100].map((n) => reconnectDelay('network', n))).toEqual([250, 500, 750, 16_000]);
    expect([1, 2, 3, 7, 8].map((n) => reconnectDelay('server', n))).toEqual([5_000, 10_000, 20_000, 320_000, 320_000]);
    expect([1, 2, 3].map((n) => reconnectDelay('rate-limited', n))).toEqual([60_000, 120_000, 240_000]);
    expect(reconnectDelay('server', 1, 90_000)).toBe(90_000);
  });
});
