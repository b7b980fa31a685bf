/**
 * Alpha Vantage's answers about the key and the quota, all sent with HTTP 200: a demo key, a premium-only
 * endpoint and an invalid key are key problems (reported once with the setting to fix; polling stops), and
 * the daily limit pauses polling until the quota comes back (said once, with the time). The demo and
 * premium bodies are written as Alpha Vantage words them; the others are the recorded fixtures.
 */
import { fixture, fixtureJson, serve, type Route } from '../testing/fixture-server';
import { ManualScheduler } from '../testing/manual-scheduler';
import { rig } from '../testing/setup';

const DEMO = {
  Information:
    'The **demo** API key is for demo purposes only. Please claim your free API key at (https://www.alphavantage.co/support/#api-key) to explore our full API offerings. It takes fewer than 20 seconds.',
};
const PREMIUM = {
  Information:
    'Thank you for using Alpha Vantage! This is a premium endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium endpoints',
};
const GOOD: Record<string, unknown> = {
  GLOBAL_QUOTE: fixtureJson('alphavantage-GLOBAL_QUOTE.json'),
  TIME_SERIES_DAILY: fixtureJson('alphavantage-TIME_SERIES_DAILY.json'),
  TIME_SERIES_INTRADAY: fixtureJson('alphavantage-TIME_SERIES_INTRADAY-5min.json'),
};

/** Answers `bodies[function]`, or the good answer. */
const answering = (bodies: Record<string, unknown | ((n: number) => unknown)>): Route[] => [
  {
    path: '/query',
    reply: (r, n) => {
      const fn = r.query.get('function') ?? '';
      const body = bodies[fn] ?? GOOD[fn];
      return { body: typeof body === 'function' ? (body as (n: number) => unknown)(n) : body };
    },
  },
];

const errorLines = (logs: string[]) => logs.filter((l) => l.startsWith('ERROR'));

describe('a key problem is reported once, with the setting to fix, and stops polling', () => {
  test.each([
    [
      'the demo key',
      DEMO,
      /SLUICE_ALPHAVANTAGE_API_KEY holds Alpha Vantage's demo key.*set SLUICE_ALPHAVANTAGE_API_KEY to your own key/,
    ],
    [
      'a premium-only endpoint',
      PREMIUM,
      /may not call TIME_SERIES_DAILY: set SLUICE_ALPHAVANTAGE_API_KEY to a premium key, or remove TIME_SERIES_DAILY from ingestors\.alphavantage\.functions/,
    ],
    [
      'an invalid key',
      JSON.parse(fixture('alphavantage-error-invalid-apikey.json')) as unknown,
      /the parameter apikey is invalid or missing.*set SLUICE_ALPHAVANTAGE_API_KEY to a valid key/,
    ],
  ])('%s', async (_name, body, message) => {
    // GLOBAL_QUOTE answers (the positive control: the key is used, the record is made); TIME_SERIES_DAILY refuses.
    await serve(answering({ TIME_SERIES_DAILY: body }), async (server) => {
      const { runner, sink, deadLetters, logs } = rig(
        'alphavantage',
        { symbols: ['MSFT', 'IBM'], functions: ['GLOBAL_QUOTE', 'TIME_SERIES_DAILY'] },
        server,
      );
      const scheduler = new ManualScheduler();
      const controller = new AbortController();
      const running = runner.run(scheduler, controller.signal);
      await scheduler.fire(5);
      controller.abort();
      await running;

      // One poll, ended at the refusal: GLOBAL_QUOTE/MSFT, then TIME_SERIES_DAILY/MSFT; IBM never asked.
      expect(server.requests.map((r) => `${r.query.get('function')}/${r.query.get('symbol')}`)).toEqual([
        'GLOBAL_QUOTE/MSFT',
        'TIME_SERIES_DAILY/MSFT',
      ]);
      expect(sink.records.map((r) => r.key)).toEqual(['alphavantage:MSFT']);
      expect(deadLetters.letters).toEqual([]);
      expect(runner.stats.snapshot().errorsByKind).toEqual({ 'key-rejected': 1 });
      // Reported once, not per target or tick, not as a bad request, and with no backoff retry.
      const errors = errorLines(logs);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(message);
      expect(errors[0]).toMatch(
        /\(key-rejected\).*polling has stopped until that is fixed and ingest-alphavantage restarted/,
      );
      expect(logs.join('\n')).not.toMatch(/bad-request|tick skipped|backoffMs/);
    });
  });
});

test('a spent daily quota is said once, with when polling resumes; the ticks until then ask nothing and say nothing', async () => {
  // The first poll finds the quota spent; after midnight UTC the same key answers again.
  let spent = true;
  await serve(
    answering({
      GLOBAL_QUOTE: () => (spent ? JSON.parse(fixture('alphavantage-ratelimit-information.json')) : GOOD.GLOBAL_QUOTE),
    }),
    async (server) => {
      const { runner, sink, logs, clock } = rig(
        'alphavantage',
        { symbols: ['MSFT', 'IBM'], schedule: '0 * * * *' },
        server,
      );
      const start = clock.now(); // 2026-10-05 09:00 UTC
      const scheduler = new ManualScheduler();
      const controller = new AbortController();
      const running = runner.run(scheduler, controller.signal);
      await scheduler.started();
      expect(server.requests).toHaveLength(1);
      const errors = errorLines(logs);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /\(quota-exhausted\) Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day.*; quota used up: polling resumes at 2026-10-06T00:00:00\.000Z \(in 900 min\), the ticks until then are skipped/,
      );
      const linesAfterPause = logs.length;

      // Hourly ticks until 23:00: no request, no line (not "previous poll still running" each time).
      for (let hour = 10; hour <= 23; hour++) {
        clock.advance(start + (hour - 9) * 3_600_000 - clock.now());
        await scheduler.fire(1);
      }
      expect(server.requests).toHaveLength(1);
      expect(logs.slice(linesAfterPause).filter((l) => !l.startsWith('DEBUG'))).toEqual([]);

      // Positive control: after midnight the quota is back and the next tick polls both symbols.
      spent = false;
      clock.advance(Date.UTC(2026, 9, 6, 0, 0, 1) - clock.now());
      await scheduler.fire(1);
      controller.abort();
      await running;
      expect(server.requests).toHaveLength(3);
      // The recorded quote is MSFT's whatever the symbol asked: one record, the second answer a repeat.
      expect(sink.records.map((r) => r.key)).toEqual(['alphavantage:MSFT']);
    },
  );
});

test('a tick that finds the previous poll still running is said once per poll, with the count when it ends', async () => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await serve(answering({}), async (server) => {
    const { runner, logs } = rig('alphavantage', { symbols: ['MSFT'] }, server);
    const scheduler = new ManualScheduler();
    const controller = new AbortController();
    // The second poll (the first tick) waits on a slow answer while three more ticks come.
    let polls = 0;
    const poll = runner.poll.bind(runner);
    runner.poll = async (signal) => {
      if (++polls === 2) await held;
      return poll(signal);
    };
    const running = runner.run(scheduler, controller.signal);
    await scheduler.started();
    const tick = scheduler.fire(1);
    await scheduler.fire(3);
    release();
    await tick;
    controller.abort();
    await running;
    expect(logs.filter((l) => /still running/.test(l))).toEqual([
      'WARN ingest/alphavantage: previous poll still running; ticks are skipped until it ends',
    ]);
    expect(logs.filter((l) => /ticks were skipped/.test(l))).toHaveLength(1);
    expect(logs.find((l) => /ticks were skipped/.test(l))).toContain('3 ticks were skipped while it ran');
  });
});
