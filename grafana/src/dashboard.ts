/** What every Sluice dashboard shares: its frame, the anomaly annotations, and the build into Grafana's model. */
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  RowBuilder,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { INFLUX } from './datasources';
import { influx } from './queries';

export interface DashboardDefinition {
  /** Also the file name: grafana/dashboards/<uid>.json. */
  uid: string;
  title: string;
  description: string;
  tags: string[];
  /** The anomaly service's annotations of these topics (their `source` tag), drawn on every panel. */
  alertsOf?: string[];
  /** The time range shown when the dashboard opens; default the last hour. */
  from?: string;
  rows: Array<{ title: string; panels: Array<cog.Builder<unknown>> }>;
}

/** The anomaly service's incidents on `topics` (anomaly/service/annotations.ts: measurement `annotations`, tag `source`). */
export function annotationsQuery(topics: string[]): string {
  const alternatives = topics.map((t) => t.replace(/[.]/g, '\\.')).join('|');
  return `SELECT "text", "severity", "status" FROM "annotations" WHERE "source" =~ /^(${alternatives})$/ AND $timeFilter`;
}

export function buildDashboard(d: DashboardDefinition): Dashboard {
  const builder = new DashboardBuilder(d.title)
    .uid(d.uid)
    .description(d.description)
    .tags(['sluice', ...d.tags])
    .time({ from: d.from ?? 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .readonly();
  if (d.alertsOf) {
    builder.annotation(
      new AnnotationQueryBuilder()
        .name('Anomaly alerts')
        .datasource(INFLUX)
        .enable(true)
        .iconColor('red')
        .target(influx(annotationsQuery(d.alertsOf), 'Annotations', 'table')),
    );
  }
  for (const row of d.rows) {
    builder.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) builder.withPanel(panel as cog.Builder<never>);
  }
  // Panel ids, which Grafana keys panel links and state by: stable, in layout order.
  const dashboard = builder.build();
  dashboard.panels?.forEach((panel, i) => {
    panel.id = i + 1;
  });
  return dashboard;
}
