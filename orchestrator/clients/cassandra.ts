/**
 * A thin typed client over the cassandra-driver package: one session per user, errors mapped to SLUICE_*
 * codes (a refused login, a refused permission, anything else), and statements that carry a password
 * never shown in a message. ClusterCassandraAdmin is what deploy-pipeline and the launcher use.
 */
import { auth, Client, errors, types } from 'cassandra-driver';
import { SluiceError, messageOf } from '../../lib/errors';
import { MANAGED_TABLE_OPTIONS, cqlString, quoteIdentifier } from '../lib/cql/table';
import type { CassandraAdmin, ObservedCassandra, ObservedColumn, ObservedTable } from './cassandra-types';

export interface CassandraConnection {
  /** `host:port` of the native protocol (CQL) listener. */
  contactPoint: string;
  username: string;
  password: string;
  /** SimpleSnitch puts every node in `datacenter1`. */
  localDataCenter?: string;
  /** Session keyspace, for unqualified table names. */
  keyspace?: string;
  connectTimeoutMs?: number;
}

/** Passwords in role statements (`PASSWORD = '…'`) are masked in every message. */
export function redactCql(statement: string): string {
  return statement.replace(/(PASSWORD\s*=?\s*)'(?:[^']|'')*'/gi, "$1'***'");
}

const UNAUTHORIZED = types.responseErrorCodes.unauthorized;
const BAD_CREDENTIALS = types.responseErrorCodes.badCredentials;

function innerErrors(error: unknown): unknown[] {
  if (error instanceof errors.NoHostAvailableError)
    return Object.values((error.innerErrors ?? {}) as Record<string, unknown>);
  return [];
}

/** Maps a driver error to a SluiceError that names the user and, when given, the statement. */
export function cassandraError(
  error: unknown,
  connection: Pick<CassandraConnection, 'contactPoint' | 'username'>,
  statement?: string,
): SluiceError {
  if (error instanceof SluiceError) return error;
  const what = statement ? `${redactCql(statement).replace(/\s+/g, ' ').slice(0, 200)}: ` : '';
  const causes = [error, ...innerErrors(error)];
  const authFailed = causes.find(
    (e) => e instanceof errors.AuthenticationError || (e instanceof errors.ResponseError && e.code === BAD_CREDENTIALS),
  );
  if (authFailed) {
    return new SluiceError(
      'SLUICE_CASSANDRA_AUTH_FAILED',
      `Cassandra at ${connection.contactPoint} refused the login of ${connection.username}: ${messageOf(authFailed)}`,
      {
        cause: error,
        fix: 'load current credentials with eval "$(npx sluice platform env)" (a reset makes new passwords)',
      },
    );
  }
  if (error instanceof errors.ResponseError && error.code === UNAUTHORIZED) {
    return new SluiceError(
      'SLUICE_CASSANDRA_NOT_AUTHORIZED',
      `${what}${connection.username} is not allowed to: ${error.message}`,
      {
        cause: error,
        fix: 'grant the permission in pipeline.yaml (cassandra.grants) and run npm run deploy-pipeline, or use the admin role',
      },
    );
  }
  const retriable =
    error instanceof errors.NoHostAvailableError ||
    error instanceof errors.OperationTimedOutError ||
    (error instanceof errors.ResponseError &&
      [
        types.responseErrorCodes.unavailableException,
        types.responseErrorCodes.overloaded,
        types.responseErrorCodes.isBootstrapping,
        types.responseErrorCodes.writeTimeout,
        types.responseErrorCodes.readTimeout,
      ].includes(error.code));
  return new SluiceError(
    'SLUICE_CASSANDRA_ERROR',
    `${what}Cassandra at ${connection.contactPoint} (as ${connection.username}): ${messageOf(error)}`,
    {
      cause: error,
      retriable,
      fix: retriable
        ? 'check that Cassandra runs (npx sluice platform status), then try again'
        : 'correct the statement; the message says what Cassandra refused',
    },
  );
}

/** One logged-in session. `connect` fails with SLUICE_CASSANDRA_AUTH_FAILED when the login is refused. */
export class CassandraClient {
  private constructor(
    private readonly client: Client,
    readonly connection: CassandraConnection,
  ) {}

  static async connect(connection: CassandraConnection): Promise<CassandraClient> {
    const [host, port] = splitHostPort(connection.contactPoint);
    const client = new Client({
      contactPoints: [host],
      protocolOptions: { port, maxSchemaAgreementWaitSeconds: 30 },
      localDataCenter: connection.localDataCenter ?? 'datacenter1',
      authProvider: new auth.PlainTextAuthProvider(connection.username, connection.password),
      socketOptions: { connectTimeout: connection.connectTimeoutMs ?? 5000, readTimeout: 60_000 },
      // One node: do not keep looking for others, and do not retry a refused login forever.
      pooling: { warmup: false },
      ...(connection.keyspace ? { keyspace: connection.keyspace } : {}),
    });
    try {
      await client.connect();
    } catch (error) {
      await client.shutdown().catch(() => undefined);
      throw cassandraError(error, connection);
    }
    return new CassandraClient(client, connection);
  }

