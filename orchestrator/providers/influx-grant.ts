/**
 * The privilege of a user on the spec's InfluxDB database (`influx.grants`): READ, WRITE or ALL. InfluxDB
 * keeps one privilege per user and database, and GRANT replaces it. A user that does not exist refuses
 * the plan (the launcher makes sluice-connect and grafana). Removed, with --prune, by REVOKE ALL.
 */
import { influxIdentifier } from '../clients/influx';
import type { InfluxPrivilege, ObservedInfluxGrant } from '../clients/influx-types';
import type { Provider, StepBase } from './types';

export interface InfluxGrantStep extends StepBase {
  kind: 'influx-grant';
  database: string;
  user: string;
  /** The privilege to hold (absent for delete: revoke all). */
  privilege?: InfluxPrivilege;
}

export const influxGrantId = (database: string, user: string): string => `influx-grant/${database}/${user}`;

export interface DesiredInfluxGrant {
  database: string;
  user: string;
  privilege: InfluxPrivilege;
}

const statement = (privilege: InfluxPrivilege): string => (privilege === 'ALL' ? 'ALL PRIVILEGES' : privilege);

export const influxGrantProvider: Provider<DesiredInfluxGrant, ObservedInfluxGrant, InfluxGrantStep> = {
  kind: 'influx-grant',

  desired(spec) {
    if (!spec.influx) return new Map();
    const database = spec.influx.database;
    return new Map(
      spec.influx.grants.map((g) => [
        influxGrantId(database, g.user),
        { database, user: g.user, privilege: g.privilege.toUpperCase() as InfluxPrivilege },
      ]),
    );
  },

  observed({ influx }) {
    return new Map((influx?.grants ?? []).map((g) => [influxGrantId(g.database, g.user), g]));
  },

  diff(id, desired, observed, context) {
    const database = desired?.database ?? observed!.database;
    const user = desired?.user ?? observed!.user;
    const base = { kind: 'influx-grant' as const, id, database, user };
    if (!desired) return { ...base, action: 'delete', changes: [{ field: 'privilege', from: observed!.privilege }] };
    if (context.influxUsers && !context.influxUsers.has(user)) {
      const refused = `user ${user} does not exist in InfluxDB: the launcher makes sluice-connect and grafana (npx sluice platform up influxdb); make others by hand (CREATE USER), or remove the grant`;
      return { ...base, action: 'refused', reason: refused, changes: [{ field: 'user', to: user, refused }] };
    }
    if (!observed)
      return {
        ...base,
        action: 'create',
        privilege: desired.privilege,
        changes: [{ field: 'privilege', to: desired.privilege }],
      };
    if (observed.privilege === desired.privilege)
      return { ...base, action: 'noop', privilege: desired.privilege, changes: [] };
    return {
      ...base,
      action: 'update',
      privilege: desired.privilege,
      changes: [{ field: 'privilege', from: observed.privilege, to: desired.privilege }],
    };
  },

  async create({ influx }, step) {
    await influx.execute(
      `GRANT ${statement(step.privilege!)} ON ${influxIdentifier(step.database)} TO ${influxIdentifier(step.user)}`,
    );
  },

  async update({ influx }, step) {
    await influx.execute(
      `GRANT ${statement(step.privilege!)} ON ${influxIdentifier(step.database)} TO ${influxIdentifier(step.user)}`,
    );
  },

  async delete({ influx }, step) {
    await influx.execute(
      `REVOKE ALL PRIVILEGES ON ${influxIdentifier(step.database)} FROM ${influxIdentifier(step.user)}`,
    );
  },
};
