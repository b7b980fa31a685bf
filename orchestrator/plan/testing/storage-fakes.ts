/**
 * In-memory Cassandra and InfluxDB for unit tests of the storage providers: each keeps an observed state
 * and interprets the statements the providers send (the CREATE TABLE through the real parser), so that
 * plan → apply → plan can be tested without servers. Like Cassandra, it names classes in full and adds
 * the defaults it echoes back.
 */
import { parseCreateTable, renderOptionValue, type CqlOptionValue } from '../../lib/cql/table';
import { normaliseInfluxDuration } from '../../lib/influx/duration';
import type { CassandraAdmin, ObservedCassandra, ObservedColumn } from '../../clients/cassandra-types';
import type { InfluxAdmin, InfluxPrivilege, ObservedInflux } from '../../clients/influx-types';

export interface FakeCassandra extends CassandraAdmin {
  state: ObservedCassandra;
  statements: string[];
}

const FULL_CLASS: Record<string, string> = {
  SimpleStrategy: 'org.apache.cassandra.locator.SimpleStrategy',
  NetworkTopologyStrategy: 'org.apache.cassandra.locator.NetworkTopologyStrategy',
  TimeWindowCompactionStrategy: 'org.apache.cassandra.db.compaction.TimeWindowCompactionStrategy',
  SizeTieredCompactionStrategy: 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy',
};

/** `{'class': 'SimpleStrategy', 'replication_factor': 1}` → a string map, classes in full. */
function parseMap(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, key, value] of text.matchAll(/'([^']+)'\s*:\s*('(?:[^']|'')*'|[^,}]+)/g)) {
    const raw = value!.trim().replace(/^'|'$/g, '');
    out[key!] = key === 'class' ? (FULL_CLASS[raw] ?? raw) : raw;
  }
  return out;
}

function optionValue(value: CqlOptionValue): string | Record<string, string> {
  if (typeof value !== 'object') return String(value);
  const map = parseMap(renderOptionValue(value));
  // Cassandra adds the thresholds to every compaction map.
  return map.class?.includes('compaction') ? { max_threshold: '32', min_threshold: '4', ...map } : map;
}

