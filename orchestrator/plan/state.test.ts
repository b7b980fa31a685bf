import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError } from '../../lib/errors';
import { loadManagedState, saveManagedState } from './state';

describe('managed state', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is empty before the first apply', () => {
    expect(loadManagedState(join(dir, 'missing.json')).size).toBe(0);
  });

  it('round-trips, sorted and without duplicates, creating the directory', () => {
    const file = join(dir, 'nested', 'state.json');
    saveManagedState(file, ['topic/b', 'acl/a', 'topic/b']);
    expect([...loadManagedState(file)]).toEqual(['acl/a', 'topic/b']);
  });

  it('refuses a corrupt file instead of forgetting what Sluice manages', () => {
    const file = join(dir, 'state.json');
    writeFileSync(file, '{"managed": "topic/x"}');
    expect(() => loadManagedState(file)).toThrow(expect.objectContaining({ code: 'SLUICE_PLAN_REFUSED' }));
    writeFileSync(file, 'not json');
    try {
      loadManagedState(file);
    } catch (error) {
      expect(isSluiceError(error, 'SLUICE_PLAN_REFUSED')).toBe(true);
    }
  });
});
