/**
 * The provisioned Grafana files: the committed JSON and rules are what the TypeScript definitions build
 * (run `npm run grafana` after a change), every dashboard holds to Grafana's dashboard model as Sluice
 * uses it, and every datasource and variable a panel or provisioning file names is provisioned and set.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DATA_ALERT_RULES } from './alert-rules';
import { ALERT_RULES_FILE, DASHBOARD_DIR, alertRulesYaml, dashboardJson } from './build';
import { ALERTMANAGER, INFLUX, PROMETHEUS } from './datasources';
import { DASHBOARDS } from './index';
import { GRAFANA_ENV_VARS } from './environment';

const PROVISIONING = join(__dirname, '..', 'provisioning');

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Array<Record<string, unknown>>;
}

describe('grafana/dashboards', () => {
  test('the committed JSON is what the definitions build (npm run grafana)', () => {
    expect(readdirSync(DASHBOARD_DIR).sort()).toEqual(DASHBOARDS.map((d) => `${d.uid}.json`).sort());
    for (const d of DASHBOARDS)
      expect(readFileSync(join(DASHBOARD_DIR, `${d.uid}.json`), 'utf8')).toBe(dashboardJson(d.uid));
    expect(readFileSync(ALERT_RULES_FILE, 'utf8')).toBe(alertRulesYaml());
  });

  test.each(DASHBOARDS.map((d) => [d.uid]))('%s follows the dashboard model', (uid) => {
    const dashboard = JSON.parse(dashboardJson(uid)) as {
      uid: string;
      title: string;
      schemaVersion: number;
      time: { from: string; to: string };
      panels: Panel[];
      templating: unknown;
      annotations: { list: unknown[] };
    };
    expect(dashboard).toMatchObject({
      uid,
      title: expect.stringMatching(/^Sluice \//),
      schemaVersion: expect.any(Number),
      time: { to: 'now' },
    });
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const known = new Set([INFLUX.uid, PROMETHEUS.uid, ALERTMANAGER.uid]);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(['timeseries', 'stat', 'table']).toContain(panel.type);
      expect(known.has(panel.datasource!.uid)).toBe(true);
      expect(panel.targets!.length).toBeGreaterThan(0);
      const refIds = panel.targets!.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const target of panel.targets!) {
        expect((target.datasource as { uid: string }).uid).toBe(panel.datasource!.uid);
        expect(String(target.query ?? target.expr ?? '')).not.toBe('');
      }
    }
  });

  test('no two panels of a dashboard overlap', () => {
    for (const d of DASHBOARDS) {
      const panels = (JSON.parse(dashboardJson(d.uid)) as { panels: Panel[] }).panels;
      for (const [i, a] of panels.entries()) {
        for (const b of panels.slice(i + 1)) {
          const overlap =
            a.gridPos.x < b.gridPos.x + b.gridPos.w &&
            b.gridPos.x < a.gridPos.x + a.gridPos.w &&
            a.gridPos.y < b.gridPos.y + b.gridPos.h &&
            b.gridPos.y < a.gridPos.y + a.gridPos.h;
          expect([d.uid, a.title, b.title, overlap]).toEqual([d.uid, a.title, b.title, false]);
        }
      }
    }
  });
});

describe('grafana/provisioning', () => {
  const yaml = (file: string) => parse(readFileSync(join(PROVISIONING, file), 'utf8')) as Record<string, unknown>;

  test('datasources are provisioned with the uids the dashboards name', () => {
    const datasources = (yaml('datasources/sluice.yaml').datasources as Array<{ uid: string; type: string }>).map(
      (d) => [d.uid, d.type],
    );
    expect(datasources).toEqual([
      [INFLUX.uid, INFLUX.type],
      [PROMETHEUS.uid, PROMETHEUS.type],
      [ALERTMANAGER.uid, ALERTMANAGER.type],
    ]);
  });

  test('alert rules query a provisioned datasource and notify the platform Alertmanager', () => {
    const groups = yaml('alerting/rules.yaml').groups as Array<{
      rules: Array<{ uid: string; data: Array<{ datasourceUid: string }> }>;
    }>;
    expect(groups[0]!.rules.map((r) => r.uid)).toEqual(DATA_ALERT_RULES.map((r) => r.uid));
    for (const rule of groups[0]!.rules)
      expect(rule.data.map((d) => d.datasourceUid)).toEqual([INFLUX.uid, '__expr__', '__expr__']);
    const contact = yaml('alerting/contact-points.yaml') as {
      contactPoints: Array<{ receivers: Array<{ type: string; settings: { url: string } }> }>;
    };
    expect(contact.contactPoints[0]!.receivers[0]).toMatchObject({
      type: 'prometheus-alertmanager',
      settings: { url: '${SLUICE_ALERTMANAGER_URL}' },
    });
  });

  test('every variable a provisioning file reads is one the launcher, docker-compose and Ansible set', () => {
    const files = [
      'datasources/sluice.yaml',
      'dashboards/sluice.yaml',
      'alerting/contact-points.yaml',
      'alerting/rules.yaml',
    ];
    const used = new Set(
      files.flatMap((f) =>
        [...readFileSync(join(PROVISIONING, f), 'utf8').matchAll(/(?<!\$)\$\{?([A-Z][A-Z0-9_]*)\}?/g)].map(
          (m) => m[1]!,
        ),
      ),
    );
    expect([...used].sort()).toEqual([...GRAFANA_ENV_VARS].sort());
  });
});
