/**
 * Platform monitoring under a fault: Prometheus scrapes every broker's JMX exporter; when a broker is
 * killed with -9, the platform's SluiceBrokerDown rule fires and Alertmanager holds the alert, naming the
 * node; once the broker is back, the alert resolves.
 */
import { pidFileOf } from '../../../orchestrator/platform/component';
import {
  alertmanagerUrl,
  monitoringHeaders,
  prometheusUrl,
} from '../../../orchestrator/platform/components/monitoring';
import { up } from '../../../orchestrator/platform/platform';
import { unsuperviseComponents } from '../../../orchestrator/platform/supervisor/client';
import { readPid } from '../../../orchestrator/platform/processes';
import { forCondition, waitFor } from '../../../orchestrator/platform/wait';
import { testContext } from '../helpers';

const ctx = testContext();
const VICTIM = 'kafka-2';
let killed = false;

afterAll(async () => {
  if (killed) await up(ctx, [VICTIM]);
});

async function brokersUp(): Promise<Record<string, string>> {
  const response = await fetch(`${prometheusUrl(ctx)}/api/v1/query?query=${encodeURIComponent('up{job="kafka"}')}`, {
    headers: monitoringHeaders(ctx),
  });
  const body = (await response.json()) as {
    data: { result: Array<{ metric: { node: string }; value: [number, string] }> };
  };
  return Object.fromEntries(body.data.result.map((r) => [r.metric.node, r.value[1]]));
}

interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
  startsAt: string;
}

async function brokerDownAlerts(): Promise<AlertmanagerAlert[]> {
  const response = await fetch(
    `${alertmanagerUrl(ctx)}/api/v2/alerts?filter=${encodeURIComponent('alertname="SluiceBrokerDown"')}`,
    { headers: monitoringHeaders(ctx) },
  );
  return ((await response.json()) as AlertmanagerAlert[]).filter((a) => a.status.state === 'active');
}

test('a broker killed with -9 fires SluiceBrokerDown in Alertmanager, naming it; the alert resolves when it is back', async () => {
  // Every broker is scraped before the fault: the alert has a healthy baseline to change from.
  await waitFor(
    forCondition('Prometheus to scrape all three brokers', 120_000, async () => {
      const upNow = await brokersUp();
      return ['kafka-1', 'kafka-2', 'kafka-3'].every((node) => upNow[node] === '1');
    }),
    { intervalMs: 2000 },
  );
  expect(await brokerDownAlerts()).toEqual([]);

  // Kept down on purpose: the supervisor would bring it back within seconds, before the rule's 10 s.
  await unsuperviseComponents(ctx, [VICTIM]);
  const killedAt = Date.now();
  process.kill(readPid(pidFileOf(ctx, VICTIM))!, 'SIGKILL');
  killed = true;

  // Scrape (10 s) + rule `for` (10 s) + evaluation (10 s) + Alertmanager's group_wait (5 s), with room.
  await waitFor(
    forCondition(
      'Alertmanager to hold SluiceBrokerDown for kafka-2',
      120_000,
      async () => (await brokerDownAlerts()).length > 0,
    ),
    { intervalMs: 2000 },
  );
  const firedAfterMs = Date.now() - killedAt;
  const [alert] = await brokerDownAlerts();
  expect(alert!.labels).toMatchObject({
    alertname: 'SluiceBrokerDown',
    node: VICTIM,
    severity: 'critical',
    component: 'kafka',
  });
  expect(alert!.annotations.summary).toBe(`Kafka broker ${VICTIM} is down`);
  expect(firedAfterMs).toBeLessThan(120_000);

  await up(ctx, [VICTIM]);
  killed = false;
  await waitFor(
    forCondition(
      'the alert to resolve once kafka-2 is back',
      180_000,
      async () => (await brokerDownAlerts()).length === 0,
    ),
    { intervalMs: 2000 },
  );
});
