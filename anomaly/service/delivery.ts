/**
 * What happens after a transaction commits: its incidents go to Alertmanager and to InfluxDB. Neither
 * is part of the transaction, so delivery is at least once, and both sides are idempotent (an
 * Alertmanager alert is identified by its labels, an annotation by its tags and time). Failures are
 * counted and retried on the next re-send; they never stop the service.
 */
import { messageOf } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import type { AlertmanagerClient } from './alertmanager';
import { toAlertmanager } from './alertmanager';
import type { AlertStatus } from './alert';
import type { AnnotationWriter } from './annotations';
import type { Incident, IncidentEvent } from './incidents';
import type { AnomalyMetrics } from './metrics';

/** Annotations kept for a retry at most; older ones are dropped (and were counted as failures). */
const MAX_PENDING_ANNOTATIONS = 1000;
/** Resolutions kept for a retry at most; beyond, the oldest are dropped (their firing alert ends by its endsAt anyway). */
const MAX_PENDING_RESOLVED = 10_000;
/** Alerts per POST to Alertmanager. */
const POST_BATCH = 500;

export interface DeliveryOptions {
  alertmanager?: AlertmanagerClient;
  annotations?: AnnotationWriter;
  resendMs: number;
  /** Base of generatorURL. */
  baseUrl: () => string;
  /** An incident's Grafana panel (links.ts). */
  link?: (incident: Incident) => string | undefined;
  metrics: AnomalyMetrics;
  log: Logger;
  clock?: () => number;
}

export class Delivery {
  /** Resolved incidents Alertmanager has not taken yet, until their last firing endsAt has passed. */
  private readonly resolvedPending = new Map<string, { incident: Incident; until: number }>();
  private readonly annotationsPending: Array<{ incident: Incident; status: AlertStatus }> = [];
  private readonly clock: () => number;
  private failingSince: number | undefined;

  constructor(private readonly options: DeliveryOptions) {
    this.clock = options.clock ?? Date.now;
  }

  private async postAlertmanager(incidents: Incident[]): Promise<boolean> {
    const am = this.options.alertmanager;
    if (!am || incidents.length === 0) return true;
    const now = this.clock();
    try {
      const payloads = incidents.map((i) =>
        toAlertmanager(i, {
          now,
          resendMs: this.options.resendMs,
          baseUrl: this.options.baseUrl(),
          ...(this.options.link ? { link: this.options.link } : {}),
        }),
      );
      for (let i = 0; i < payloads.length; i += POST_BATCH) await am.post(payloads.slice(i, i + POST_BATCH));
      if (this.failingSince !== undefined)
        this.options.log.info('Alertmanager takes alerts again', { component: 'anomaly', url: am.url });
      this.failingSince = undefined;
      return true;
    } catch (error) {
      this.options.metrics.deliveryFailures.inc({ target: 'alertmanager' }, incidents.length);
      // One line when it starts failing, not one per alert.
      if (this.failingSince === undefined)
        this.options.log.warn(`Alertmanager does not take alerts (retrying every re-send): ${messageOf(error)}`, {
          component: 'anomaly',
          url: am.url,
        });
      this.failingSince ??= now;
      return false;
    }
  }

  private async annotate(incident: Incident, status: AlertStatus): Promise<boolean> {
    const writer = this.options.annotations;
    if (!writer) return true;
    try {
      await writer.write(incident, status);
      return true;
    } catch (error) {
      this.options.metrics.deliveryFailures.inc({ target: 'influxdb' });
      this.options.log.warn(`annotation not written (will retry): ${messageOf(error)}`, {
        component: 'anomaly',
        incident: incident.id,
      });
      return false;
    }
  }

  private queueAnnotation(incident: Incident, status: AlertStatus): void {
    this.annotationsPending.push({ incident, status });
    if (this.annotationsPending.length > MAX_PENDING_ANNOTATIONS)
      this.annotationsPending.splice(0, this.annotationsPending.length - MAX_PENDING_ANNOTATIONS);
  }

  /** The events of a committed transaction. */
  async deliver(events: IncidentEvent[]): Promise<void> {
    if (events.length === 0) return;
    const firing = events.filter((e) => e.type !== 'resolved').map((e) => e.incident);
    const resolved = events.filter((e) => e.type === 'resolved').map((e) => e.incident);
    await this.postAlertmanager(firing);
    if (!(await this.postAlertmanager(resolved))) {
      const until = this.clock() + 4 * this.options.resendMs;
      for (const incident of resolved) this.resolvedPending.set(incident.id, { incident, until });
      for (const id of this.resolvedPending.keys()) {
        if (this.resolvedPending.size <= MAX_PENDING_RESOLVED) break;
        this.resolvedPending.delete(id);
      }
    }
    for (const e of events) {
      if (e.type === 'updated') continue;
      const status: AlertStatus = e.type === 'fired' ? 'firing' : 'resolved';
      if (!(await this.annotate(e.incident, status))) this.queueAnnotation(e.incident, status);
    }
  }

  /** Every re-send interval: all open incidents, the resolutions not yet taken, the annotations not yet written. */
  async resend(open: Incident[]): Promise<void> {
    const now = this.clock();
    for (const [id, p] of this.resolvedPending) if (p.until <= now) this.resolvedPending.delete(id);
    const pending = [...this.resolvedPending.values()].map((p) => p.incident);
    if (await this.postAlertmanager([...open, ...pending])) this.resolvedPending.clear();
    const annotations = this.annotationsPending.splice(0);
    for (const a of annotations)
      if (!(await this.annotate(a.incident, a.status))) this.queueAnnotation(a.incident, a.status);
  }

  async close(): Promise<void> {
    await this.options.annotations?.close();
  }
}
