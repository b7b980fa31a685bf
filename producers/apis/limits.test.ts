/**
 * Under a burst schedule (ticks fired back to back, each poll asking for many targets) no API is called
 * faster than its documented limits: every request the local server receives is stamped with the fake
 * clock, and no window of any limit holds more than the limit. No real sleeping: waits move the clock.
 * Thousands of requests: the server's routes answer in-process (same routes, no sockets); the API
 * tests replay the same payloads over real HTTP.
 */
import { API_MODULES } from './catalog';
import type { ApiName } from './framework/types';
import { fixture, fixtureJson, serve, type Route } from './testing/fixture-server';
import { ManualScheduler } from './testing/manual-scheduler';
import { rig } from './testing/setup';
import { maxInWindow } from './testing/windows';
import { streamPost } from './testing/x-payloads';
import { PAGE, page, post } from './testing/facebook-payloads';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const points = (n: number) => range(n).map((i) => ({ name: `p${i}`, lat: 50 + i / 100, lon: 4 + i / 100 }));

/**
 * A Distance Matrix answer of the size asked for. Only the first pair has a route: 60,000 records would
 * cost seconds of CPU on a busy machine, and the limit counts elements whatever their status.
 */
function matrix(origins: number, destinations: number): unknown {
  const element = {
    distance: { text: '1 km', value: 1000 },
    duration: { text: '1 min', value: 60 },
    duration_in_traffic: { text: '2 mins', value: 120 },
    status: 'OK',
  };
  const rows = range(origins).map((o) => ({
    elements: range(destinations).map((d) => (o === 0 && d === 0 ? element : { status: 'ZERO_RESULTS' })),
  }));
  return {
    status: 'OK',
    origin_addresses: range(origins).map(String),
    destination_addresses: range(destinations).map(String),
    rows,
  };
}

interface Burst {
  api: Exclude<ApiName, 'x'>;
  spec: Record<string, unknown>;
  routes: Route[];
  ticks: number;
  /** Rate-limit units of a request (Google: elements). */
  cost?: (query: URLSearchParams) => number;
  /** Errors inside good answers that the burst causes on purpose (no backoff, no retry). */
  elementErrors?: boolean;
}

