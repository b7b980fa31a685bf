/**
 * Writes grafana/dashboards/<uid>.json from the TypeScript definitions (`npm run grafana`). The JSON is
 * committed, so Grafana, docker-compose and Ansible provision it as is; a unit test fails when it and the
 * definitions disagree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { alertRulesProvisioning } from './alert-rules';
import { DASHBOARDS, buildDashboard } from './index';

export const DASHBOARD_DIR = join(__dirname, '..', 'dashboards');
export const ALERT_RULES_FILE = join(__dirname, '..', 'provisioning', 'alerting', 'rules.yaml');

/** Grafana expands `$NAME` in provisioning files from its environment; `$$` is a literal `$` (`$timeFilter`). */
export function alertRulesYaml(): string {
  const yaml = stringify(alertRulesProvisioning()).replace(/\$(?=[A-Za-z_])/g, '$$$$');
  return `# Generated from grafana/src/alert-rules.ts by \`npm run grafana\`: edit that file, not this one.\n${yaml}`;
}

export function dashboardJson(uid: string): string {
  const definition = DASHBOARDS.find((d) => d.uid === uid);
  if (!definition) throw new Error(`no dashboard ${uid}`);
  return `${JSON.stringify(buildDashboard(definition), null, 2)}\n`;
}

if (require.main === module) {
  for (const d of DASHBOARDS) {
    writeFileSync(join(DASHBOARD_DIR, `${d.uid}.json`), dashboardJson(d.uid));
    process.stdout.write(`grafana/dashboards/${d.uid}.json\n`);
  }
  writeFileSync(ALERT_RULES_FILE, alertRulesYaml());
  process.stdout.write('grafana/provisioning/alerting/rules.yaml\n');
}
