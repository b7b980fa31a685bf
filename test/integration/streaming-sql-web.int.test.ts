/**
 * The web-log jobs of sql/ on hand-made requests of known event times: each valid request carries its
 * address's range, country and ASN (found through its /24 block), an address of no known range is
 * flagged, not lost; the one-minute windows per path hold exactly the expected numbers; the error-burst
 * pattern fires on five server errors in a row within a minute, and not on its near misses (four, then a
 * success, then four; five spread over more than a minute); malformed and late requests go to
 * rejects.web with the rule they broke.
 */
import { SqlTestbed } from './sql-testbed';

const bed = new SqlTestbed();
const { topics } = bed;
const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;

beforeAll(() => bed.setUp());
afterAll(() => bed.tearDown());

const HOME = '81.24.16.10';
const OFFICE = '81.24.17.20';
const UNKNOWN = '9.9.9.9';

test('requests are enriched through their /24 block; windows per path; an error burst fires, its near misses do not; bad requests are rejected', async () => {
  const producer = bed.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic: topics.ipBlocks,
    acks: -1,
    messages: ['81.24.16.0/24', '81.24.17.0/24'].map((block) =>
      bed.ipBlock(block, '81.24.16.0/20', 'NL', 64600, t0 - 60_000),
    ),
  });

  const deployed = await bed.sluice(
    'deploy-pipeline',
    '--spec',
    bed.writeSpec({
      enriched: bed.copySql('190-web-enriched.sql'),
      windows: bed.copySql('170-web-windows.sql'),
      burst: bed.copySql('200-web-error-burst.sql'),
      rejects: bed.copySql('210-web-rejects.sql'),
    }),
  );
  expect(deployed.stderr).not.toMatch(/SLUICE_[A-Z_]+:/);
  expect(deployed.code).toBe(0);

  // [seconds after t0, client ip, path, status, response time ms].
  type Request = [number, string, string, number, number];
  const valid: Request[] = [
    [1, HOME, '/api/cart', 200, 100],
    [2, HOME, '/', 200, 10],
    [3, OFFICE, '/', 200, 10],
    [4, UNKNOWN, '/', 200, 10],
    [10, HOME, '/api/cart', 200, 200],
    [20, HOME, '/api/cart', 503, 300],
    [30, HOME, '/api/cart', 200, 400],
    // Five 503s in a row on /api/pay within a minute: a burst.
    ...[61, 62, 63, 64, 65].map((s): Request => [s, HOME, '/api/pay', 503, 20]),
    // Four, a success, four: a near miss.
    ...[66, 67, 68, 69, 70, 71, 72, 73, 74].map((s): Request => [s, HOME, '/api/search', s === 70 ? 200 : 500, 20]),
    // Five errors, but over 80 s: a near miss.
    ...[80, 100, 120, 140, 160].map((s): Request => [s, HOME, '/api/login', 502, 20]),
  ];
  const bad: Request[] = [
    [40, HOME, '/bad', 999, 50], // impossible status
    [41, HOME, '/bad', 200, -1], // negative response time
    [42, '300.1.2.3', '/bad', 200, 50], // not an IPv4 address
  ];
  // In event-time order, so that none of them is behind the watermark when it arrives.
  const messages = [...valid, ...bad]
    .sort((a, b) => a[0] - b[0])
    .map(([s, ip, path, status, ms]) => bed.request(t0, ip, s, path, status, ms));
  await producer.send({ topic: topics.webLogs, acks: -1, messages });
  await new Promise((r) => setTimeout(r, 4000));
  await producer.send({ topic: topics.webLogs, acks: -1, messages: [bed.request(t0, HOME, 5, '/api/cart')] }); // 155 s behind: late
  await new Promise((r) => setTimeout(r, 4000));
  await producer.send({ topic: topics.webLogs, acks: -1, messages: [bed.request(t0, HOME, 300, '/')] }); // the watermark passes t0+295 s
  await producer.disconnect();

  // Every valid request above; the last one (t0+300 s) only moved the watermark: the temporal join emits a
  // request once the watermark has passed it.
  const enriched = await bed.readCommitted(topics.enrichedWeb, valid.length);
  expect(enriched.map((e) => ((e.ts as number) - t0) / 1000).sort((a, b) => a - b)).toEqual(valid.map(([s]) => s));
  for (const e of enriched) {
    expect(e).toMatchObject(
      e.client_ip === UNKNOWN
        ? { ip_known: false, ip_range: null, country: null, asn: null }
        : { ip_known: true, ip_range: '81.24.16.0/20', country: 'NL', asn: 64600, as_org: 'AS64600 Networks' },
    );
  }

  const windows = await bed.readCommitted(topics.path1m, 6);
  const byPath = windows
    .map((w) => [w.path, ((w.window_start as number) - t0) / 60_000, w.requests, w.server_errors])
    .sort();
  expect(byPath).toEqual([
    ['/', 0, 3, 0],
    ['/api/cart', 0, 4, 1],
    ['/api/login', 1, 2, 2],
    ['/api/login', 2, 3, 3],
    ['/api/pay', 1, 5, 5],
    ['/api/search', 1, 9, 8],
  ]);
  const cart = windows.find((w) => w.path === '/api/cart')!;
  expect(cart).toMatchObject({ error_ratio: 0.25, latency_avg_ms: 250, latency_min_ms: 100, latency_max_ms: 400 });
  expect(cart.latency_stddev_ms as number).toBeCloseTo(Math.sqrt(12_500), 9);
  expect(cart.latency_p95_ms as number).toBeCloseTo(385, 9); // sorted 100, 200, 300, 400: position 2.85

  const bursts = await bed.readCommitted(topics.errorBurst, 1);
  expect(
    bursts.map((b) => ({
      path: b.path,
      first: ((b.first_ts as number) - t0) / 1000,
      last: ((b.last_ts as number) - t0) / 1000,
      errors: b.errors,
      status: b.last_status,
    })),
  ).toEqual([{ path: '/api/pay', first: 61, last: 65, errors: 5, status: 503 }]);

  const rejects = (await bed.readCommitted(topics.webRejects, 4)).map((r) => [
    ((r.ts as number) - t0) / 1000,
    r.client_ip,
    r.reason,
  ]);
  expect(rejects.sort()).toEqual(
    [
      [40, HOME, 'status out of range [100, 599]'],
      [41, HOME, 'response_time_ms is negative'],
      [42, '300.1.2.3', 'client_ip is not an IPv4 address'],
      [5, HOME, 'late: more than 5 s behind the newest request'],
    ].sort(),
  );
});
