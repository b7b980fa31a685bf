/**
 * Control planes ask who you are (issue "Survive real conditions", item 4): Prometheus and Alertmanager
 * refuse every request without their Basic credentials, and Prometheus' lifecycle API is off even with
 * them. Each refusal has its positive control in the same test: the same request with the credentials
 * succeeds, so no case can pass because the server was down or the path was wrong.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { alertmanagerUrl, monitoringHeaders, prometheusUrl } from '../../orchestrator/platform/components/monitoring';
import { testContext } from './helpers';

const ctx = testContext();
const WRONG = { Authorization: `Basic ${Buffer.from('monitoring-admin:not-the-password').toString('base64')}` };

test('Prometheus: queries and the admin API need the credentials; /-/quit is refused even with them', async () => {
  const query = `${prometheusUrl(ctx)}/api/v1/query?query=up`;
  expect((await fetch(query)).status).toBe(401);
  expect((await fetch(query, { headers: WRONG })).status).toBe(401);
  expect((await fetch(query, { headers: monitoringHeaders(ctx) })).status).toBe(200); // positive control

  const quit = `${prometheusUrl(ctx)}/-/quit`;
  expect((await fetch(quit, { method: 'POST' })).status).toBe(401);
  // With the credentials the lifecycle API is still off (403 "Lifecycle API is not enabled").
  expect((await fetch(quit, { method: 'POST', headers: monitoringHeaders(ctx) })).status).toBe(403);
  expect((await fetch(`${prometheusUrl(ctx)}/-/ready`, { headers: monitoringHeaders(ctx) })).status).toBe(200);

  const snapshot = `${prometheusUrl(ctx)}/api/v1/admin/tsdb/snapshot`;
  expect((await fetch(snapshot, { method: 'POST' })).status).toBe(401);
  // The admin API is not enabled either: with the credentials it answers "admin APIs disabled" (500).
  const withAuth = await fetch(snapshot, { method: 'POST', headers: monitoringHeaders(ctx) });
  expect(withAuth.status).toBeGreaterThanOrEqual(400);
  expect(await withAuth.text()).toMatch(/admin APIs disabled/);
});

test('Alertmanager: a silence without credentials is refused; with them it is created (and expired again)', async () => {
  const now = new Date();
  const silence = {
    matchers: [{ name: 'alertname', value: 'ControlPlaneTest', isRegex: false, isEqual: true }],
    startsAt: now.toISOString(),
    endsAt: new Date(now.getTime() + 60_000).toISOString(),
    createdBy: 'control-planes.int.test',
    comment: 'a test silence',
  };
  const post = (headers: Record<string, string>) =>
    fetch(`${alertmanagerUrl(ctx)}/api/v2/silences`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(silence),
    });
  expect((await post({})).status).toBe(401);
  expect((await post(WRONG)).status).toBe(401);
  expect((await fetch(`${alertmanagerUrl(ctx)}/api/v2/alerts`)).status).toBe(401);
  const created = await post(monitoringHeaders(ctx)); // positive control
  expect(created.status).toBe(200);
  const { silenceID } = (await created.json()) as { silenceID: string };
  const expired = await fetch(`${alertmanagerUrl(ctx)}/api/v2/silence/${silenceID}`, {
    method: 'DELETE',
    headers: monitoringHeaders(ctx),
  });
  expect(expired.status).toBe(200);
});

test('every file holding a secret is readable by its owner only', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(ctx.paths.secrets);
  expect(files.length).toBeGreaterThan(5); // the store is there and holds the platform's secrets
  const open = files.filter((f) => (statSync(f).mode & 0o077) !== 0);
  expect(open).toEqual([]);
  for (const web of ['prometheus', 'alertmanager'])
    expect(statSync(join(ctx.paths.config, web, 'web.yml')).mode & 0o077).toBe(0);
});
