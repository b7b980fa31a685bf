/**
 * Every error an API sends, recorded or built from its documentation, replayed on a local server: each
 * becomes a counted error of the right kind with a backoff before the next request, is retried only
 * when waiting can help, and never becomes a record or a dead letter. (Alpha Vantage's key problems, which
 * stop polling altogether, are in alphavantage/keys-and-quota.test.ts.)
 */
import type { ApiErrorKind } from './framework/http';
import type { ApiName } from './framework/types';
import { fixture, serve, type Reply } from './testing/fixture-server';
import { TEST_KEYS, rig } from './testing/setup';

interface Case {
  name: string;
  api: ApiName;
  reply: Reply;
  kind: ApiErrorKind;
  /** Requests the poll makes: 4 when retried (maxAttempts), else 1. */
  attempts: number;
  /** The least backoff after each failure (the API asked for it, or the policy's half base). */
  minBackoffMs?: number;
}

const SPECS: Record<ApiName, Record<string, unknown>> = {
  openaq: { sensors: [3917] },
  tomtom: { points: [{ name: 'p', lat: 51.8427, lon: 5.866 }] },
  weatherapi: { cities: ['London'] },
  'open-meteo': { points: [{ name: 'p', lat: 40.81, lon: -74.07 }] },
  alphavantage: { symbols: ['IBM'] },
  yahoo: { symbols: ['GOOG'] },
  'google-maps': { routes: [{ name: 'r', origins: ['Boston,MA'], destinations: ['Concord,MA'] }] },
  x: {},
  facebook: { pages: ['20531316728'] },
};

const json = (status: number, name: string): Reply => ({ status, body: fixture(name) });
const fb = (code: number, message: string): Reply => ({
  status: 400,
  body: { error: { message, type: 'OAuthException', code, fbtrace_id: 'Ab1' } },
});

