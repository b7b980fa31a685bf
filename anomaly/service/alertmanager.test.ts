import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSluiceError } from '../../lib/errors';
import { createLogger } from '../../lib/log';
import { AlertmanagerClient, alertLabels, toAlertmanager, type AlertmanagerAlert } from './alertmanager';
import { alertRecord, distanceText } from './alert';
import { Delivery } from './delivery';
import type { Incident } from './incidents';
import { AnomalyMetrics } from './metrics';

const T0 = Date.UTC(2025, 0, 6, 10, 0);
const log = createLogger({ level: 'error', write: () => undefined });

function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-0123456789abcdef',
    kind: 'anomaly',
    source: 'agg.iot.device-1m',
    key: 'dev-7',
    keyFields: { device_id: 'dev-7' },
    severity: 'critical',
    startedAt: T0,
    firedAt: T0 + 16_000,
    evidence: [
      {
        metric: 'temperature_max',
        value: 48,
        expected: { low: null, high: 35 },
        score: 1,
        reasons: ['threshold: 48 above 35'],
        ts: T0,
        cause: 'point',
        severity: 'critical',
        normal: 0,
      },
      {
        metric: 'temperature_avg',
        value: 40.25,
        expected: { low: 19.5, high: 23.25 },
        score: 0.9312,
        reasons: ['robust-z: 40.1σ above 21.3'],
        ts: T0,
        cause: 'point',
        severity: 'warning',
        normal: 0,
      },
    ],
    ...overrides,
  };
}

/** A stand-in Alertmanager: records every POST /api/v2/alerts, answers `status` (200 by default). */
class FakeAlertmanager {
  readonly posts: AlertmanagerAlert[][] = [];
  status = 200;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (
          req.method === 'POST' &&
          req.url === '/api/v2/alerts' &&
          req.headers['content-type'] === 'application/json'
        ) {
          if (this.status === 200) this.posts.push(JSON.parse(body) as AlertmanagerAlert[]);
          res
            .writeHead(this.status, { 'Content-Type': 'application/json' })
            .end(this.status === 200 ? '' : '{"code":500,"message":"down for maintenance"}');
        } else res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}

describe('Alertmanager payloads', () => {
  test('the labels identify the incident and stay the same for its whole life; key fields become labels too', () => {
    expect(alertLabels(incident())).toEqual({
      alertname: 'SluiceAnomaly',
      source: 'agg.iot.device-1m',
      key: 'dev-7',
      severity: 'critical',
      incident_id: 'inc-0123456789abcdef',
      kind: 'anomaly',
      component: 'anomaly',
      device_id: 'dev-7',
    });
    // A key field that would overwrite one of the service's labels, or is no label name, is left out.
    expect(
      alertLabels(incident({ kind: 'pattern', keyFields: { key: 'x', 'bad-name': 'y', account_id: 'a1' } })),
    ).toEqual({
      alertname: 'SluicePattern',
      source: 'agg.iot.device-1m',
      key: 'dev-7',
      severity: 'critical',
      incident_id: 'inc-0123456789abcdef',
      kind: 'pattern',
      component: 'anomaly',
      account_id: 'a1',
    });
  });

  test('a firing alert ends 4 re-sends from now unless re-sent; a resolved one ends at its resolution', () => {
    const now = T0 + 20_000;
    const firing = toAlertmanager(incident(), { now, resendMs: 60_000, baseUrl: 'http://127.0.0.1:29190/' });
    expect(firing).toEqual({
      labels: alertLabels(incident()),
      annotations: {
        summary:
          'agg.iot.device-1m dev-7: temperature_max 48 (expected ≤ 35: 13 above, +37%) since 2025-01-06T10:00:00Z; and 1 more metric (temperature_avg)',
        description:
          'temperature_max 48 (expected ≤ 35: 13 above, +37%), score 1.00: threshold: 48 above 35\ntemperature_avg 40.25 (expected 19.5 – 23.25: 17 above, 4.5× its width), score 0.93: robust-z: 40.1σ above 21.3',
        distance: '13 above, +37%',
        metrics: 'temperature_max,temperature_avg',
        evidence: expect.any(String),
        started_at: '2025-01-06T10:00:00.000Z',
        value: '48',
        expected: '≤ 35',
        score: '1.000',
      },
      startsAt: '2025-01-06T10:00:00.000Z',
      endsAt: new Date(now + 240_000).toISOString(),
      generatorURL: 'http://127.0.0.1:29190/incidents/inc-0123456789abcdef',
    });
    expect(JSON.parse(firing.annotations.evidence!)).toEqual([
      {
        metric: 'temperature_max',
        value: 48,
        expected: { low: null, high: 35 },
        score: 1,
        reasons: ['threshold: 48 above 35'],
        ts: T0,
        cause: 'point',
      },
      {
        metric: 'temperature_avg',
        value: 40.25,
        expected: { low: 19.5, high: 23.25 },
        score: 0.9312,
        reasons: ['robust-z: 40.1σ above 21.3'],
        ts: T0,
        cause: 'point',
      },
    ]);
    const resolved = toAlertmanager(incident({ resolvedAt: T0 + 180_000 }), {
      now: T0 + 999_000,
      resendMs: 60_000,
      baseUrl: 'http://h',
    });
    expect(resolved.endsAt).toBe(new Date(T0 + 180_000).toISOString());
    expect(resolved.labels).toEqual(firing.labels);
  });

  test("a pattern alert carries the pattern's text", () => {
    const pattern = incident({
      kind: 'pattern',
      evidence: [
        {
          metric: 'card-testing',
          value: null,
          expected: null,
          score: 1,
          reasons: ['card testing on acc-1'],
          ts: T0,
          cause: 'point',
          severity: 'critical',
          normal: 0,
        },
      ],
      summary: 'card testing on acc-1',
      match: { account_id: 'acc-1' },
    });
    const alert = toAlertmanager(pattern, { now: T0, resendMs: 60_000, baseUrl: 'http://h' });
    expect(alert.annotations).toMatchObject({
      summary: 'card testing on acc-1',
      description: 'card testing on acc-1\nmatch: {"account_id":"acc-1"}',
      metrics: 'card-testing',
    });
    expect(alert.annotations.value).toBeUndefined();
  });
});

