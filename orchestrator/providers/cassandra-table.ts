/**
 * Cassandra tables, one per CREATE TABLE of the spec's CQL files. A missing table is created; a column the
 * file adds becomes ALTER TABLE ADD; changed options become ALTER TABLE WITH. What Cassandra cannot change
 * in place is refused with what to do instead, like a topic's partitions: the primary key (partition key,
 * clustering columns and their order) and a column's type. A column the file no longer has is refused
 * too: dropping it would delete its data, so that is left to a person. Options are normalised before the
 * diff (Cassandra names classes in full and adds defaults to the maps): only keys the file sets count.
 */
import {
  quoteIdentifier,
  renderCreateTable,
  renderOptionValue,
  type CqlOptionValue,
  type CqlTable,
} from '../lib/cql/table';
import type { ColumnToAdd, ObservedColumn, ObservedTable } from '../clients/cassandra-types';
import type { CassandraTableSpec } from '../spec/types';
import { simpleClassName } from './cassandra-keyspace';
import type { Change, Provider, StepBase } from './types';

export interface CassandraTableStep extends StepBase {
  kind: 'cassandra-table';
  keyspace: string;
  table: string;
  /** CREATE TABLE (create). */
  statement?: string;
  /** ALTER TABLE ADD (update). */
  addColumns: ColumnToAdd[];
  /** ALTER TABLE WITH (update): option → CQL literal. */
  options: Record<string, string>;
}

export const cassandraTableId = (keyspace: string, table: string): string => `cassandra-table/${keyspace}.${table}`;

export interface DesiredTable {
  keyspace: string;
  spec: CassandraTableSpec;
}

/** `((hour), ts DESC, event_id ASC)` */
export function describeKey(partition: string[], clustering: Array<{ name: string; order: string }>): string {
  return `((${partition.join(', ')})${clustering.map((c) => `, ${c.name} ${c.order.toUpperCase()}`).join('')})`;
}

function observedKey(table: ObservedTable): {
  partition: string[];
  clustering: Array<{ name: string; order: string }>;
} {
  const byPosition = (a: ObservedColumn, b: ObservedColumn) => a.position - b.position;
  return {
    partition: table.columns
      .filter((c) => c.kind === 'partition_key')
      .sort(byPosition)
      .map((c) => c.name),
    clustering: table.columns
      .filter((c) => c.kind === 'clustering')
      .sort(byPosition)
      .map((c) => ({ name: c.name, order: c.clusteringOrder === 'desc' ? 'desc' : 'asc' })),
  };
}

const scalarText = (value: unknown): string => String(value);

/** The option as the file sets it, and as Cassandra has it, in comparable text; equal when they match. */
export function optionDiffers(desired: CqlOptionValue, observed: string | Record<string, string> | undefined): boolean {
  if (typeof desired !== 'object') return typeof observed !== 'string' || scalarText(desired) !== observed;
  if (observed === undefined || typeof observed === 'string') return true;
  return Object.entries(desired).some(([key, value]) => {
    const have = observed[key];
    if (have === undefined) return true;
    return key === 'class' ? simpleClassName(String(value)) !== simpleClassName(have) : scalarText(value) !== have;
  });
}

const showObserved = (value: string | Record<string, string> | undefined): string | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? value : renderOptionValue(value);

function createChanges(table: CqlTable, file: string): Change[] {
  const changes: Change[] = [
    { field: 'primaryKey', to: describeKey(table.partitionKey, table.clustering) },
    { field: 'columns', to: table.columns.length },
  ];
  const ttl = table.options.default_time_to_live;
  if (ttl !== undefined) changes.push({ field: 'default_time_to_live', to: ttl });
  changes.push({ field: 'file', to: file });
  return changes;
}

function keyRefusal(name: string): string {
  return (
    `Cassandra cannot change a table's primary key; create a new table (e.g. ${name}_v2) with the new key, copy the rows, ` +
    'and point writers and readers at it, or keep the key as it is'
  );
}

