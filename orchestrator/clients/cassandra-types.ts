/**
 * Observed state of Cassandra as deploy-pipeline reads it (system_schema and system_auth), and what the
 * Cassandra providers may ask of Cassandra. Kept free of driver details; cassandra.ts talks to the server.
 */

/** A column as system_schema.columns lists it. */
export interface ObservedColumn {
  name: string;
  /** CQL type as Cassandra prints it: `text`, `map<text, int>`, `frozen<list<text>>`. */
  type: string;
  kind: 'partition_key' | 'clustering' | 'regular' | 'static';
  /** Position in the partition key or among the clustering columns; -1 for the others. */
  position: number;
  clusteringOrder: 'asc' | 'desc' | 'none';
}

export interface ObservedTable {
  keyspace: string;
  name: string;
  columns: ObservedColumn[];
  /** Table options of system_schema.tables, as strings (scalars) or string maps (compaction, compression, caching). */
  options: Record<string, string | Record<string, string>>;
}

export interface ObservedKeyspace {
  name: string;
  /** `{class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '1'}` */
  replication: Record<string, string>;
}

/** Permissions a role has on one resource (`data/<keyspace>` for a keyspace). */
export interface ObservedPermission {
  role: string;
  resource: string;
  permissions: string[];
}

export interface ObservedCassandra {
  /** Keyspaces other than Cassandra's own (system*). */
  keyspaces: ObservedKeyspace[];
  tables: ObservedTable[];
  roles: string[];
  permissions: ObservedPermission[];
}

export interface ColumnToAdd {
  name: string;
  type: string;
  static?: boolean;
}

export interface CassandraAdmin {
  observe(): Promise<ObservedCassandra>;
  /** Runs one schema statement (CREATE/ALTER/DROP KEYSPACE or TABLE), waiting for schema agreement. */
  schema(statement: string): Promise<void>;
  grant(permission: string, keyspace: string, role: string): Promise<void>;
  revoke(permission: string, keyspace: string, role: string): Promise<void>;
  close(): Promise<void>;
}

/** The resource name Cassandra's authorizer uses for a keyspace. */
export const keyspaceResource = (keyspace: string): string => `data/${keyspace}`;
