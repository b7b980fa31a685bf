/**
 * ACLs, one resource per declared principal (`acl/<name>`): the bindings expanded from produces,
 * consumes and acls against the bindings Kafka has for `User:<name>`. Bindings of principals the spec
 * does not declare are someone else's (the platform's own users, hand-made grants) and are not touched.
 */
import { bindingKey, type AclBinding } from '../clients/kafka-types';
import type { PrincipalSpec } from '../spec/types';
import type { Change, Provider, StepBase } from './types';

export interface AclStep extends StepBase {
  kind: 'acl';
  /** Principal name without the `User:` prefix. */
  user: string;
  add: AclBinding[];
  remove: AclBinding[];
  /** Bindings of this principal that the spec does not declare and that stay. */
  kept: AclBinding[];
  /** no-prune: `--prune` would remove them; unmanaged: Sluice has never managed this principal's ACLs. */
  keptBecause?: 'no-prune' | 'unmanaged';
}

export const aclId = (user: string): string => `acl/${user}`;
const USER = 'User:';

export { bindingKey };

/** `allow WRITE topic:web.access-logs`, `allow READ group:flink-*` (prefixed), `… from 10.0.0.5`. */
export function describeBinding(b: AclBinding, operations: string = b.operation.toUpperCase()): string {
  const name = `${b.resourceName}${b.patternType === 'prefixed' ? '*' : ''}`;
  return `${b.permission} ${operations} ${b.resourceType}:${name}${b.host === '*' ? '' : ` from ${b.host}`}`;
}

/** The bindings a principal needs, in spec order, without duplicates. */
export function expandAcls(principal: PrincipalSpec): AclBinding[] {
  const user = `${USER}${principal.name}`;
  const bindings: AclBinding[] = [];
  const literal = (
    resourceType: AclBinding['resourceType'],
    resourceName: string,
    operation: AclBinding['operation'],
  ): void => {
    bindings.push({
      principal: user,
      resourceType,
      resourceName,
      patternType: 'literal',
      operation,
      permission: 'allow',
      host: '*',
    });
  };
  for (const topic of principal.produces) {
    literal('topic', topic, 'write');
    literal('topic', topic, 'describe');
  }
  for (const consume of principal.consumes) {
    literal('group', consume.group, 'read');
    for (const topic of consume.topics) {
      literal('topic', topic, 'read');
      literal('topic', topic, 'describe');
    }
  }
  for (const acl of principal.acls) {
    for (const operation of acl.operations) {
      bindings.push({
        principal: user,
        resourceType: acl.resourceType,
        resourceName: acl.name,
        patternType: acl.patternType,
        operation,
        permission: acl.permission,
        host: acl.host,
      });
    }
  }
  // A topic both produced and consumed needs DESCRIBE once.
  const unique = new Map<string, AclBinding>();
  for (const binding of bindings) if (!unique.has(bindingKey(binding))) unique.set(bindingKey(binding), binding);
  return [...unique.values()];
}

function minus(a: AclBinding[], b: AclBinding[]): AclBinding[] {
  const keys = new Set(b.map(bindingKey));
  return a.filter((binding) => !keys.has(bindingKey(binding)));
}

const added = (b: AclBinding): Change => ({ field: 'acl', to: describeBinding(b) });
const removed = (b: AclBinding): Change => ({ field: 'acl', from: describeBinding(b) });

export const aclProvider: Provider<AclBinding[], AclBinding[], AclStep> = {
  kind: 'acl',

  desired(spec) {
    // Every declared principal gets an id, even without bindings: declaring it claims its ACLs.
    return new Map(spec.principals.map((p) => [aclId(p.name), expandAcls(p)]));
  },

  observed({ kafka: cluster }) {
    const byUser = new Map<string, AclBinding[]>();
    for (const binding of cluster.acls) {
      if (!binding.principal.startsWith(USER)) continue;
      const id = aclId(binding.principal.slice(USER.length));
      byUser.set(id, [...(byUser.get(id) ?? []), binding]);
    }
    return byUser;
  },

  diff(id, desired, observed, context) {
    const user = id.slice('acl/'.length);
    const current = observed ?? [];
    if (!desired) {
      return {
        kind: 'acl',
        id,
        user,
        action: 'delete',
        changes: current.map(removed),
        add: [],
        remove: current,
        kept: [],
      };
    }
    const add = minus(desired, current);
    const extra = minus(current, desired);
    // Extra bindings go only with --prune, and only once Sluice manages this principal's ACLs: the first
    // apply of a spec must not strip grants someone made by hand before.
    const managed = context.managed.has(id);
    const remove = context.prune && managed ? extra : [];
    const kept = context.prune && managed ? [] : extra;
    const action = add.length + remove.length === 0 ? 'noop' : current.length === 0 ? 'create' : 'update';
    const step: AclStep = {
      kind: 'acl',
      id,
      user,
      action,
      changes: [...add.map(added), ...remove.map(removed)],
      add,
      remove,
      kept,
    };
    if (kept.length > 0) step.keptBecause = managed ? 'no-prune' : 'unmanaged';
    return step;
  },

  async create({ kafka }, step) {
    if (step.add.length > 0) await kafka.createAcls(step.add);
  },

  async update({ kafka }, step) {
    if (step.add.length > 0) await kafka.createAcls(step.add);
    if (step.remove.length > 0) await kafka.deleteAcls(step.remove);
  },

  async delete({ kafka }, step) {
    if (step.remove.length > 0) await kafka.deleteAcls(step.remove);
  },
};