function updateChanges(
  keyspace: string,
  desired: CqlTable,
  observed: ObservedTable,
): { changes: Change[]; add: ColumnToAdd[]; options: Record<string, string> } {
  const changes: Change[] = [];
  const add: ColumnToAdd[] = [];
  const options: Record<string, string> = {};
  const have = observedKey(observed);
  const wanted = describeKey(desired.partitionKey, desired.clustering);
  const current = describeKey(have.partition, have.clustering);
  if (wanted !== current)
    changes.push({ field: 'primaryKey', from: current, to: wanted, refused: keyRefusal(desired.name) });

  const keyColumns = new Set([...desired.partitionKey, ...desired.clustering.map((c) => c.name)]);
  const columns = new Map(observed.columns.map((c) => [c.name, c]));
  for (const column of desired.columns) {
    const existing = columns.get(column.name);
    const field = `column.${column.name}`;
    if (!existing) {
      // A new key column is part of the primary key change refused above.
      if (keyColumns.has(column.name)) continue;
      add.push({ name: column.name, type: column.type, ...(column.static ? { static: true } : {}) });
      changes.push({ field, to: `${column.type}${column.static ? ' static' : ''}` });
    } else if (existing.type !== column.type) {
      changes.push({
        field,
        from: existing.type,
        to: column.type,
        refused: `Cassandra cannot change the type of a column; add a column with another name and type ${column.type} (write both while readers move), or keep ${existing.type}`,
      });
    } else if ((existing.kind === 'static') !== column.static && !keyColumns.has(column.name)) {
      changes.push({
        field,
        from: existing.kind,
        to: column.static ? 'static' : 'regular',
        refused:
          'Cassandra cannot make a column static or regular once it exists; add a column with another name, or keep it as it is',
      });
    }
  }
  const declared = new Set(desired.columns.map((c) => c.name));
  for (const column of observed.columns) {
    if (declared.has(column.name) || column.kind === 'partition_key' || column.kind === 'clustering') continue;
    changes.push({
      field: `column.${column.name}`,
      from: column.type,
      to: '(not in the file)',
      refused: `dropping a column deletes its data, so deploy-pipeline does not: put the column back in the file, or drop it by hand (ALTER TABLE ${keyspace}.${observed.name} DROP ${quoteIdentifier(column.name)})`,
    });
  }

  for (const [name, value] of Object.entries(desired.options)) {
    const current = observed.options[name];
    if (!optionDiffers(value, current)) continue;
    options[name] = renderOptionValue(value);
    const change: Change = {
      field: `config.${name}`,
      to: typeof value === 'object' ? renderOptionValue(value) : value,
    };
    const from = showObserved(current);
    if (from !== undefined) change.from = from;
    changes.push(change);
  }
  return { changes, add, options };
}

export const cassandraTableProvider: Provider<DesiredTable, ObservedTable, CassandraTableStep> = {
  kind: 'cassandra-table',

  desired(spec) {
    if (!spec.cassandra) return new Map();
    const keyspace = spec.cassandra.keyspace;
    return new Map(spec.cassandra.definitions.map((d) => [cassandraTableId(keyspace, d.name), { keyspace, spec: d }]));
  },

  observed({ cassandra }) {
    return new Map((cassandra?.tables ?? []).map((t) => [cassandraTableId(t.keyspace, t.name), t]));
  },

  diff(id, desired, observed) {
    const keyspace = desired?.keyspace ?? observed!.keyspace;
    const table = desired?.spec.name ?? observed!.name;
    const base = { kind: 'cassandra-table' as const, id, keyspace, table, addColumns: [], options: {} };
    if (!desired)
      return {
        ...base,
        action: 'delete',
        changes: [{ field: 'table', from: `${observed?.columns.length ?? 0} columns and every row` }],
      };
    if (!observed) {
      return {
        ...base,
        action: 'create',
        statement: renderCreateTable(keyspace, desired.spec.table),
        changes: createChanges(desired.spec.table, desired.spec.file),
      };
    }
    const { changes, add, options } = updateChanges(keyspace, desired.spec.table, observed);
    const refusals = changes.filter((c) => c.refused);
    if (refusals.length) {
      return {
        ...base,
        action: 'refused',
        changes,
        reason: `${desired.spec.path} (${desired.spec.file}): ${refusals.map((c) => `${c.field}: ${c.refused}`).join('; ')}`,
      };
    }
    if (changes.length === 0) return { ...base, action: 'noop', changes };
    return { ...base, action: 'update', addColumns: add, options, changes };
  },

  async create({ cassandra }, step) {
    await cassandra.schema(step.statement!);
  },

  async update({ cassandra }, step) {
    const table = `${quoteIdentifier(step.keyspace)}.${quoteIdentifier(step.table)}`;
    for (const column of step.addColumns) {
      await cassandra.schema(
        `ALTER TABLE ${table} ADD ${quoteIdentifier(column.name)} ${column.type}${column.static ? ' STATIC' : ''}`,
      );
    }
    const options = Object.entries(step.options);
    if (options.length)
      await cassandra.schema(`ALTER TABLE ${table} WITH ${options.map(([k, v]) => `${k} = ${v}`).join(' AND ')}`);
  },

  async delete({ cassandra }, step) {
    await cassandra.schema(`DROP TABLE IF EXISTS ${quoteIdentifier(step.keyspace)}.${quoteIdentifier(step.table)}`);
  },
};
