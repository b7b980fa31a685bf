/**
 * The InfluxDB database of the spec (`influx.database`). Created without a retention policy (the server
 * does not make `autogen`): the influx-retention-policy steps that follow make the spec's. Deleted
 * (DROP DATABASE, with every point) only with --prune.
 */
import { influxIdentifier } from '../clients/influx';
import type { Provider, StepBase } from './types';

export interface InfluxDatabaseStep extends StepBase {
  kind: 'influx-database';
  database: string;
}

export const influxDatabaseId = (database: string): string => `influx-database/${database}`;

export const influxDatabaseProvider: Provider<{ database: string }, { database: string }, InfluxDatabaseStep> = {
  kind: 'influx-database',

  desired(spec) {
    return spec.influx
      ? new Map([[influxDatabaseId(spec.influx.database), { database: spec.influx.database }]])
      : new Map();
  },

  observed({ influx }) {
    return new Map((influx?.databases ?? []).map((database) => [influxDatabaseId(database), { database }]));
  },

  diff(id, desired, observed) {
    const database = desired?.database ?? observed!.database;
    const base = { kind: 'influx-database' as const, id, database };
    if (!desired)
      return { ...base, action: 'delete', changes: [{ field: 'database', from: `${database} with every point` }] };
    if (!observed) return { ...base, action: 'create', changes: [{ field: 'database', to: database }] };
    return { ...base, action: 'noop', changes: [] };
  },

  async create({ influx }, step) {
    await influx.execute(`CREATE DATABASE ${influxIdentifier(step.database)}`);
  },

  async update() {
    // A database has nothing to update: its policies and grants are resources of their own.
  },

  async delete({ influx }, step) {
    await influx.execute(`DROP DATABASE ${influxIdentifier(step.database)}`);
  },
};
