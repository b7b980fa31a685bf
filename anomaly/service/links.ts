/**
 * Links from an alert to the Grafana panel that shows its series: a URL template from the spec
 * (`anomaly.grafanaUrl`, a series' or a metric's own `grafanaUrl`), its placeholders filled in:
 *
 * | Placeholder | Value |
 * | --- | --- |
 * | `{grafana}` | Grafana's base URL (`SLUICE_GRAFANA_URL`, else the platform's port map) |
 * | `{topic}`, `{metric}`, `{key}` | the incident's source topic, its strongest (or group) metric, its key (empty for a group) |
 * | `{from}`, `{to}` | a time range around it, ms since the epoch: an hour before its start to 15 minutes after its end (or `now`) |
 * | `{<key field>}` | each key field's value, e.g. `{device_id}` (empty for a group) |
 *
 * Every value is URL-encoded; an unknown placeholder is left as it is (and so is the link, for the
 * person to see what the template lacks).
 */
import type { ServiceConfig } from './config';
import type { Incident } from './incidents';

const HOUR = 3_600_000;

/** The template of an incident's link: its metric's, else its series', else the section's. */
export function linkTemplate(config: ServiceConfig, incident: Incident): string | undefined {
  if (incident.kind === 'pattern') return config.patterns.get(incident.source)?.link;
  const metric = incident.members?.metric ?? incident.evidence[0]?.metric;
  const series = config.series.get(incident.source);
  return series?.metrics.find((m) => m.field === metric)?.link ?? series?.metrics[0]?.link;
}

/** The template filled in for an incident; undefined without a template, or without a base for `{grafana}`. */
export function fillLink(
  template: string | undefined,
  incident: Incident,
  grafana: string | undefined,
  /** The source's key fields: empty for a group (which has no key). */
  keyNames: readonly string[] = [],
): string | undefined {
  if (!template) return undefined;
  if (template.includes('{grafana}') && !grafana) return undefined;
  const group = incident.members !== undefined;
  const values: Record<string, string> = {
    topic: incident.source,
    source: incident.source,
    metric: incident.members?.metric ?? incident.evidence[0]?.metric ?? '',
    key: group ? '' : incident.key,
    from: String(incident.startedAt - HOUR),
    to: incident.resolvedAt === undefined ? 'now' : String(incident.resolvedAt + HOUR / 4),
  };
  for (const field of keyNames) if (!(field in values)) values[field] = '';
  for (const [field, value] of Object.entries(incident.keyFields))
    if (!(field in values) || values[field] === '') values[field] = group ? '' : value;
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (all, name: string) => {
    if (name === 'grafana') return grafana!.replace(/\/+$/, '');
    return name in values ? encodeURIComponent(values[name]!) : all;
  });
}

/** An incident's link, from the spec's templates and Grafana's base URL. */
export function linkOf(config: ServiceConfig, incident: Incident, grafana: string | undefined): string | undefined {
  const keys = config.series.get(incident.source)?.key ?? config.patterns.get(incident.source)?.key ?? [];
  return fillLink(linkTemplate(config, incident), incident, grafana, keys);
}
