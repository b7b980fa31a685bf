/**
 * `npm run bench -- e2e`: end-to-end alert latency on the running demo pipeline. While the demo's
 * simulators keep their sustained rate (web 10, IoT 5, finance 5 events/s), the benchmark makes one
 * device's sensor stick for a minute (six identical readings: the stuck-sensor rule of pipeline.yaml,
 * temperature_stddev below 0.0005), once per minute, and measures, for each such window, the time from
 * the event that closes it to the alert in Alertmanager (and in the alerts topic).
 *
 * The closing event: a one-minute window closes when the watermark passes its end, i.e. when the first
 * reading stamped 5 s (the lateness bound) after the window's end arrives; readings are stamped with the
 * time they are sent, so that event arrives at window end + 5 s. Latency = alert seen − (window end + 5 s).
 * What it contains: Flink firing the window and committing its transaction at the next checkpoint (every
 * 10 s), the anomaly service reading it (read_committed), deciding and committing, and its POST to
 * Alertmanager.
 */
import { randomUUID } from 'node:crypto';
import { createKafka } from '../lib/kafka/connection';
import { SluiceError } from '../lib/errors';
import { RegistryClient } from '../lib/registry/client';
import { encodeWire } from '../lib/avro/wire';
import { topicSerializers } from '../lib/avro/serializers';
import type { PlatformContext } from '../orchestrator/platform/component';
import { kafkaConnection } from '../orchestrator/platform/components/kafka';
import { alertmanagerUrl, monitoringHeaders } from '../orchestrator/platform/components/monitoring';
import { registryUrl } from '../orchestrator/platform/components/registry';
import { DEMO_RATES } from '../orchestrator/platform/components/simulators';
import { status } from '../orchestrator/platform/platform';

const MINUTE = 60_000;
const LATENESS_MS = 5_000;
const READINGS_TOPIC = 'iot.readings';
const WINDOWS_TOPIC = 'agg.iot.device-1m';

export interface E2eOptions {
  incidents: number;
}

export interface E2eResult {
  incidents: Array<{ device: string; windowEnd: number; alertmanagerMs: number }>;
  p50Ms: number;
  p99Ms: number;
  inputRate: number;
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

/** Nearest-rank percentile of a sorted list. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

async function requireDemoRunning(ctx: PlatformContext): Promise<void> {
  const rows = await status(ctx);
  const needed = ['sim-web', 'sim-iot', 'sim-finance', 'anomaly', 'flink-taskmanager', 'alertmanager'];
  const down = needed.filter((name) => rows.find((r) => r.component === name)?.health !== 'healthy');
  if (down.length) {
    throw new SluiceError(
      'SLUICE_PLATFORM_NOT_RUNNING',
      `the e2e benchmark needs the demo pipeline flowing; not healthy: ${down.join(', ')}`,
      { fix: 'start it with npm start, then run the benchmark again' },
    );
  }
}

async function alertSeen(ctx: PlatformContext, device: string): Promise<boolean> {
  const filter = [`alertname="SluiceAnomaly"`, `source="${WINDOWS_TOPIC}"`, `key="${device}"`]
    .map((f) => `filter=${encodeURIComponent(f)}`)
    .join('&');
  const response = await fetch(`${alertmanagerUrl(ctx)}/api/v2/alerts?${filter}`, {
    headers: monitoringHeaders(ctx),
  }).catch(() => undefined);
  if (response?.status !== 200) return false;
  return ((await response.json()) as unknown[]).length > 0;
}

export async function benchE2e(ctx: PlatformContext, options: E2eOptions): Promise<E2eResult> {
  await requireDemoRunning(ctx);
  const password = ctx.secrets.read('users/sim-iot');
  if (!password)
    throw new SluiceError('SLUICE_PLATFORM_NOT_RUNNING', 'sim-iot has no credentials yet', {
      fix: 'npm start (it applies the demo pipeline)',
    });
  const registry = new RegistryClient({ url: registryUrl(ctx) });
  const { schemaId, type } = (
    await topicSerializers(registry, [READINGS_TOPIC], { [READINGS_TOPIC]: 'iot-reading' })
  ).get(READINGS_TOPIC)!;
  const producer = createKafka(kafkaConnection(ctx, 'sim-iot', password, 'bench-e2e'), { retries: 5 }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const run = randomUUID().slice(0, 8);
  const incidents: E2eResult['incidents'] = [];
  try {
    for (let i = 0; i < options.incidents; i++) {
      const device = `bench-${run}-${i}`;
      // The next full minute: six identical readings in it, 10 s apart, stamped as they are sent.
      const windowStart = Math.ceil((Date.now() + 1000) / MINUTE) * MINUTE;
      const windowEnd = windowStart + MINUTE;
      for (let k = 0; k < 6; k++) {
        const ts = windowStart + 2_000 + k * 10_000;
        await sleepUntil(ts);
        await producer.send({
          topic: READINGS_TOPIC,
          acks: -1,
          messages: [
            {
              key: device,
              timestamp: String(ts),
              value: encodeWire(schemaId, type, {
                event_id: randomUUID(),
                ts,
                device_id: device,
                site_id: 'site-bench',
                temperature_c: 21.5,
                humidity_pct: 40,
                pressure_hpa: 1013,
                battery_pct: 80,
              }),
            },
          ],
        });
      }
      const closes = windowEnd + LATENESS_MS;
      const deadline = closes + 3 * MINUTE;
      while (!(await alertSeen(ctx, device))) {
        if (Date.now() > deadline)
          throw new Error(
            `no alert for ${device} (window ending ${new Date(windowEnd).toISOString()}) within 3 minutes of its close`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
      incidents.push({ device, windowEnd, alertmanagerMs: Date.now() - closes });
    }
  } finally {
    await producer.disconnect();
  }
  const sorted = incidents.map((x) => x.alertmanagerMs).sort((a, b) => a - b);
  const inputRate = Object.values(DEMO_RATES).reduce((a, b) => a + b, 0);
  return { incidents, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), inputRate };
}

export function renderE2e(result: E2eResult): string {
  const lines = result.incidents.map(
    (x) =>
      `  ${x.device}  window ending ${new Date(x.windowEnd).toISOString()}  alert in Alertmanager after ${(x.alertmanagerMs / 1000).toFixed(1)} s`,
  );
  return [
    `End-to-end alert latency, ${result.incidents.length} incidents, sustained input ${result.inputRate} events/s (the demo simulators: ${Object.entries(
      DEMO_RATES,
    )
      .map(([s, r]) => `${s} ${r}`)
      .join(', ')}):`,
    ...lines,
    `p50 ${(result.p50Ms / 1000).toFixed(1)} s   p99 ${(result.p99Ms / 1000).toFixed(1)} s   (from the event that closes the window, at its end + 5 s)`,
  ].join('\n');
}
