/**
 * Delivery to Alertmanager's API v2 (`POST /api/v2/alerts`). An alert is identified by its labels, so
 * they stay the same for the whole incident; Alertmanager resolves an alert whose endsAt has passed, so
 * a firing alert carries endsAt = now + 4 × the re-send interval (as Prometheus does) and is re-sent
 * every interval while the incident is open: if the service dies, its alerts resolve by themselves. A
 * resolved incident is sent once more with endsAt = its resolution time, retried until Alertmanager
 * has taken it (or until the last firing endsAt has passed anyway).
 */
import { SluiceError, messageOf } from '../../lib/errors';
import { descriptionOf, distanceText, evidenceJson, rangeText, summaryOf } from './alert';
import type { Incident } from './incidents';
import { basicAuthHeader } from '../../lib/basic-auth';

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** Labels the service sets itself; a key field of the same name is not copied into the labels. */
export const RESERVED_LABELS = ['alertname', 'source', 'key', 'severity', 'incident_id', 'kind', 'component', 'metric'];
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function alertName(incident: Pick<Incident, 'kind' | 'members'>): string {
  const name = incident.kind === 'pattern' ? 'SluicePattern' : 'SluiceAnomaly';
  return incident.members ? `${name}Group` : name;
}

export function alertLabels(incident: Incident): Record<string, string> {
  const labels: Record<string, string> = {
    alertname: alertName(incident),
    source: incident.source,
    key: incident.key,
    severity: incident.severity,
    incident_id: incident.id,
    kind: incident.kind,
    component: 'anomaly',
  };
  // A group: the metric its members share (fixed for its life, like every label).
  if (incident.members) labels.metric = incident.members.metric;
  for (const [field, value] of Object.entries(incident.keyFields)) {
    if (LABEL_NAME.test(field) && !RESERVED_LABELS.includes(field)) labels[field] = value;
  }
  return labels;
}

export interface PayloadOptions {
  now: number;
  /** Re-send interval: a firing alert ends 4 × this after it was sent, unless re-sent. */
  resendMs: number;
  /** Base URL of the service's HTTP server: generatorURL is `<base>/incidents/<id>`. */
  baseUrl: string;
  /** The incident's Grafana panel (links.ts), as the annotation `dashboard_url`. */
  link?: (incident: Incident) => string | undefined;
}

export function toAlertmanager(incident: Incident, options: PayloadOptions): AlertmanagerAlert {
  const strongest = incident.evidence[0];
  const resolved = incident.resolvedAt !== undefined;
  const annotations: Record<string, string> = {
    summary: summaryOf(incident),
    description: descriptionOf(incident),
    metrics: incident.evidence.map((e) => e.metric).join(','),
    evidence: evidenceJson(incident),
    started_at: new Date(incident.startedAt).toISOString(),
  };
  if (strongest && incident.kind === 'anomaly') {
    if (strongest.value !== null) annotations.value = String(strongest.value);
    const range = rangeText(strongest.expected);
    if (range) annotations.expected = range;
    const far = distanceText(strongest);
    if (far) annotations.distance = far;
    annotations.score = strongest.score.toFixed(3);
  }
  if (incident.members) {
    annotations.count = String(incident.members.total);
    annotations.open = String(incident.members.open);
    annotations.worst = incident.members.worst.map((w) => w.key).join(',');
  }
  const link = options.link?.(incident);
  if (link) annotations.dashboard_url = link;
  if (resolved && incident.resolution) annotations.resolution = incident.resolution;
  const endsAt = resolved ? Math.max(incident.resolvedAt!, incident.startedAt) : options.now + 4 * options.resendMs;
  return {
    labels: alertLabels(incident),
    annotations,
    startsAt: new Date(incident.startedAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    generatorURL: `${options.baseUrl.replace(/\/+$/, '')}/incidents/${incident.id}`,
  };
}

export interface AlertmanagerClientOptions {
  url: string;
  timeoutMs?: number;
  /** Alertmanager asks who you are (Basic auth in its web config): `username:password`. */
  basicAuth?: { username: string; password: string };
}

/** The two calls the service makes; HTTP failures are SLUICE_HTTP_ERROR with {method, path, status, body}. */
export class AlertmanagerClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly authorization: Record<string, string>;

  constructor(options: AlertmanagerClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5000;
    const auth = options.basicAuth;
    this.authorization = auth ? basicAuthHeader(auth.username, auth.password) : {};
  }

  get url(): string {
    return this.base;
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...this.authorization },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new SluiceError('SLUICE_HTTP_ERROR', `${method} ${this.base}${path} failed: ${messageOf(error)}`, {
        cause: error,
        retriable: true,
        details: { method, path, status: undefined, body: undefined },
        fix: 'start Alertmanager (npx sluice platform up alertmanager) or set SLUICE_ALERTMANAGER_URL',
      });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new SluiceError(
        'SLUICE_HTTP_ERROR',
        `${method} ${this.base}${path} failed: ${response.status} ${text.slice(0, 500)}`,
        {
          retriable: response.status >= 500,
          details: { method, path, status: response.status, body: text.slice(0, 2000) },
        },
      );
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  async post(alerts: AlertmanagerAlert[]): Promise<void> {
    if (alerts.length > 0) await this.request('POST', '/api/v2/alerts', alerts);
  }

  /** The alerts Alertmanager holds that match every `label="value"` matcher (active ones by default). */
  async alerts(
    matchers: Record<string, string> = {},
    active = true,
  ): Promise<Array<AlertmanagerAlert & { status: { state: string } }>> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(matchers))
      query.append('filter', `${name}="${value.replace(/["\\]/g, '\\$&')}"`);
    if (!active) query.set('active', 'false');
    const qs = query.toString();
    return (await this.request('GET', `/api/v2/alerts${qs ? `?${qs}` : ''}`)) as Array<
      AlertmanagerAlert & { status: { state: string } }
    >;
  }
}
