/**
 * Every query of the provisioned Grafana files — each dashboard panel, each annotation and each alert
 * rule — run against the real InfluxDB and Prometheus of the test platform while the demo pipeline flows,
 * and each returns data. Some data needs a moment the demo does not guarantee within minutes, so the test
 * makes it happen: API records whose windows close, a card-testing run, an error burst and a stuck sensor
 * (for the annotations), and a stopped ingestor (for the firing-alerts panel).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createKafka } from '../../lib/kafka/connection';
import { repoRoot } from '../../lib/repo';
import { RegistryClient } from '../../lib/registry/client';
import { encodeWire } from '../../lib/avro/wire';
import { topicSerializers } from '../../lib/avro/serializers';
import type { SchemaName } from '../../schemas';
import { parseFlinkJobName } from '../../orchestrator/clients/flink-types';
import { INFLUX_READER_SECRET, INFLUX_READER_USER, influxUrl } from '../../orchestrator/platform/components/influxdb';
import { prometheusUrl, monitoringHeaders } from '../../orchestrator/platform/components/monitoring';
import { flinkFetch, flinkRestUrl } from '../../orchestrator/platform/components/flink';
import { loadSpec } from '../../orchestrator/spec';
import { registryUrl } from '../../orchestrator/platform/components/registry';
import { down, up, workloads } from '../../orchestrator/platform/platform';
import { run } from '../../orchestrator/platform/processes';
import { adminConnection, testContext } from './helpers';

const ctx = testContext();
const GRAFANA = join(repoRoot(), 'grafana');
const MIN = 60_000;

interface Query {
  where: string;
  datasource: 'influxdb' | 'prometheus';
  text: string;
  range: string;
}

/** Every query Grafana would run, with the time range of the dashboard it belongs to. */
function provisionedQueries(): Query[] {
  const queries: Query[] = [];
  for (const file of readdirSync(join(GRAFANA, 'dashboards'))) {
    const d = JSON.parse(readFileSync(join(GRAFANA, 'dashboards', file), 'utf8')) as {
      title: string;
      time: { from: string };
      panels: Array<{
        title: string;
        type: string;
        targets?: Array<{ query?: string; expr?: string; datasource: { type: string } }>;
      }>;
      annotations?: { list?: Array<{ name: string; target?: { query: string } }> };
    };
    for (const panel of d.panels.filter((p) => p.type !== 'row')) {
      for (const t of panel.targets ?? []) {
        queries.push({
          where: `${d.title} / ${panel.title}`,
          datasource: t.datasource.type as Query['datasource'],
          text: (t.query ?? t.expr)!,
          range: d.time.from,
        });
      }
    }
    for (const a of d.annotations?.list ?? [])
      if (a.target)
        queries.push({
          where: `${d.title} / annotations ${a.name}`,
          datasource: 'influxdb',
          text: a.target.query,
          range: d.time.from,
        });
  }
  const rules = parse(readFileSync(join(GRAFANA, 'provisioning', 'alerting', 'rules.yaml'), 'utf8')) as {
    groups: Array<{
      rules: Array<{
        title: string;
        data: Array<{ datasourceUid: string; relativeTimeRange?: { from: number }; model: { query?: string } }>;
      }>;
    }>;
  };
  for (const rule of rules.groups.flatMap((g) => g.rules)) {
    const a = rule.data[0]!;
    // Grafana reads `$$` in a provisioning file as a literal `$`.
    queries.push({
      where: `alert rule ${rule.title}`,
      datasource: 'influxdb',
      text: a.model.query!.replace(/\$\$/g, '$'),
      range: `now-${a.relativeTimeRange!.from}s`,
    });
  }
  return queries;
}

/** `now-1h` → InfluxQL `time > now() - 1h`, as Grafana fills $timeFilter. */
const timeFilter = (range: string) => `time > now() - ${range.replace(/^now-/, '')}`;