const CASES: Case[] = [
  {
    name: 'OpenAQ 401 (bad key)',
    api: 'openaq',
    reply: json(401, 'openaq-error-401.json'),
    kind: 'unauthorized',
    attempts: 1,
  },
  {
    name: 'OpenAQ 404 (unknown sensor)',
    api: 'openaq',
    reply: json(404, 'openaq-error-404.json'),
    kind: 'not-found',
    attempts: 1,
  },
  { name: 'OpenAQ 429', api: 'openaq', reply: json(429, 'openaq-error-429.json'), kind: 'rate-limited', attempts: 4 },
  {
    name: 'OpenAQ 410 (v1/v2 retired)',
    api: 'openaq',
    reply: { status: 410, body: 'Gone' },
    kind: 'gone',
    attempts: 1,
  },
  {
    name: 'OpenAQ 500',
    api: 'openaq',
    reply: { status: 500, body: 'Internal Server Error' },
    kind: 'server',
    attempts: 4,
  },
  {
    name: 'TomTom 400 (point too far from a road)',
    api: 'tomtom',
    reply: json(400, 'tomtom-flowSegmentData-error-400.json'),
    kind: 'bad-request',
    attempts: 1,
  },
  {
    name: 'TomTom 429',
    api: 'tomtom',
    reply: { status: 429, body: { error: 'Too Many Requests' } },
    kind: 'rate-limited',
    attempts: 4,
  },
  {
    name: 'TomTom 403 over the limit (older accounts)',
    api: 'tomtom',
    reply: { status: 403, body: '<h1>Developer Over Qps</h1>' },
    kind: 'rate-limited',
    attempts: 4,
  },
  {
    name: 'TomTom 403 bad key',
    api: 'tomtom',
    reply: { status: 403, body: '<h1>Developer Inactive</h1>' },
    kind: 'unauthorized',
    attempts: 1,
  },
  {
    name: 'WeatherAPI 1003 (no q)',
    api: 'weatherapi',
    reply: json(400, 'weatherapi-error-400-1003.json'),
    kind: 'bad-request',
    attempts: 1,
  },
  {
    name: 'WeatherAPI 1006 (no location)',
    api: 'weatherapi',
    reply: json(400, 'weatherapi-error-400-1006.json'),
    kind: 'not-found',
    attempts: 1,
  },
  {
    name: 'WeatherAPI 2006 (bad key)',
    api: 'weatherapi',
    reply: json(401, 'weatherapi-error-401-2006.json'),
    kind: 'unauthorized',
    attempts: 1,
  },
  {
    name: 'WeatherAPI 2007 (monthly quota)',
    api: 'weatherapi',
    reply: { status: 403, body: { error: { code: 2007, message: 'API key has exceeded calls per month quota.' } } },
    kind: 'quota-exhausted',
    attempts: 1,
  },
  {
    name: 'Open-Meteo 400',
    api: 'open-meteo',
    reply: json(400, 'open-meteo-error-400.json'),
    kind: 'bad-request',
    attempts: 1,
  },
  {
    name: 'Open-Meteo 429 per minute',
    api: 'open-meteo',
    reply: json(429, 'open-meteo-error-429-minutely.json'),
    kind: 'rate-limited',
    attempts: 4,
    minBackoffMs: 60_000,
  },
  {
    name: 'Alpha Vantage Information (daily limit, HTTP 200)',
    api: 'alphavantage',
    reply: json(200, 'alphavantage-ratelimit-information.json'),
    kind: 'quota-exhausted',
    attempts: 1,
    minBackoffMs: 30_000,
  },
  {
    name: 'Alpha Vantage Error Message (bad call, HTTP 200)',
    api: 'alphavantage',
    reply: json(200, 'alphavantage-error-invalid-call.json'),
    kind: 'bad-request',
    attempts: 1,
  },
  {
    name: 'Alpha Vantage Note (per-minute limit, HTTP 200)',
    api: 'alphavantage',
    reply: {
      body: {
        Note: 'Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day.',
      },
    },
    kind: 'rate-limited',
    attempts: 4,
    minBackoffMs: 60_000,
  },
  {
    name: 'Alpha Vantage empty Global Quote (unknown symbol)',
    api: 'alphavantage',
    reply: { body: { 'Global Quote': {} } },
    kind: 'not-found',
    attempts: 1,
  },
  {
    name: 'Yahoo 429 Edge: Too Many Requests (plain text)',
    api: 'yahoo',
    reply: { status: 429, body: 'Edge: Too Many Requests' },
    kind: 'rate-limited',
    attempts: 4,
  },
  {
    name: 'Yahoo 404 chart.error',
    api: 'yahoo',
    reply: {
      status: 404,
      body: {
        chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } },
      },
    },
    kind: 'not-found',
    attempts: 1,
  },
  {
    name: 'Google INVALID_REQUEST (HTTP 200)',
    api: 'google-maps',
    reply: json(200, 'googlemaps-distancematrix-error-INVALID_REQUEST.json'),
    kind: 'bad-request',
    attempts: 1,
  },
  {
    name: 'Google REQUEST_DENIED (HTTP 200)',
    api: 'google-maps',
    reply: { body: { status: 'REQUEST_DENIED', error_message: 'The provided API key is invalid.', rows: [] } },
    kind: 'unauthorized',
    attempts: 1,
  },
  {
    name: 'Google OVER_QUERY_LIMIT (HTTP 200)',
    api: 'google-maps',
    reply: { body: { status: 'OVER_QUERY_LIMIT', rows: [] } },
    kind: 'rate-limited',
    attempts: 4,
  },
  {
    name: 'Facebook 190 (expired token)',
    api: 'facebook',
    reply: fb(190, 'Error validating access token: Session has expired'),
    kind: 'unauthorized',
    attempts: 1,
  },
  {
    name: 'Facebook 4 (application request limit)',
    api: 'facebook',
    reply: fb(4, 'Application request limit reached'),
    kind: 'rate-limited',
    attempts: 4,
  },
  {
    name: 'Facebook 100 (no such Page)',
    api: 'facebook',
    reply: fb(100, "Unsupported get request. Object with ID 'nope' does not exist"),
    kind: 'not-found',
    attempts: 1,
  },
];

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it(`is a counted ${c.kind} error with backoff, ${c.attempts > 1 ? 'retried' : 'not retried'}, and never a record`, async () => {
    await serve([{ path: /.*/, reply: c.reply }], async (server) => {
      const { runner, sink, deadLetters, logs } = rig(c.api, SPECS[c.api], server);
      const report = await runner.poll();
      const stats = runner.stats.snapshot();
      expect(logs.length).toBeGreaterThan(0);
      for (const key of Object.values(TEST_KEYS)) expect(logs.join('\n')).not.toContain(key);
      expect([sink.records.length, deadLetters.letters.length, report.records]).toEqual([0, 0, 0]);
      expect(stats.errorsByKind).toEqual({ [c.kind]: c.attempts });
      expect(server.requests).toHaveLength(c.attempts);
      for (const [i, error] of stats.recentErrors.entries()) {
        expect(error.backoffMs).toBeGreaterThanOrEqual(c.minBackoffMs ?? 1);
        if (i + 1 < c.attempts)
          expect(server.requests[i + 1]!.at - server.requests[i]!.at).toBeGreaterThanOrEqual(error.backoffMs);
      }
      // The next poll also waits out the backoff of the last failure.
      const last = server.requests[server.requests.length - 1]!.at;
      await runner.poll();
      expect(server.requests[c.attempts]!.at - last).toBeGreaterThanOrEqual(
        stats.recentErrors[stats.recentErrors.length - 1]!.backoffMs,
      );
    });
  });
});

it('recovers from a 429: the retry after the backoff produces the records, one error counted', async () => {
  await serve(
    [
      {
        path: '/v3/sensors/3917',
        reply: (_r, n) =>
          n === 0
            ? { status: 429, headers: { 'Retry-After': '20' }, body: fixture('openaq-error-429.json') }
            : { body: fixture('openaq-v3-sensors-id.json') },
      },
    ],
    async (server) => {
      const { runner, sink } = rig('openaq', SPECS.openaq, server);
      const report = await runner.poll();
      expect([report.records, report.errors, sink.records.length]).toEqual([1, 1, 1]);
      expect(server.requests[1]!.at - server.requests[0]!.at).toBe(20_000);
    },
  );
});

it('ends the poll at an error every other target would get too (a bad key), but goes on after a target-specific one', async () => {
  const routes = [
    {
      path: '/v1/current.json',
      reply: (r: { query: URLSearchParams }) =>
        r.query.get('q') === 'Atlantis'
          ? json(400, 'weatherapi-error-400-1006.json')
          : { body: fixture('weatherapi-current-london.json') },
    },
  ];
  await serve(routes, async (server) => {
    const { runner } = rig('weatherapi', { cities: ['Atlantis', 'London'] }, server);
    expect(await runner.poll()).toMatchObject({ targets: 2, records: 1, errors: 1 });
  });
  await serve([{ path: '/v1/current.json', reply: json(401, 'weatherapi-error-401-2006.json') }], async (server) => {
    const { runner } = rig('weatherapi', { cities: ['Atlantis', 'London'] }, server);
    const report = await runner.poll();
    expect(report).toMatchObject({
      targets: 1,
      records: 0,
      errors: 1,
      abortedBy: expect.stringMatching(/code 2006: API key is invalid/),
    });
  });
});
