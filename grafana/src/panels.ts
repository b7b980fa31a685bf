/** The few panel shapes the dashboards use, so that every dashboard looks and behaves alike. */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { ReduceDataOptionsBuilder, type DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

interface PanelOptions {
  title: string;
  description: string;
  datasource: Required<DataSourceRef>;
  targets: Array<cog.Builder<cog.Dataquery>>;
  unit?: string;
  width?: number;
  height?: number;
}

export function timeseries(o: PanelOptions & { min?: number; max?: number }): TimeseriesPanel {
  const panel = new TimeseriesPanel()
    .title(o.title)
    .description(o.description)
    .datasource(o.datasource)
    .targets(o.targets)
    .span(o.width ?? 12)
    .height(o.height ?? 8)
    .lineWidth(1)
    .fillOpacity(10);
  if (o.unit) panel.unit(o.unit);
  if (o.min !== undefined) panel.min(o.min);
  if (o.max !== undefined) panel.max(o.max);
  return panel;
}

export function stat(o: PanelOptions): StatPanel {
  // The last value of the series: a stat shows now, not the range's total.
  const panel = new StatPanel()
    .title(o.title)
    .description(o.description)
    .datasource(o.datasource)
    .targets(o.targets)
    .span(o.width ?? 6)
    .height(o.height ?? 4)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  if (o.unit) panel.unit(o.unit);
  return panel;
}

export function table(o: PanelOptions): TablePanel {
  return new TablePanel()
    .title(o.title)
    .description(o.description)
    .datasource(o.datasource)
    .targets(o.targets)
    .span(o.width ?? 24)
    .height(o.height ?? 8);
}