export function fakeCassandra(roles: string[] = ['admin', 'sluice-connect']): FakeCassandra {
  const state: ObservedCassandra = { keyspaces: [], tables: [], roles: [...roles], permissions: [] };
  const statements: string[] = [];
  const permissionsOf = (role: string, keyspace: string) => {
    let entry = state.permissions.find((p) => p.role === role && p.resource === `data/${keyspace}`);
    if (!entry) {
      entry = { role, resource: `data/${keyspace}`, permissions: [] };
      state.permissions.push(entry);
    }
    return entry;
  };
  return {
    state,
    statements,
    async observe() {
      return structuredClone(state);
    },
    async schema(statement) {
      statements.push(statement);
      let m: RegExpExecArray | null;
      if ((m = /^(?:CREATE|ALTER) KEYSPACE (?:IF NOT EXISTS )?(\w+) WITH replication = (\{.*\})$/s.exec(statement))) {
        state.keyspaces = state.keyspaces.filter((k) => k.name !== m![1]);
        state.keyspaces.push({ name: m[1]!, replication: parseMap(m[2]!) });
      } else if ((m = /^DROP KEYSPACE IF EXISTS (\w+)$/.exec(statement))) {
        state.keyspaces = state.keyspaces.filter((k) => k.name !== m![1]);
        state.tables = state.tables.filter((t) => t.keyspace !== m![1]);
      } else if (/^CREATE TABLE/.test(statement)) {
        const table = parseCreateTable(statement);
        const columns: ObservedColumn[] = table.columns.map((c) => {
          const partition = table.partitionKey.indexOf(c.name);
          const clustering = table.clustering.findIndex((k) => k.name === c.name);
          if (partition >= 0)
            return { name: c.name, type: c.type, kind: 'partition_key', position: partition, clusteringOrder: 'none' };
          if (clustering >= 0)
            return {
              name: c.name,
              type: c.type,
              kind: 'clustering',
              position: clustering,
              clusteringOrder: table.clustering[clustering]!.order,
            };
          return {
            name: c.name,
            type: c.type,
            kind: c.static ? 'static' : 'regular',
            position: -1,
            clusteringOrder: 'none',
          };
        });
        const options = Object.fromEntries(Object.entries(table.options).map(([k, v]) => [k, optionValue(v)]));
        state.tables.push({
          keyspace: table.keyspace!,
          name: table.name,
          columns,
          options: { speculative_retry: '99p', default_time_to_live: '0', ...options },
        });
      } else if ((m = /^ALTER TABLE (\w+)\.(\w+) ADD (\w+) (.+?)( STATIC)?$/.exec(statement))) {
        const table = state.tables.find((t) => t.keyspace === m![1] && t.name === m![2])!;
        table.columns.push({
          name: m[3]!,
          type: m[4]!,
          kind: m[5] ? 'static' : 'regular',
          position: -1,
          clusteringOrder: 'none',
        });
      } else if ((m = /^ALTER TABLE (\w+)\.(\w+) WITH (.+)$/s.exec(statement))) {
        const table = state.tables.find((t) => t.keyspace === m![1] && t.name === m![2])!;
        for (const part of m[3]!.split(/ AND (?=\w+ = )/)) {
          const [key, ...rest] = part.split(' = ');
          const value = rest.join(' = ');
          table.options[key!] = value.startsWith('{')
            ? optionValue(JSON.parse(value.replace(/'/g, '"')) as Record<string, string>)
            : value.replace(/^'|'$/g, '');
        }
      } else if ((m = /^DROP TABLE IF EXISTS (\w+)\.(\w+)$/.exec(statement))) {
        state.tables = state.tables.filter((t) => !(t.keyspace === m![1] && t.name === m![2]));
      } else {
        throw new Error(`fake Cassandra does not know: ${statement}`);
      }
    },
    async grant(permission, keyspace, role) {
      statements.push(`GRANT ${permission} ON KEYSPACE ${keyspace} TO ${role}`);
      const entry = permissionsOf(role, keyspace);
      if (!entry.permissions.includes(permission)) entry.permissions.push(permission);
    },
    async revoke(permission, keyspace, role) {
      statements.push(`REVOKE ${permission} ON KEYSPACE ${keyspace} FROM ${role}`);
      const entry = permissionsOf(role, keyspace);
      entry.permissions = entry.permissions.filter((p) => p !== permission);
    },
    async close() {},
  };
}

export interface FakeInflux extends InfluxAdmin {
  state: ObservedInflux;
  statements: string[];
}

export function fakeInflux(users: string[] = ['sluice-connect', 'grafana']): FakeInflux {
  const state: ObservedInflux = {
    databases: [],
    retentionPolicies: [],
    users: [{ name: 'admin', admin: true }, ...users.map((name) => ({ name, admin: false }))],
    grants: [],
  };
  const statements: string[] = [];
  const unquote = (s: string) => s.replace(/^"|"$/g, '');
  return {
    state,
    statements,
    async observe() {
      return structuredClone(state);
    },
    async execute(statement) {
      statements.push(statement);
      let m: RegExpExecArray | null;
      if ((m = /^CREATE DATABASE ("[^"]+")$/.exec(statement))) {
        state.databases.push(unquote(m[1]!));
      } else if ((m = /^DROP DATABASE ("[^"]+")$/.exec(statement))) {
        const db = unquote(m[1]!);
        state.databases = state.databases.filter((d) => d !== db);
        state.retentionPolicies = state.retentionPolicies.filter((p) => p.database !== db);
        state.grants = state.grants.filter((g) => g.database !== db);
      } else if (
        (m =
          /^(CREATE|ALTER) RETENTION POLICY ("[^"]+") ON ("[^"]+")(?: DURATION (\S+))?(?: REPLICATION (\d+))?(?: SHARD DURATION (\S+))?( DEFAULT)?$/.exec(
            statement,
          ))
      ) {
        const [, verb, name, db, duration, replication, shard, isDefault] = m;
        let policy = state.retentionPolicies.find((p) => p.database === unquote(db!) && p.name === unquote(name!));
        if (verb === 'CREATE') {
          policy = {
            database: unquote(db!),
            name: unquote(name!),
            duration: '0s',
            shardGroupDuration: '168h0m0s',
            replication: 1,
            default: false,
          };
          state.retentionPolicies.push(policy);
        }
        if (!policy) throw new Error(`no policy ${name}`);
        if (duration) policy.duration = normaliseInfluxDuration(duration)!;
        if (replication) policy.replication = Number(replication);
        if (shard) policy.shardGroupDuration = normaliseInfluxDuration(shard)!;
        if (isDefault)
          for (const p of state.retentionPolicies) if (p.database === policy.database) p.default = p === policy;
      } else if ((m = /^DROP RETENTION POLICY ("[^"]+") ON ("[^"]+")$/.exec(statement))) {
        state.retentionPolicies = state.retentionPolicies.filter(
          (p) => !(p.database === unquote(m![2]!) && p.name === unquote(m![1]!)),
        );
      } else if ((m = /^GRANT (READ|WRITE|ALL PRIVILEGES) ON ("[^"]+") TO ("[^"]+")$/.exec(statement))) {
        const [database, user] = [unquote(m[2]!), unquote(m[3]!)];
        state.grants = state.grants.filter((g) => !(g.database === database && g.user === user));
        state.grants.push({ database, user, privilege: (m[1] === 'ALL PRIVILEGES' ? 'ALL' : m[1]) as InfluxPrivilege });
      } else if ((m = /^REVOKE ALL PRIVILEGES ON ("[^"]+") FROM ("[^"]+")$/.exec(statement))) {
        state.grants = state.grants.filter((g) => !(g.database === unquote(m![1]!) && g.user === unquote(m![2]!)));
      } else {
        throw new Error(`fake InfluxDB does not know: ${statement}`);
      }
    },
  };
}
