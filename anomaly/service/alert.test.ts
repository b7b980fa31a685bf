import { decodeWireHeader, encodeWire, parseSchema } from '../../lib/avro/wire';
import { readSchema } from '../../schemas';
import { createLogger } from '../../lib/log';
import { alertLine, alertRecord } from './alert';
import { annotationPoint, annotationsFromEnv, influxSettingsFromEnv } from './annotations';
import type { WatchedSeries } from './config';
import { fieldIssues } from './decode';
import type { Incident } from './incidents';
import { AnomalyMetrics, MetricsServer } from './metrics';

const T0 = Date.UTC(2025, 0, 6, 10, 0);

const incident: Incident = {
  id: 'inc-00000000000000aa',
  kind: 'anomaly',
  source: 'agg.iot.device-1m',
  key: 'dev-7',
  keyFields: { device_id: 'dev-7' },
  severity: 'warning',
  startedAt: T0,
  firedAt: T0 + 16_000,
  evidence: [
    {
      metric: 'temperature_avg',
      value: 40,
      expected: { low: 19.5, high: 23.25 },
      score: 0.93,
      reasons: ['robust-z: 40.1σ above 21.3'],
      ts: T0,
      cause: 'point',
      severity: 'warning',
      normal: 0,
    },
    {
      metric: 'readings',
      value: null,
      expected: null,
      score: 1,
      reasons: ['absence: no point for 160s (limit 150s)'],
      ts: T0,
      cause: 'absence',
      severity: 'warning',
      normal: 0,
    },
  ],
};

describe('alerts records', () => {
  const type = parseSchema(readSchema('alert'));

  test('match schemas/alert.avsc, firing and resolved', () => {
    const firing = alertRecord(incident, 'firing', T0 + 17_000);
    expect(firing).toEqual({
      incident_id: 'inc-00000000000000aa',
      status: 'firing',
      kind: 'anomaly',
      source: 'agg.iot.device-1m',
      key: 'dev-7',
      key_fields: { device_id: 'dev-7' },
      metrics: ['temperature_avg', 'readings'],
      severity: 'warning',
      value: 40,
      expected_low: 19.5,
      expected_high: 23.25,
      score: 0.93,
      summary:
        'agg.iot.device-1m dev-7: temperature_avg 40 (expected 19.5 – 23.25: 16.75 above, 4.5× its width) since 2025-01-06T10:00:00Z; and 1 more metric (readings)',
      evidence: expect.any(String),
      started_ts: T0,
      fired_ts: T0 + 16_000,
      resolved_ts: null,
      emitted_ts: T0 + 17_000,
    });
    const wire = encodeWire(7, type, firing);
    expect(decodeWireHeader(wire).schemaId).toBe(7);
    expect(type.fromBuffer(decodeWireHeader(wire).body)).toEqual(firing);
    const resolved = alertRecord({ ...incident, resolvedAt: T0 + 180_000 }, 'resolved', T0 + 200_000);
    expect(resolved.resolved_ts).toBe(T0 + 180_000);
    expect(() => encodeWire(7, type, resolved)).not.toThrow();
  });

  test('read as one line each by sluice alerts', () => {
    expect(alertLine(alertRecord(incident, 'firing', T0))).toBe(
      '2025-01-06T10:00:00Z FIRING   warning  agg.iot.device-1m dev-7 [temperature_avg,readings] value 40 expected 19.5 – 23.25 score 0.93 inc-00000000000000aa  agg.iot.device-1m dev-7: temperature_avg 40 (expected 19.5 – 23.25: 16.75 above, 4.5× its width) since 2025-01-06T10:00:00Z; and 1 more metric (readings)',
    );
    expect(alertLine(alertRecord({ ...incident, resolvedAt: T0 + 180_000 }, 'resolved', T0 + 190_000))).toMatch(
      /^2025-01-06T10:03:00Z RESOLVED warning {2}agg\.iot\.device-1m dev-7/,
    );
  });
});