  /** Runs a statement; `params` bind `?` or `:name` markers (prepared, so types come from the table). */
  async execute(statement: string, params?: unknown[] | Record<string, unknown>): Promise<types.ResultSet> {
    try {
      return await this.client.execute(statement, params as never, { prepare: params !== undefined });
    } catch (error) {
      throw cassandraError(error, this.connection, statement);
    }
  }

  /** Rows as plain objects (column name → value). */
  async rows<T = Record<string, unknown>>(
    statement: string,
    params?: unknown[] | Record<string, unknown>,
  ): Promise<T[]> {
    const result = await this.execute(statement, params);
    return result.rows.map((row) => Object.fromEntries(row.keys().map((k) => [k, row.get(k) as unknown])) as T);
  }

  async close(): Promise<void> {
    await this.client.shutdown().catch(() => undefined);
  }
}

export function splitHostPort(contactPoint: string): [string, number] {
  const colon = contactPoint.lastIndexOf(':');
  const port = Number(contactPoint.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port)) throw new Error(`contact point '${contactPoint}' is not host:port`);
  return [contactPoint.slice(0, colon), port];
}

/** Tries a login; true when Cassandra accepts it, false when it refuses the credentials. Other errors throw. */
export async function canLogIn(connection: CassandraConnection): Promise<boolean> {
  try {
    const client = await CassandraClient.connect(connection);
    await client.close();
    return true;
  } catch (error) {
    if (error instanceof SluiceError && error.code === 'SLUICE_CASSANDRA_AUTH_FAILED') return false;
    throw error;
  }
}

const SYSTEM_KEYSPACE = /^system(_|$)/;

function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/** Table options deploy-pipeline manages, as system_schema.tables names them. */
const TABLE_OPTION_COLUMNS = MANAGED_TABLE_OPTIONS;

/** The admin's view of Cassandra for deploy-pipeline: its keyspaces, tables, roles and keyspace grants. */
export class ClusterCassandraAdmin implements CassandraAdmin {
  private session: Promise<CassandraClient> | undefined;

  constructor(private readonly connection: CassandraConnection) {}

  private client(): Promise<CassandraClient> {
    this.session ??= CassandraClient.connect(this.connection).catch((error: unknown) => {
      this.session = undefined;
      throw error;
    });
    return this.session;
  }

  async observe(): Promise<ObservedCassandra> {
    const client = await this.client();
    const keyspaceRows = await client.rows<{ keyspace_name: string; replication: unknown }>(
      'SELECT keyspace_name, replication FROM system_schema.keyspaces',
    );
    const keyspaces = keyspaceRows
      .filter((k) => !SYSTEM_KEYSPACE.test(k.keyspace_name))
      .map((k) => ({ name: k.keyspace_name, replication: stringMap(k.replication) }));
    const names = new Set(keyspaces.map((k) => k.name));

    const tableRows = (
      await client.rows<Record<string, unknown>>(
        `SELECT keyspace_name, table_name, ${TABLE_OPTION_COLUMNS.join(', ')} FROM system_schema.tables`,
      )
    ).filter((t) => names.has(String(t.keyspace_name)));
    const columnRows = (
      await client.rows<{
        keyspace_name: string;
        table_name: string;
        column_name: string;
        type: string;
        kind: string;
        position: number;
        clustering_order: string;
      }>(
        'SELECT keyspace_name, table_name, column_name, type, kind, position, clustering_order FROM system_schema.columns',
      )
    ).filter((c) => names.has(c.keyspace_name));
    const tables: ObservedTable[] = tableRows.map((t) => {
      const options: ObservedTable['options'] = {};
      for (const option of TABLE_OPTION_COLUMNS) {
        const value = t[option];
        if (value === null || value === undefined) continue;
        options[option] = typeof value === 'object' ? stringMap(value) : String(value);
      }
      const columns: ObservedColumn[] = columnRows
        .filter((c) => c.keyspace_name === t.keyspace_name && c.table_name === t.table_name)
        .map((c) => ({
          name: c.column_name,
          type: c.type,
          kind: c.kind as ObservedColumn['kind'],
          position: c.position,
          clusteringOrder: c.clustering_order as ObservedColumn['clusteringOrder'],
        }));
      return { keyspace: String(t.keyspace_name), name: String(t.table_name), columns, options };
    });

    const roles = (await client.rows<{ role: string }>('SELECT role FROM system_auth.roles')).map((r) => r.role).sort();
    const permissions = (
      await client.rows<{ role: string; resource: string; permissions: string[] | null }>(
        'SELECT role, resource, permissions FROM system_auth.role_permissions',
      )
    ).map((p) => ({ role: p.role, resource: p.resource, permissions: [...(p.permissions ?? [])].sort() }));
    return { keyspaces, tables, roles, permissions };
  }

  async schema(statement: string): Promise<void> {
    await (await this.client()).execute(statement);
  }

  async grant(permission: string, keyspace: string, role: string): Promise<void> {
    await (
      await this.client()
    ).execute(`GRANT ${permission} ON KEYSPACE ${quoteIdentifier(keyspace)} TO ${cqlString(role)}`);
  }

  async revoke(permission: string, keyspace: string, role: string): Promise<void> {
    await (
      await this.client()
    ).execute(`REVOKE ${permission} ON KEYSPACE ${quoteIdentifier(keyspace)} FROM ${cqlString(role)}`);
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) await (await session.catch(() => undefined))?.close();
  }
}
