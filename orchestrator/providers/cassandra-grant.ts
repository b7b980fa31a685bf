/**
 * Permissions of a role on the spec's keyspace (`cassandra.grants`), read from system_auth.role_permissions.
 * The role ends up with exactly the listed permissions: missing ones are granted, others revoked. A role
 * that does not exist refuses the plan (the launcher makes sluice-connect; others are made by hand).
 * Roles the spec does not list are left alone, unless Sluice granted them before and --prune is given.
 */
import { keyspaceResource, type ObservedPermission } from '../clients/cassandra-types';
import type { Change, Provider, StepBase } from './types';

export interface CassandraGrantStep extends StepBase {
  kind: 'cassandra-grant';
  keyspace: string;
  role: string;
  /** Upper-case CQL permissions to grant and to revoke. */
  grant: string[];
  revoke: string[];
}

export const cassandraGrantId = (keyspace: string, role: string): string => `cassandra-grant/${keyspace}/${role}`;

export interface DesiredGrant {
  keyspace: string;
  role: string;
  /** Upper-case, sorted. */
  permissions: string[];
}

interface ObservedGrant {
  keyspace: string;
  role: string;
  permissions: string[];
}

const list = (permissions: string[]): string => permissions.join(',');

export const cassandraGrantProvider: Provider<DesiredGrant, ObservedGrant, CassandraGrantStep> = {
  kind: 'cassandra-grant',

  desired(spec) {
    if (!spec.cassandra) return new Map();
    const keyspace = spec.cassandra.keyspace;
    return new Map(
      spec.cassandra.grants.map((g) => [
        cassandraGrantId(keyspace, g.role),
        { keyspace, role: g.role, permissions: [...new Set(g.permissions.map((p) => p.toUpperCase()))].sort() },
      ]),
    );
  },

  observed({ cassandra }) {
    const out = new Map<string, ObservedGrant>();
    const keyspaces = new Set((cassandra?.keyspaces ?? []).map((k) => k.name));
    for (const entry of cassandra?.permissions ?? ([] as ObservedPermission[])) {
      const keyspace = entry.resource.slice('data/'.length);
      if (entry.resource !== keyspaceResource(keyspace) || !keyspaces.has(keyspace) || entry.permissions.length === 0)
        continue;
      out.set(cassandraGrantId(keyspace, entry.role), {
        keyspace,
        role: entry.role,
        permissions: [...entry.permissions].sort(),
      });
    }
    return out;
  },

  diff(id, desired, observed, context) {
    const keyspace = desired?.keyspace ?? observed!.keyspace;
    const role = desired?.role ?? observed!.role;
    const base = { kind: 'cassandra-grant' as const, id, keyspace, role };
    const have = observed?.permissions ?? [];
    if (!desired)
      return {
        ...base,
        action: 'delete',
        grant: [],
        revoke: have,
        changes: [{ field: 'permissions', from: list(have) }],
      };
    if (context.cassandraRoles && !context.cassandraRoles.has(role)) {
      const refused = `role ${role} does not exist in Cassandra: the launcher makes sluice-connect (npx sluice platform up cassandra); make other roles by hand (CREATE ROLE), or remove the grant`;
      return {
        ...base,
        action: 'refused',
        grant: [],
        revoke: [],
        reason: refused,
        changes: [{ field: 'role', to: role, refused }],
      };
    }
    const grant = desired.permissions.filter((p) => !have.includes(p));
    const revoke = have.filter((p) => !desired.permissions.includes(p));
    if (grant.length === 0 && revoke.length === 0) return { ...base, action: 'noop', grant, revoke, changes: [] };
    const change: Change = { field: 'permissions', to: list(desired.permissions) };
    if (observed) change.from = list(have);
    return { ...base, action: observed ? 'update' : 'create', grant, revoke, changes: [change] };
  },

  async create({ cassandra }, step) {
    for (const permission of step.grant) await cassandra.grant(permission, step.keyspace, step.role);
  },

  async update({ cassandra }, step) {
    for (const permission of step.grant) await cassandra.grant(permission, step.keyspace, step.role);
    for (const permission of step.revoke) await cassandra.revoke(permission, step.keyspace, step.role);
  },

  async delete({ cassandra }, step) {
    for (const permission of step.revoke) await cassandra.revoke(permission, step.keyspace, step.role);
  },
};