async function influxHasData(q: Query): Promise<boolean> {
  const url = new URL(`${influxUrl(ctx)}/query`);
  url.searchParams.set('db', 'sluice');
  url.searchParams.set('q', q.text.replace(/\$timeFilter/g, timeFilter(q.range)).replace(/\$__interval/g, '1m'));
  const response = await fetch(url, {
    headers: {
      Authorization: `Basic ${Buffer.from(`${INFLUX_READER_USER}:${ctx.secrets.read(INFLUX_READER_SECRET)}`).toString('base64')}`,
    },
  });
  const body = (await response.json()) as { results?: Array<{ series?: unknown[]; error?: string }>; error?: string };
  const error = body.error ?? body.results?.[0]?.error;
  if (response.status !== 200 || error)
    throw new Error(`${q.where}: InfluxDB refused ${q.text}: ${error ?? response.status}`);
  return (body.results?.[0]?.series?.length ?? 0) > 0;
}

async function prometheusHasData(q: Query): Promise<boolean> {
  const response = await fetch(`${prometheusUrl(ctx)}/api/v1/query?query=${encodeURIComponent(q.text)}`, {
    headers: monitoringHeaders(ctx),
  });
  const body = (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== 'success') throw new Error(`${q.where}: Prometheus refused ${q.text}: ${body.error}`);
  return (body.data?.result.length ?? 0) > 0;
}

