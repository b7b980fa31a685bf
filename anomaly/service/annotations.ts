/**
 * Incidents as InfluxDB annotations, for Grafana to draw on the charts of the same series: measurement
 * `annotations`, tags {source, key, severity, status, kind, incident_id}, fields {title, text,
 * metrics}, at the incident's start (firing) and its end (resolved). Written again after a failure or
 * a restart, a point overwrites itself (same measurement, tags and time), so a retry never doubles it.
 *
 * InfluxDB is optional: without SLUICE_INFLUX_URL the writer is not made, and the service says so once.
 */
import { readFileSync } from 'node:fs';
import { InfluxDB, Point, setLogger, type WriteApi } from '@influxdata/influxdb-client';
import { SluiceError, messageOf } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import type { AlertStatus } from './alert';
import { summaryOf } from './alert';
import type { Incident } from './incidents';

export const ANNOTATION_MEASUREMENT = 'annotations';

export interface AnnotationWriter {
  write(incident: Incident, status: AlertStatus): Promise<void>;
  close(): Promise<void>;
  readonly target: string;
}

export interface InfluxSettings {
  url: string;
  /** InfluxDB 2 token, or `user:password` for InfluxDB 1.8+ (its /api/v2 compatibility). */
  token: string;
  org: string;
  /** InfluxDB 2 bucket, or `database/retention-policy` (or just the database) for 1.8+. */
  bucket: string;
}

/**
 * SLUICE_INFLUX_URL (required to write at all); the credentials as SLUICE_INFLUX_TOKEN or
 * SLUICE_INFLUX_TOKEN_FILE (InfluxDB 1.8: `user:password`), else SLUICE_INFLUX_USER with
 * SLUICE_INFLUX_PASSWORD or SLUICE_INFLUX_PASSWORD_FILE (what `sluice platform env` prints); the bucket
 * as SLUICE_INFLUX_BUCKET, else SLUICE_INFLUX_DATABASE (its default retention policy), else `sluice`;
 * SLUICE_INFLUX_ORG (default `-`, which 1.8 ignores).
 */
export function influxSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): InfluxSettings | undefined {
  const url = env.SLUICE_INFLUX_URL;
  if (!url) return undefined;
  const fromFile = (variable: string): string | undefined => {
    const file = env[variable];
    if (!file) return undefined;
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new SluiceError('SLUICE_SECRET_ERROR', `cannot read ${variable} ${file}: ${messageOf(error)}`, {
        cause: error,
        path: variable,
        fix: 'point it at a readable file holding the secret, or unset it',
      });
    }
  };
  let token = env.SLUICE_INFLUX_TOKEN || fromFile('SLUICE_INFLUX_TOKEN_FILE') || '';
  if (!token && env.SLUICE_INFLUX_USER)
    token = `${env.SLUICE_INFLUX_USER}:${env.SLUICE_INFLUX_PASSWORD || fromFile('SLUICE_INFLUX_PASSWORD_FILE') || ''}`;
  return {
    url,
    token,
    org: env.SLUICE_INFLUX_ORG ?? '-',
    bucket: env.SLUICE_INFLUX_BUCKET ?? env.SLUICE_INFLUX_DATABASE ?? 'sluice',
  };
}

export function annotationPoint(incident: Incident, status: AlertStatus): Point {
  const at = status === 'resolved' ? (incident.resolvedAt ?? Date.now()) : incident.startedAt;
  return new Point(ANNOTATION_MEASUREMENT)
    .tag('source', incident.source)
    .tag('key', incident.key)
    .tag('severity', incident.severity)
    .tag('status', status)
    .tag('kind', incident.kind)
    .tag('incident_id', incident.id)
    .stringField('title', `${status === 'firing' ? 'Incident' : 'Resolved'}: ${incident.source} ${incident.key}`)
    .stringField('text', summaryOf(incident))
    .stringField('metrics', incident.evidence.map((e) => e.metric).join(','))
    .timestamp(new Date(at));
}

export class InfluxAnnotations implements AnnotationWriter {
  private readonly api: WriteApi;
  readonly target: string;

  constructor(settings: InfluxSettings, log?: Logger) {
    // Each write is flushed at once, and no retries of the client's own: the service retries, and a
    // failure is counted where it happens. writeFailed makes flush() reject instead of only logging.
    this.api = new InfluxDB({ url: settings.url, token: settings.token, timeout: 5000 }).getWriteApi(
      settings.org,
      settings.bucket,
      'ms',
      { batchSize: 1000, flushInterval: 0, maxRetries: 0, writeFailed: (error: Error) => Promise.reject(error) },
    );
    this.target = `${settings.url} bucket ${settings.bucket}`;
    // The client logs every failure on the console; the service logs them once, with what to do.
    if (log)
      setLogger({
        error: (message, error) => log.debug(`influxdb-client: ${message} ${messageOf(error)}`),
        warn: (message, error) => log.debug(`influxdb-client: ${message} ${messageOf(error)}`),
      });
  }

  async write(incident: Incident, status: AlertStatus): Promise<void> {
    this.api.writePoint(annotationPoint(incident, status));
    try {
      await this.api.flush();
    } catch (error) {
      throw new SluiceError(
        'SLUICE_HTTP_ERROR',
        `writing an annotation to InfluxDB (${this.target}) failed: ${messageOf(error)}`,
        {
          cause: error,
          retriable: true,
          details: {
            method: 'POST',
            path: '/api/v2/write',
            status: (error as { statusCode?: number }).statusCode,
            body: (error as { body?: string }).body,
          },
        },
      );
    }
  }

  async close(): Promise<void> {
    await this.api.close().catch(() => undefined);
  }
}

/** The writer the environment asks for; without InfluxDB settings, undefined and one log line. */
export function annotationsFromEnv(env: NodeJS.ProcessEnv, log: Logger): AnnotationWriter | undefined {
  const settings = influxSettingsFromEnv(env);
  if (!settings) {
    log.info('InfluxDB is not configured (SLUICE_INFLUX_URL is not set): incidents are not written as annotations', {
      component: 'anomaly',
    });
    return undefined;
  }
  log.info(`incidents are written as annotations to InfluxDB ${settings.url}, bucket ${settings.bucket}`, {
    component: 'anomaly',
  });
  return new InfluxAnnotations(settings, log);
}
