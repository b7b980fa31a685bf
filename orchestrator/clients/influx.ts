/**
 * A thin typed client of InfluxDB 1.x's HTTP API: InfluxQL on /query (Basic authentication) and /ping.
 * An HTTP error status becomes SLUICE_HTTP_ERROR with {method, path, status, body}; an error InfluxDB
 * reports inside a 200 answer (a statement it refused) becomes SLUICE_INFLUX_ERROR. Passwords in
 * statements (`WITH PASSWORD '…'`, `SET PASSWORD … = '…'`) are masked in every message.
 * Writes and Flux queries go through @influxdata/influxdb-client (token `user:password`), not this.
 */
import { SluiceError, messageOf } from '../../lib/errors';
import type {
  InfluxAdmin,
  InfluxPrivilege,
  ObservedInflux,
  ObservedInfluxGrant,
  ObservedRetentionPolicy,
} from './influx-types';
import { basicAuthHeader } from '../../lib/basic-auth';

export interface InfluxConnection {
  /** `http://host:port` */
  url: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

export interface InfluxSeries {
  name?: string;
  columns: string[];
  values?: unknown[][];
}

interface StatementResult {
  statement_id: number;
  series?: InfluxSeries[];
  error?: string;
}

/** A quoted InfluxQL identifier: `"sluice-connect"`. */
export function influxIdentifier(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A single-quoted InfluxQL string. */
export function influxString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function redactInfluxQl(statement: string): string {
  return statement.replace(/(PASSWORD\s*(?:FOR\s+\S+\s*=\s*)?)'(?:[^'\\]|\\.)*'/gi, "$1'***'");
}

/** Rows of a series as objects (column → value). */
export function seriesRows(series: InfluxSeries | undefined): Array<Record<string, unknown>> {
  if (!series) return [];
  return (series.values ?? []).map((row) => Object.fromEntries(series.columns.map((c, i) => [c, row[i]])));
}

export class InfluxQlClient {
  constructor(readonly connection: InfluxConnection) {}

  private authorization(): Record<string, string> {
    const { username, password } = this.connection;
    if (username === undefined) return {};
    return basicAuthHeader(username, password ?? '');
  }

  /** GET /ping: 204 when InfluxDB runs (it needs no login). */
  async ping(): Promise<number> {
    const response = await fetch(`${this.connection.url}/ping`, {
      signal: AbortSignal.timeout(this.connection.timeoutMs ?? 5000),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** Runs InfluxQL (one statement, or several separated by `;`), returning each statement's series. */
  async query(statement: string, database?: string): Promise<InfluxSeries[][]> {
    const path = '/query';
    const shown = redactInfluxQl(statement);
    const body = new URLSearchParams({ q: statement, ...(database ? { db: database } : {}) });
    let response: Response;
    try {
      response = await fetch(`${this.connection.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...this.authorization() },
        body,
        signal: AbortSignal.timeout(this.connection.timeoutMs ?? 30_000),
      });
    } catch (cause) {
      throw new SluiceError(
        'SLUICE_HTTP_ERROR',
        `POST ${this.connection.url}${path} (${shown}) failed: ${messageOf(cause)}`,
        {
          cause,
          retriable: true,
          details: { method: 'POST', path },
          fix: 'check that InfluxDB runs: npx sluice platform status',
        },
      );
    }
    const text = await response.text();
    let parsed: { results?: StatementResult[]; error?: string } = {};
    try {
      parsed = text ? (JSON.parse(text) as typeof parsed) : {};
    } catch {
      // not JSON: reported below with the raw body
    }
    if (!response.ok) {
      throw new SluiceError(
        'SLUICE_HTTP_ERROR',
        `POST ${this.connection.url}${path} (${shown}) failed: ${response.status} ${parsed.error ?? text}`.trim(),
        {
          retriable: response.status >= 500,
          details: { method: 'POST', path, status: response.status, body: parsed.error ?? text.slice(0, 4000) },
          ...(response.status === 401 || response.status === 403
            ? { fix: 'load current credentials with eval "$(npx sluice platform env)"' }
            : {}),
        },
      );
    }
    const results = parsed.results ?? [];
    const failed = results.find((r) => r.error);
    if (failed || parsed.error) {
      throw new SluiceError('SLUICE_INFLUX_ERROR', `InfluxDB refused ${shown}: ${failed?.error ?? parsed.error}`, {
        details: { statement: shown, error: failed?.error ?? parsed.error },
      });
    }
    return results.map((r) => r.series ?? []);
  }
}

const PRIVILEGES: Record<string, InfluxPrivilege | undefined> = {
  READ: 'READ',
  WRITE: 'WRITE',
  'ALL PRIVILEGES': 'ALL',
};

/** The admin's view of InfluxDB for deploy-pipeline. */
export class HttpInfluxAdmin implements InfluxAdmin {
  private readonly client: InfluxQlClient;

  constructor(connection: InfluxConnection | InfluxQlClient) {
    this.client = connection instanceof InfluxQlClient ? connection : new InfluxQlClient(connection);
  }

  async observe(): Promise<ObservedInflux> {
    const [[databaseSeries]] = (await this.client.query('SHOW DATABASES')) as [[InfluxSeries | undefined]];
    const databases = seriesRows(databaseSeries)
      .map((r) => String(r.name))
      .filter((name) => name !== '_internal');
    const retentionPolicies: ObservedRetentionPolicy[] = [];
    for (const database of databases) {
      const [[series]] = (await this.client.query(`SHOW RETENTION POLICIES ON ${influxIdentifier(database)}`)) as [
        [InfluxSeries | undefined],
      ];
      for (const row of seriesRows(series)) {
        retentionPolicies.push({
          database,
          name: String(row.name),
          duration: String(row.duration),
          shardGroupDuration: String(row.shardGroupDuration),
          replication: Number(row.replicaN),
          default: row.default === true,
        });
      }
    }
    const [[userSeries]] = (await this.client.query('SHOW USERS')) as [[InfluxSeries | undefined]];
    const users = seriesRows(userSeries).map((r) => ({ name: String(r.user), admin: r.admin === true }));
    const grants: ObservedInfluxGrant[] = [];
    for (const user of users.filter((u) => !u.admin)) {
      const [[series]] = (await this.client.query(`SHOW GRANTS FOR ${influxIdentifier(user.name)}`)) as [
        [InfluxSeries | undefined],
      ];
      for (const row of seriesRows(series)) {
        const privilege = PRIVILEGES[String(row.privilege)];
        if (privilege) grants.push({ user: user.name, database: String(row.database), privilege });
      }
    }
    return { databases, retentionPolicies, users, grants };
  }

  async execute(statement: string): Promise<void> {
    await this.client.query(statement);
  }
}
