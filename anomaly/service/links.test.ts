import type { AnomalySpec } from '../../lib/spec';
import { serviceConfig } from './config';
import type { Incident } from './incidents';
import { fillLink, linkOf } from './links';

const T0 = Date.UTC(2025, 0, 6, 10, 0);
const HOUR = 3_600_000;

const incident: Incident = {
  id: 'inc-1',
  kind: 'anomaly',
  source: 'agg.iot.device-1m',
  key: 'dev 7/b',
  keyFields: { device_id: 'dev 7/b' },
  severity: 'warning',
  startedAt: T0,
  firedAt: T0,
  evidence: [
    {
      metric: 'temperature_avg',
      value: 40,
      expected: null,
      score: 1,
      reasons: [],
      ts: T0,
      cause: 'point',
      severity: 'warning',
      normal: 0,
    },
  ],
};

test('a link template is filled with the incident: Grafana, topic, metric, key fields (URL-encoded), and a time range', () => {
  const template =
    '{grafana}/d/sluice-iot/?var-device={device_id}&var-metric={metric}&t={topic}&from={from}&to={to}&x={nope}';
  expect(fillLink(template, incident, 'http://127.0.0.1:29150/', ['device_id'])).toBe(
    `http://127.0.0.1:29150/d/sluice-iot/?var-device=dev%207%2Fb&var-metric=temperature_avg&t=agg.iot.device-1m&from=${T0 - HOUR}&to=now&x={nope}`,
  );
  expect(fillLink('{grafana}/d/x?to={to}', { ...incident, resolvedAt: T0 + HOUR }, 'http://g', [])).toBe(
    `http://g/d/x?to=${T0 + HOUR + HOUR / 4}`,
  );
  // Without a template, or without Grafana's address for {grafana}: no link.
  expect(fillLink(undefined, incident, 'http://g')).toBeUndefined();
  expect(fillLink('{grafana}/d/x', incident, undefined)).toBeUndefined();
  // A group has no key: its key fields are empty, the link shows the whole source.
  const group: Incident = {
    ...incident,
    key: '*',
    keyFields: {},
    members: { metric: 'temperature_avg', open: 3, total: 3, worst: [], lastStart: T0 },
  };
  expect(fillLink('{grafana}/d/x?var-device={device_id}&k={key}', group, 'http://g', ['device_id'])).toBe(
    'http://g/d/x?var-device=&k=',
  );
});

test("the template is the metric's, else the series', else the section's", () => {
  const spec = {
    principal: 'p',
    group: 'g',
    alertsTopic: 'alerts',
    stateTopic: 'state',
    startFrom: 'latest',
    resendSeconds: 60,
    tickSeconds: 10,
    grafanaUrl: 'section',
    series: [
      {
        topic: 'agg.iot.device-1m',
        key: ['device_id'],
        time: 'window_end',
        resolveAfter: 3,
        severity: 'warning',
        grafanaUrl: 'series',
        metrics: [
          { field: 'temperature_avg', rules: [], grafanaUrl: 'metric' },
          { field: 'readings', rules: [] },
        ],
      },
      {
        topic: 'agg.web.path-1m',
        key: ['path'],
        time: 'window_end',
        resolveAfter: 3,
        severity: 'warning',
        metrics: [{ field: 'requests', rules: [] }],
      },
    ],
    patterns: [],
  } as unknown as AnomalySpec;
  const config = serviceConfig(spec);
  const of = (source: string, metric: string) =>
    linkOf(config, { ...incident, source, evidence: [{ ...incident.evidence[0]!, metric }] }, 'http://g');
  expect(of('agg.iot.device-1m', 'temperature_avg')).toBe('metric');
  expect(of('agg.iot.device-1m', 'readings')).toBe('series');
  expect(of('agg.web.path-1m', 'requests')).toBe('section');
});