describe('alerts a person acts on (issue 15 item 5)', () => {
  const group = incident({
    id: 'inc-group',
    key: '*',
    keyFields: {},
    severity: 'warning',
    evidence: [incident().evidence[0]!],
    members: {
      metric: 'temperature_max',
      open: 1200,
      total: 1250,
      worst: [
        { key: 'dev-1', evidence: incident().evidence[0]! },
        { key: 'dev-2', evidence: { ...incident().evidence[0]!, value: 40 } },
      ],
      lastStart: T0 + 30_000,
    },
  });

  test('a group incident: its own alert name and metric label, the count, the worst, and the panel link', () => {
    const alert = toAlertmanager(group, {
      now: T0,
      resendMs: 60_000,
      baseUrl: 'http://h',
      link: (i) => `http://grafana/d/iot?metric=${i.members?.metric}`,
    });
    expect(alert.labels).toEqual({
      alertname: 'SluiceAnomalyGroup',
      source: 'agg.iot.device-1m',
      key: '*',
      severity: 'warning',
      incident_id: 'inc-group',
      kind: 'anomaly',
      component: 'anomaly',
      metric: 'temperature_max',
    });
    expect(alert.annotations).toMatchObject({
      summary:
        'agg.iot.device-1m: 1250 (1200 still open) series with temperature_max anomalous together since 2025-01-06T10:00:00Z; worst: dev-1 48 (expected ≤ 35: 13 above, +37%), dev-2 40 (expected ≤ 35: 5 above, +14%), and 1248 more',
      count: '1250',
      open: '1200',
      worst: 'dev-1,dev-2',
      dashboard_url: 'http://grafana/d/iot?metric=temperature_max',
    });
    expect(JSON.parse(alert.annotations.evidence!).map((e: { key: string }) => e.key)).toEqual(['dev-1', 'dev-2']);
  });

  test('a resolved alert ends at its resolution and says how it ended; the alerts record says it too', () => {
    const resolved = incident({
      resolvedAt: T0 + 180_000,
      resolution: 'back to normal for 3 points in a row: temperature_max 30',
    });
    const alert = toAlertmanager(resolved, { now: T0 + 200_000, resendMs: 60_000, baseUrl: 'http://h' });
    expect(alert.endsAt).toBe(new Date(T0 + 180_000).toISOString());
    expect(alert.annotations.resolution).toBe('back to normal for 3 points in a row: temperature_max 30');
    expect(alert.annotations.description).toMatch(
      /\nresolved: back to normal for 3 points in a row: temperature_max 30$/,
    );
    expect(alertRecord(resolved, 'resolved', T0 + 200_000).summary).toBe(
      'agg.iot.device-1m dev-7: temperature_max 48 (expected ≤ 35: 13 above, +37%) since 2025-01-06T10:00:00Z; and 1 more metric (temperature_avg). Resolved: back to normal for 3 points in a row: temperature_max 30',
    );
    // A firing one carries no resolution, and no link without a template.
    const firing = toAlertmanager(incident(), {
      now: T0,
      resendMs: 60_000,
      baseUrl: 'http://h',
      link: () => undefined,
    });
    expect(firing.annotations.resolution).toBeUndefined();
    expect(firing.annotations.dashboard_url).toBeUndefined();
  });

  test('the alerts record of a group: key *, the metric, the worst as evidence', () => {
    expect(alertRecord(group, 'firing', T0)).toMatchObject({
      key: '*',
      key_fields: {},
      metrics: ['temperature_max'],
      value: 48,
      expected_high: 35,
      score: 1,
    });
  });

  test('how far from normal: in units of the range when both ends are known, else relative to the end crossed', () => {
    expect(distanceText({ value: 30, expected: { low: 10, high: 20 }, cause: 'point' })).toBe(
      '10 above, 1.0× its width',
    );
    expect(distanceText({ value: 0, expected: { low: 0.0005, high: null }, cause: 'point' })).toBe(
      '0.0005 below, −100%',
    );
    expect(distanceText({ value: 15, expected: { low: 10, high: 20 }, cause: 'point' })).toBe('');
    expect(distanceText({ value: null, expected: null, cause: 'absence' })).toBe('');
  });
});