const BURSTS: Burst[] = [
  {
    api: 'openaq',
    spec: { locations: [2178], sensors: range(10).map((i) => 3917 + i) },
    ticks: 15,
    routes: [
      { path: '/v3/locations/2178', reply: { body: fixture('openaq-v3-locations-id.json') } },
      { path: '/v3/locations/2178/latest', reply: { body: fixture('openaq-v3-locations-id-latest.json') } },
      { path: /^\/v3\/sensors\/\d+$/, reply: { body: fixture('openaq-v3-sensors-id.json') } },
    ],
  },
  {
    api: 'tomtom',
    spec: {
      points: points(5),
      incidentAreas: [{ name: 'a', minLon: 4.83, minLat: 52.33, maxLon: 4.95, maxLat: 52.4 }],
    },
    ticks: 10,
    routes: [
      { path: /flowSegmentData/, reply: { body: fixture('tomtom-flowSegmentData-absolute10.json') } },
      { path: /incidentDetails/, reply: { body: fixture('tomtom-incidentDetails-v5.json') } },
    ],
  },
  {
    api: 'weatherapi',
    spec: { cities: range(12).map((i) => `City ${i}`) },
    ticks: 3,
    routes: [{ path: '/v1/current.json', reply: { body: fixture('weatherapi-current-london.json') } }],
  },
  {
    api: 'open-meteo',
    spec: { points: points(20) },
    ticks: 33,
    routes: [{ path: '/v1/forecast', reply: { body: fixture('open-meteo-forecast-current.json') } }],
  },
  {
    api: 'alphavantage',
    spec: { symbols: ['IBM', 'MSFT'], functions: ['GLOBAL_QUOTE', 'TIME_SERIES_INTRADAY', 'TIME_SERIES_DAILY'] },
    ticks: 6,
    routes: [
      {
        path: '/query',
        reply: (r) => ({
          body: fixtureJson(
            {
              GLOBAL_QUOTE: 'alphavantage-GLOBAL_QUOTE.json',
              TIME_SERIES_INTRADAY: 'alphavantage-TIME_SERIES_INTRADAY-5min.json',
              TIME_SERIES_DAILY: 'alphavantage-TIME_SERIES_DAILY.json',
            }[r.query.get('function') ?? ''] ?? '',
          ),
        }),
      },
    ],
  },
  {
    api: 'yahoo',
    spec: { symbols: range(10).map((i) => `S${i}`) },
    ticks: 5,
    routes: [{ path: /^\/v8\/finance\/chart\//, reply: { body: fixture('yahoo-v8-finance-chart-GOOG.json') } }],
  },
  {
    api: 'google-maps',
    spec: {
      routes: range(20).map((i) => ({
        name: `r${i}`,
        origins: range(10).map((o) => `o${o}`),
        destinations: range(10).map((d) => `d${d}`),
      })),
    },
    ticks: 31,
    routes: [
      {
        path: '/maps/api/distancematrix/json',
        reply: (r) => ({
          body: matrix(r.query.get('origins')!.split('|').length, r.query.get('destinations')!.split('|').length),
        }),
      },
    ],
    cost: (q) => q.get('origins')!.split('|').length * q.get('destinations')!.split('|').length,
    elementErrors: true,
  },
  {
    api: 'facebook',
    spec: { pages: ['1', '2', PAGE], maxPages: 1 },
    ticks: 80,
    routes: [{ path: /\/posts$/, reply: (r) => ({ body: page([{ ...post(1), id: `${r.path.split('/')[2]}_101` }]) }) }],
  },
];

describe.each(BURSTS.map((b) => [b.api, b] as const))('%s under a burst schedule', (_api, burst) => {
  it('is never called faster than its limits, and produces each reading once', async () => {
    await serve(burst.routes, async (server) => {
      const { runner, sink, deadLetters } = rig(burst.api, burst.spec, server, { inProcess: true });
      const scheduler = new ManualScheduler();
      const controller = new AbortController();
      const running = runner.run(scheduler, controller.signal);
      await scheduler.started();
      const firstPoll = sink.records.length;
      await scheduler.fire(burst.ticks);
      controller.abort();
      await running;
      const limits = API_MODULES[burst.api].descriptor.limits;
      const times = server.requests.map((r) => r.at);
      const costs = server.requests.map((r) => burst.cost?.(r.query) ?? 1);
      // The burst asked for more than the tightest window allows, so the limiter had to hold requests back.
      const tightest = Math.min(...limits.map((w) => w.limit));
      expect(costs.reduce((a, b) => a + b, 0)).toBeGreaterThan(tightest);
      for (const window of limits) expect(maxInWindow(times, window.perMs, costs)).toBeLessThanOrEqual(window.limit);
      const stats = runner.stats.snapshot();
      if (burst.elementErrors) expect(stats.recentErrors.every((e) => e.backoffMs === 0)).toBe(true);
      else expect(stats.errors).toBe(0);
      expect(deadLetters.letters).toEqual([]);
      // Every later poll read the same values again: nothing new was produced.
      expect(firstPoll).toBeGreaterThan(0);
      expect(sink.records.length).toBe(firstPoll);
    });
  });
});

it('x: reconnecting at once after every drop still opens no more connections than its limit', async () => {
  const controller = new AbortController();
  const routes: Route[] = [
    {
      path: '/2/tweets/sample/stream',
      reply: (_r, n) => {
        if (n === 60) setTimeout(() => controller.abort(), 50);
        return {
          lines: [JSON.stringify(streamPost(`18800000000000${String(n).padStart(5, '0')}`))],
          ...(n >= 60 ? { holdMs: 500 } : {}),
        };
      },
    },
  ];
  await serve(routes, async (server) => {
    const { runner, sink } = rig('x', { mode: 'sample' }, server, { inProcess: true });
    await runner.run(new ManualScheduler(), controller.signal);
    expect(server.requests.length).toBeGreaterThan(50);
    for (const window of API_MODULES.x.descriptor.limits)
      expect(
        maxInWindow(
          server.requests.map((r) => r.at),
          window.perMs,
        ),
      ).toBeLessThanOrEqual(window.limit);
    expect(sink.records.length).toBe(server.requests.length);
  });
});
