import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { principalProvider, removeClientFiles } from './principal';
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

describe('removeClientFiles', () => {
  it("removes the user's folder of client files only, and never climbs out of the folder", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-clients-'));
    try {
      for (const user of ['sim-web', 'admin']) {
        mkdirSync(join(dir, user));
        writeFileSync(join(dir, user, 'kcat.properties'), 'sasl.password=x\n');
      }
      removeClientFiles(dir, 'sim-web');
      expect(existsSync(join(dir, 'sim-web'))).toBe(false);
      expect(existsSync(join(dir, 'admin', 'kcat.properties'))).toBe(true);
      for (const name of ['..', '.', '../admin', 'admin/..']) removeClientFiles(join(dir, 'sim-web'), name);
      removeClientFiles(dir, '..');
      expect(existsSync(join(dir, 'admin', 'kcat.properties'))).toBe(true);
      // Nothing to remove is not an error; no folder configured does nothing.
      removeClientFiles(dir, 'never-had-files');
      removeClientFiles(undefined, 'admin');
      expect(existsSync(join(dir, 'admin'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
