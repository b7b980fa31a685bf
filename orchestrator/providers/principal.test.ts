import { principalProvider } from './principal';
import type { DiffContext } from './types';

const context = (secrets: string[]): DiffContext => ({
  brokerCount: 3,
  prune: false,
  managed: new Set(),
  hasSecret: (name) => secrets.includes(name),
});

describe('principalProvider.diff', () => {
  const user = { user: 'sim-web' };

  it('creates a missing user', () => {
    expect(principalProvider.diff('principal/sim-web', user, undefined, context([]))).toMatchObject({
      action: 'create',
      user: 'sim-web',
    });
  });

  it('is a noop when the user exists and its password is known locally', () => {
    expect(principalProvider.diff('principal/sim-web', user, user, context(['users/sim-web'])).action).toBe('noop');
  });

  it('replaces the password of a user whose secret is not known locally', () => {
    const step = principalProvider.diff('principal/sim-web', user, user, context(['users/other']));
    expect(step).toMatchObject({ action: 'update', reason: 'password not known locally' });
    expect(JSON.stringify(step)).not.toMatch(/generated|secret-value/);
  });

  it('deletes', () => {
    expect(principalProvider.diff('principal/sim-web', undefined, user, context([])).action).toBe('delete');
  });

  it('lists only SCRAM users as observed', () => {
    const observed = principalProvider.observed({
      kafka: { brokerCount: 1, topics: [], scramUsers: ['admin', 'sim-web'], acls: [] },
      subjects: [],
      sqlJobs: [],
    });
    expect([...observed.keys()]).toEqual(['principal/admin', 'principal/sim-web']);
  });
});
