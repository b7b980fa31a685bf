/** Facebook Graph Page posts against a local server speaking the documented payloads. */
import { serve, type Route } from '../testing/fixture-server';
import { without, withExtraFields } from '../testing/payloads';
import { TEST_KEYS, rig } from '../testing/setup';
import { PAGE, page, post } from '../testing/facebook-payloads';

const TOKEN = TEST_KEYS.SLUICE_FACEBOOK_ACCESS_TOKEN!;
const PATH = `/v23.0/${PAGE}/posts`;

/** Page 1 links to page 2 as Graph does: a full URL with the token and the cursor. */
const twoPages = (first: unknown[], second: unknown[], headers: Record<string, string> = {}): Route[] => [
  {
    path: PATH,
    reply: (r) =>
      r.query.get('after')
        ? { body: page(second) }
        : {
            headers,
            body: page(
              first,
              `http://127.0.0.1:${(r.headers.host ?? '').split(':')[1]}${PATH}?access_token=${TOKEN}&fields=id&limit=25&after=QVFIUk5wN2ZA`,
            ),
          },
  },
];

describe('facebook', () => {
  it("reads a Page's posts page by page and turns them into records, story standing in for a missing message", async () => {
    await serve(
      twoPages([post(1), post(2)], [post(3, { message: undefined, story: 'Meta updated its cover photo.' })]),
      async (server) => {
        const { runner, sink, logs } = rig('facebook', { pages: [PAGE] }, server);
        const report = await runner.poll();
        expect([report.records, report.errors, server.requests.length]).toEqual([3, 0, 2]);
        expect(sink.records[0]).toEqual({
          topic: 'api.social-posts',
          key: `facebook:${PAGE}_101`,
          timestamp: Date.UTC(2026, 0, 11, 16, 24, 4),
          value: {
            source: 'facebook',
            ts: Date.UTC(2026, 0, 11, 16, 24, 4),
            ingest_ts: expect.any(Number),
            post_id: `${PAGE}_101`,
            channel: PAGE,
            author_id: PAGE,
            author_name: null,
            text: 'Post number 1',
            lang: null,
            url: `https://www.facebook.com/${PAGE}/posts/101`,
            matching_rules: [],
            like_count: null,
            repost_count: null,
            reply_count: null,
            share_count: 10,
            updated_ts: Date.UTC(2026, 0, 11, 17),
          },
        });
        expect(sink.records[2]!.value.text).toBe('Meta updated its cover photo.');
        expect(server.requests.map((r) => r.query.get('access_token'))).toEqual([TOKEN, TOKEN]);
        expect(logs.join('\n')).not.toContain(TOKEN);
      },
    );
  });

  it('stops at maxPages, ignores unknown fields, rejects a post without created_time, and produces a changed post again', async () => {
    let shares = 10;
    const routes: Route[] = [
      {
        path: PATH,
        reply: () => ({
          body: withExtraFields(
            page(
              [post(1, { shares: { count: shares } }), without(post(2), ['created_time'])],
              `http://127.0.0.1:1${PATH}?after=x`,
            ),
          ),
        }),
      },
    ];
    await serve(routes, async (server) => {
      const { runner, sink, deadLetters } = rig('facebook', { pages: [PAGE], maxPages: 1 }, server);
      await runner.poll();
      expect([sink.records.length, server.requests.length]).toEqual([1, 1]);
      expect(deadLetters.letters.map((l) => [l.field, l.target])).toEqual([['data[1].created_time', `page/${PAGE}`]]);
      await runner.poll();
      expect(sink.records).toHaveLength(1);
      shares = 11;
      await runner.poll();
      expect(sink.records.map((r) => r.value.share_count)).toEqual([10, 11]);
    });
  });

  it('waits when the usage headers say the app is near its limit', async () => {
    await serve(
      twoPages([post(1)], [post(2)], {
        'x-app-usage': JSON.stringify({ call_count: 96, total_cputime: 20, total_time: 30 }),
      }),
      async (server) => {
        const { runner } = rig('facebook', { pages: [PAGE] }, server);
        await runner.poll();
        expect(server.requests[1]!.at - server.requests[0]!.at).toBe(10 * 60_000);
      },
    );
  });
});