/** Hand-made records on the demo's own topics, as admin, in the schema the registry holds for each. */
async function produceInputs(): Promise<void> {
  const registry = new RegistryClient({ url: registryUrl(ctx) });
  const producer = createKafka(adminConnection(ctx), { retries: 5 }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const send = async (
    topic: string,
    schema: SchemaName,
    records: Array<{ key: string; value: Record<string, unknown> }>,
  ) => {
    const { schemaId, type } = (await topicSerializers(registry, [topic], { [topic]: schema })).get(topic)!;
    await producer.send({
      topic,
      acks: -1,
      messages: records.map((r) => ({
        key: r.key,
        timestamp: String(r.value.ts),
        value: encodeWire(schemaId, type, r.value),
      })),
    });
  };
  const now = Date.now();
  const hour = Math.floor(now / 3_600_000) * 3_600_000;
  // Public data: windows that close (air quality 2 h behind, traffic and quotes 1 min behind).
  const t0 = hour - 6 * 3_600_000;
  await send(
    'api.air-quality',
    'air-quality-measurement',
    [10, 40, 200].map((m, i) => ({
      key: 'grafana-s1',
      value: {
        source: 'openaq',
        ts: t0 + m * MIN,
        ingest_ts: now,
        sensor_id: 'grafana-s1',
        location_id: 'grafana-loc',
        location_name: 'Test station',
        locality: 'Testville',
        country: 'NL',
        provider: 'test',
        parameter: 'pm25',
        display_name: 'PM2.5',
        units: 'µg/m³',
        value: 10 + i,
        lat: 52,
        lon: 5,
      },
    })),
  );
  await send(
    'api.traffic-flow',
    'traffic-flow',
    [1, 5, 20].map((m) => ({
      key: 'grafana-seg',
      value: {
        source: 'tomtom',
        ts: t0 + m * MIN,
        ingest_ts: now,
        segment_id: 'grafana-seg',
        origin: null,
        destination: null,
        lat: 52,
        lon: 5,
        current_speed_kmh: 40,
        free_flow_speed_kmh: 80,
        current_travel_time_s: 120,
        free_flow_travel_time_s: 60,
        distance_m: 1000,
        confidence: 1,
        road_closure: false,
        road_class: 'FRC2',
      },
    })),
  );
  await send(
    'api.market-quotes',
    'market-quote',
    [5, 30, 70].map((m, i) => ({
      key: 'GRAFANA',
      value: {
        source: 'yahoo',
        ts: t0 + m * MIN,
        ingest_ts: now,
        symbol: 'GRAFANA',
        price: 100 + i,
        open: null,
        high: null,
        low: null,
        previous_close: null,
        change: null,
        change_pct: null,
        volume: null,
        trading_day: null,
        currency: 'USD',
        exchange: 'TEST',
      },
    })),
  );
  // Incidents for the annotations: card testing, an error burst, now.
  await send(
    'finance.transactions',
    'financial-transaction',
    [1, 2, 3, 900].map((amount, i) => ({
      key: 'acc-grafana',
      value: {
        event_id: randomUUID(),
        ts: now + i * 1000,
        account_id: 'acc-grafana',
        merchant_id: 'mrc-grafana',
        merchant_category: 'digital_services',
        amount,
        currency: 'EUR',
        channel: 'online',
        country: 'NL',
        city: 'Amsterdam',
        lat: 52.37,
        lon: 4.9,
      },
    })),
  );
  await send(
    'web.access-logs',
    'web-access-log',
    [0, 1, 2, 3, 4].map((i) => ({
      key: '81.0.0.1',
      value: {
        event_id: randomUUID(),
        ts: now + i * 1000,
        client_ip: '81.0.0.1',
        user: null,
        method: 'GET',
        path: '/grafana-test',
        status: 503,
        bytes: 0,
        referrer: null,
        user_agent: 'test',
        response_time_ms: 5,
        is_bot: false,
      },
    })),
  );
  await producer.disconnect();
}

/** A stuck sensor: six identical readings in one minute (the stuck-sensor rule of pipeline.yaml). */
async function stickASensor(): Promise<void> {
  const registry = new RegistryClient({ url: registryUrl(ctx) });
  const { schemaId, type } = (
    await topicSerializers(registry, ['iot.readings'], { 'iot.readings': 'iot-reading' })
  ).get('iot.readings')!;
  const producer = createKafka(adminConnection(ctx), { retries: 5 }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const start = Math.ceil(Date.now() / MIN) * MIN;
  for (let k = 0; k < 6; k++) {
    const ts = start + 2000 + k * 10_000;
    await new Promise((r) => setTimeout(r, Math.max(0, ts - Date.now())));
    await producer.send({
      topic: 'iot.readings',
      acks: -1,
      messages: [
        {
          key: 'grafana-stuck',
          timestamp: String(ts),
          value: encodeWire(schemaId, type, {
            event_id: randomUUID(),
            ts,
            device_id: 'grafana-stuck',
            site_id: 'site-grafana',
            temperature_c: 20,
            humidity_pct: 40,
            pressure_hpa: 1013,
            battery_pct: 90,
          }),
        },
      ],
    });
  }
  await producer.disconnect();
}

beforeAll(async () => {
  // The demo pipeline and its workloads (simulators, ingestors, anomaly service); idempotent.
  const started = await run('node', [join(repoRoot(), 'bin', 'sluice.js'), 'up'], {
    cwd: repoRoot(),
    env: process.env,
    timeoutMs: 900_000,
  });
  if (started.code !== 0) throw new Error(`sluice up failed: ${started.stderr.slice(-2000)}`);
}, 1_000_000);

afterAll(async () => {
  // The suites after this one need the CPU more than the demo: its workloads stop, and its Flink jobs
  // (13 of them, checkpointing every 10 s) are cancelled; the suites' own jobs run on their own topics.
  await down(
    ctx,
    workloads.map((w) => w.name),
  );
  const demoJobs = new Set(loadSpec(join(repoRoot(), 'pipeline.yaml')).sqlJobs.map((j) => j.name));
  const overview = (await (await flinkFetch(ctx, `${flinkRestUrl(ctx)}/jobs/overview`)).json()) as {
    jobs: Array<{ jid: string; name: string; state: string }>;
  };
  for (const job of overview.jobs.filter(
    (j) => j.state === 'RUNNING' && demoJobs.has(parseFlinkJobName(j.name)?.name ?? ''),
  )) {
    await flinkFetch(ctx, `${flinkRestUrl(ctx)}/jobs/${job.jid}?mode=cancel`, { method: 'PATCH' });
  }
}, 120_000);

test('every panel, annotation and alert rule query returns data from the real InfluxDB and Prometheus', async () => {
  const queries = provisionedQueries();
  expect(queries.length).toBeGreaterThan(30);
  await produceInputs();
  // A platform alert for the firing-alerts panels: SluiceServiceDown fires after 30 s without an
  // ingestor. Not a simulator: its topic's event time would stop, and with it the windows and patterns
  // the other queries wait for (the card-testing run above closes on the finance simulator's next events).
  await down(ctx, ['ingest-yahoo']);
  await stickASensor();

  const pending = new Map(queries.map((q) => [`${q.where}: ${q.text}`, q]));
  const deadline = Date.now() + 8 * MIN;
  while (pending.size > 0 && Date.now() < deadline) {
    for (const [id, q] of pending) {
      if (await (q.datasource === 'influxdb' ? influxHasData(q) : prometheusHasData(q))) pending.delete(id);
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 5000));
  }
  await up(ctx, ['ingest-yahoo']);
  expect([...pending.keys()]).toEqual([]);
}, 900_000);