describe('delivery to a local Alertmanager', () => {
  const am = new FakeAlertmanager();
  let url = '';
  beforeAll(async () => {
    url = await am.start();
  });
  afterAll(() => am.stop());
  beforeEach(() => {
    am.posts.length = 0;
    am.status = 200;
  });

  test('POSTs the alerts as JSON to /api/v2/alerts; a refusal is SLUICE_HTTP_ERROR with method, path, status and body', async () => {
    const client = new AlertmanagerClient({ url: `${url}/` });
    await client.post([toAlertmanager(incident(), { now: T0, resendMs: 60_000, baseUrl: 'http://h' })]);
    expect(am.posts).toHaveLength(1);
    expect(am.posts[0]![0]!.labels.incident_id).toBe('inc-0123456789abcdef');
    am.status = 500;
    const error = await client
      .post([toAlertmanager(incident(), { now: T0, resendMs: 60_000, baseUrl: 'http://h' })])
      .catch((e: unknown) => e);
    expect(isSluiceError(error, 'SLUICE_HTTP_ERROR')).toBe(true);
    expect((error as { details: unknown }).details).toEqual({
      method: 'POST',
      path: '/api/v2/alerts',
      status: 500,
      body: '{"code":500,"message":"down for maintenance"}',
    });
    expect((error as { retriable: boolean }).retriable).toBe(true);
  });

  test('fired and resolved incidents are delivered; a resolution Alertmanager refused is retried on the next re-send, once', async () => {
    let now = T0 + 20_000;
    const metrics = new AnomalyMetrics();
    const delivery = new Delivery({
      alertmanager: new AlertmanagerClient({ url }),
      resendMs: 60_000,
      baseUrl: () => 'http://h',
      metrics,
      log,
      clock: () => now,
    });
    const open = incident();
    await delivery.deliver([{ type: 'fired', incident: open }]);
    expect(am.posts.map((p) => p.map((a) => a.endsAt))).toEqual([[new Date(now + 240_000).toISOString()]]);

    now += 60_000;
    await delivery.resend([open]);
    expect(am.posts).toHaveLength(2);
    expect(am.posts[1]![0]!.endsAt).toBe(new Date(now + 240_000).toISOString());

    am.status = 503;
    const done = { ...open, resolvedAt: now };
    await delivery.deliver([{ type: 'resolved', incident: done }]);
    expect(
      (await metrics.registry.getSingleMetric('sluice_anomaly_delivery_failures_total')!.get()).values.find(
        (v) => v.labels.target === 'alertmanager',
      )?.value,
    ).toBe(1);

    am.status = 200;
    now += 60_000;
    await delivery.resend([]);
    expect(am.posts).toHaveLength(3);
    expect(am.posts[2]!.map((a) => [a.labels.incident_id, a.endsAt])).toEqual([
      ['inc-0123456789abcdef', new Date(done.resolvedAt).toISOString()],
    ]);
    now += 60_000;
    await delivery.resend([]);
    expect(am.posts).toHaveLength(3); // taken: not sent again (an empty list is not posted)
  });

  test('annotations are written for fired and resolved incidents, not for updates; a failed one is retried', async () => {
    const written: string[] = [];
    let fail = true;
    const annotations = {
      target: 'fake',
      write: async (i: Incident, status: string) => {
        if (fail) throw new Error('influx down');
        written.push(`${status} ${i.id}`);
      },
      close: async () => undefined,
    };
    const delivery = new Delivery({
      annotations,
      resendMs: 60_000,
      baseUrl: () => 'http://h',
      metrics: new AnomalyMetrics(),
      log,
    });
    await delivery.deliver([
      { type: 'fired', incident: incident() },
      { type: 'updated', incident: incident() },
    ]);
    expect(written).toEqual([]);
    fail = false;
    await delivery.resend([]);
    await delivery.deliver([{ type: 'resolved', incident: incident({ resolvedAt: T0 + 1 }) }]);
    expect(written).toEqual(['firing inc-0123456789abcdef', 'resolved inc-0123456789abcdef']);
  });
});
