import type { AclBinding } from '../clients/kafka-types';
import { aclProvider, describeBinding, expandAcls } from './acl';
import type { DiffContext } from './types';

const context = (over: Partial<DiffContext> = {}): DiffContext => ({
  brokerCount: 3,
  prune: false,
  managed: new Set(),
  hasSecret: () => true,
  ...over,
});

const binding = (
  resourceName: string,
  operation: AclBinding['operation'],
  over: Partial<AclBinding> = {},
): AclBinding => ({
  principal: 'User:svc',
  resourceType: 'topic',
  resourceName,
  patternType: 'literal',
  operation,
  permission: 'allow',
  host: '*',
  ...over,
});

describe('expandAcls', () => {
  it('expands produces, consumes and raw acls, once each', () => {
    const bindings = expandAcls({
      name: 'svc',
      produces: ['out'],
      consumes: [{ group: 'g', topics: ['in', 'out'] }],
      acls: [
        {
          resourceType: 'transactional-id',
          name: 'svc-',
          patternType: 'prefixed',
          operations: ['write'],
          permission: 'allow',
          host: '*',
        },
      ],
    });
    expect(bindings.map((b) => describeBinding(b))).toEqual([
      'allow WRITE topic:out',
      'allow DESCRIBE topic:out',
      'allow READ group:g',
      'allow READ topic:in',
      'allow DESCRIBE topic:in',
      'allow READ topic:out',
      'allow WRITE transactional-id:svc-*',
    ]);
    expect(bindings.every((b) => b.principal === 'User:svc')).toBe(true);
  });
});

describe('aclProvider.diff', () => {
  const desired = [binding('out', 'write'), binding('out', 'describe')];
  const extra = binding('legacy', 'read');

  it('creates the bindings of a principal that has none', () => {
    const step = aclProvider.diff('acl/svc', desired, undefined, context());
    expect(step).toMatchObject({ action: 'create', add: desired, remove: [], kept: [] });
  });

  it('adds what is missing and keeps extra bindings without --prune', () => {
    const step = aclProvider.diff('acl/svc', desired, [desired[0]!, extra], context({ managed: new Set(['acl/svc']) }));
    expect(step).toMatchObject({
      action: 'update',
      add: [desired[1]],
      remove: [],
      kept: [extra],
      keptBecause: 'no-prune',
    });
  });

  it('removes extra bindings with --prune once Sluice manages the principal', () => {
    const step = aclProvider.diff(
      'acl/svc',
      desired,
      [...desired, extra],
      context({ prune: true, managed: new Set(['acl/svc']) }),
    );
    expect(step).toMatchObject({ action: 'update', add: [], remove: [extra], kept: [] });
  });

  it('keeps extra bindings of a principal Sluice does not manage yet, even with --prune', () => {
    const step = aclProvider.diff('acl/svc', desired, [...desired, extra], context({ prune: true }));
    expect(step).toMatchObject({ action: 'noop', kept: [extra], keptBecause: 'unmanaged' });
  });

  it('deletes every binding of a principal the planner wants gone', () => {
    expect(aclProvider.diff('acl/svc', undefined, [extra], context())).toMatchObject({
      action: 'delete',
      remove: [extra],
    });
  });

  it('groups observed bindings by user and ignores other principal types', () => {
    const observed = aclProvider.observed({
      kafka: {
        brokerCount: 1,
        topics: [],
        scramUsers: [],
        acls: [
          extra,
          binding('x', 'read', { principal: 'User:other' }),
          binding('y', 'read', { principal: 'Group:ops' }),
        ],
      },
      subjects: [],
      sqlJobs: [],
    });
    expect([...observed.keys()]).toEqual(['acl/svc', 'acl/other']);
  });
});