describe('InfluxDB annotations', () => {
  test('one point in measurement annotations, tagged, at the start (firing) or the end (resolved)', () => {
    expect(annotationPoint(incident, 'firing').toLineProtocol()).toBe(
      `annotations,incident_id=inc-00000000000000aa,key=dev-7,kind=anomaly,severity=warning,source=agg.iot.device-1m,status=firing metrics="temperature_avg,readings",text="agg.iot.device-1m dev-7: temperature_avg 40 (expected 19.5 – 23.25: 16.75 above, 4.5× its width) since 2025-01-06T10:00:00Z; and 1 more metric (readings)",title="Incident: agg.iot.device-1m dev-7" ${T0}000000`, // ns here; the writer sends ms
    );
    expect(annotationPoint({ ...incident, resolvedAt: T0 + 5 }, 'resolved').toLineProtocol()).toMatch(
      new RegExp(`status=resolved .* ${T0 + 5}000000$`),
    );
  });

  test('configured by SLUICE_INFLUX_*; without SLUICE_INFLUX_URL skipped with one log line', () => {
    expect(influxSettingsFromEnv({})).toBeUndefined();
    expect(influxSettingsFromEnv({ SLUICE_INFLUX_URL: 'http://127.0.0.1:29170', SLUICE_INFLUX_TOKEN: 'u:p' })).toEqual({
      url: 'http://127.0.0.1:29170',
      token: 'u:p',
      org: '-',
      bucket: 'sluice',
    });
    // What `sluice platform env` prints: a user, its password, the database.
    expect(
      influxSettingsFromEnv({
        SLUICE_INFLUX_URL: 'http://h:1',
        SLUICE_INFLUX_USER: 'admin',
        SLUICE_INFLUX_PASSWORD: 'pw',
        SLUICE_INFLUX_DATABASE: 'metrics',
      }),
    ).toEqual({ url: 'http://h:1', token: 'admin:pw', org: '-', bucket: 'metrics' });
    const lines: string[] = [];
    expect(annotationsFromEnv({}, createLogger({ format: 'text', write: (l) => lines.push(l) }))).toBeUndefined();
    expect(lines).toEqual([
      'anomaly: InfluxDB is not configured (SLUICE_INFLUX_URL is not set): incidents are not written as annotations',
    ]);
  });
});

describe('fieldIssues', () => {
  const series: WatchedSeries = {
    kind: 'series',
    topic: 'agg.iot.device-1m',
    key: ['device_id'],
    time: 'window_end',
    resolveAfter: 3,
    path: 'anomaly.series[0]',
    metrics: [
      { field: 'temperature_av', detector: { kind: 'ensemble' }, severity: 'warning', absence: false, minCount: 1 },
      { field: 'site_id', detector: { kind: 'ensemble' }, severity: 'warning', absence: false, minCount: 1 },
      { field: 'readings', detector: { kind: 'ensemble' }, severity: 'warning', absence: false, minCount: 1 },
    ],
  };
  // The schema Flink registers for agg_iot_device_1m (nullable columns as unions with null).
  const flink = {
    type: 'record',
    name: 'record',
    namespace: 'org.apache.flink.avro.generated',
    fields: [
      { name: 'window_start', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'window_end', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'device_id', type: 'string' },
      { name: 'site_id', type: 'string' },
      { name: 'readings', type: 'long' },
      { name: 'temperature_avg', type: ['null', 'double'], default: null },
    ],
  };

  test('names each field the topic lacks or that is not a number, with the spec path and a fix', () => {
    expect(fieldIssues(series, flink)).toEqual([
      {
        path: 'anomaly.series[0].metrics[0].field',
        message: "agg.iot.device-1m has no field 'temperature_av'",
        fix: "did you mean 'temperature_avg'?",
      },
      {
        path: 'anomaly.series[0].metrics[1].field',
        message: "agg.iot.device-1m field 'site_id' is string, not a number",
        fix: 'watch a numeric field: window_start, window_end, readings, temperature_avg',
      },
    ]);
    expect(fieldIssues({ ...series, metrics: [], countField: 'reading' }, flink)).toEqual([
      {
        path: 'anomaly.series[0].countField',
        message: "agg.iot.device-1m has no field 'reading'",
        fix: "did you mean 'readings'?",
      },
    ]);
    expect(fieldIssues({ ...series, time: 'device_id', metrics: [] }, flink)).toEqual([
      {
        path: 'anomaly.series[0].time',
        message: "agg.iot.device-1m field 'device_id' is string, not a timestamp (long, timestamp-millis)",
        fix: 'name a TIMESTAMP(3) column, e.g. window_end',
      },
    ]);
  });
});

describe("the service's HTTP server", () => {
  test('/metrics, /ready (503 until restored), /incidents and /incidents/<id>', async () => {
    let ready = false;
    const metrics = new AnomalyMetrics();
    const server = new MetricsServer(metrics, { ready: () => ready, incidents: () => [incident] });
    const port = await server.listen(0);
    try {
      const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
      expect((await get('/ready')).status).toBe(503);
      ready = true;
      expect((await get('/ready')).status).toBe(200);
      const text = await (await get('/metrics')).text();
      for (const name of [
        'sluice_anomaly_records_total',
        'sluice_anomaly_series_tracked',
        'sluice_anomaly_incidents_open',
        'sluice_anomaly_alerts_fired_total',
        'sluice_anomaly_alerts_resolved_total',
        'sluice_anomaly_delivery_failures_total',
        'sluice_consumer_lag',
      ]) {
        expect(text).toContain(`# TYPE ${name}`);
      }
      expect(((await (await get('/incidents')).json()) as Incident[]).map((i) => i.id)).toEqual([
        'inc-00000000000000aa',
      ]);
      expect((await get('/incidents/inc-00000000000000aa')).status).toBe(200);
      expect((await get('/incidents/inc-nope')).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
