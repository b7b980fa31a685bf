import type { ObservedSqlJob } from '../clients/flink-types';
import type { SqlJobSpec } from '../spec/types';
import { sqlJobProvider } from './sql-job';
import type { DiffContext } from './types';

const job = (version: string): SqlJobSpec => ({
  name: 'iot-clean',
  file: 'sql/110-iot-clean.sql',
  path: 'sql.jobs[0]',
  parallelism: 1,
  statements: ['INSERT INTO t SELECT 1'],
  tables: [],
  version,
});
const run = (version: string, state: string, startTime = 1, jobId = `j-${state}`): ObservedSqlJob => ({
  name: 'iot-clean',
  jobId,
  version,
  state,
  startTime,
});
const context: DiffContext = { brokerCount: 3, prune: false, managed: new Set(), hasSecret: () => true };
const observedFor = (runs: ObservedSqlJob[]) =>
  sqlJobProvider
    .observed({ kafka: { brokerCount: 3, topics: [], scramUsers: [], acls: [] }, subjects: [], sqlJobs: runs })
    .get('sql-job/iot-clean');
const diff = (desired: SqlJobSpec | undefined, runs: ObservedSqlJob[]) =>
  sqlJobProvider.diff('sql-job/iot-clean', desired, observedFor(runs), context);

describe('sql-job provider diff', () => {
  it('submits a job Flink does not run', () => {
    expect(diff(job('aaaaaaaaaaaa'), [])).toMatchObject({
      action: 'create',
      changes: [
        { field: 'version', to: 'aaaaaaaaaaaa' },
        { field: 'file', to: 'sql/110-iot-clean.sql' },
      ],
    });
  });

  it('resubmits a job whose last run failed, and says so', () => {
    const step = diff(job('aaaaaaaaaaaa'), [
      run('aaaaaaaaaaaa', 'CANCELED', 1, 'old'),
      run('aaaaaaaaaaaa', 'FAILED', 5, 'last'),
    ]);
    expect(step).toMatchObject({ action: 'create', reason: 'its last run last is FAILED' });
  });

  it('resumes a job stopped with the platform from its savepoint', () => {
    const saved = { ...run('aaaaaaaaaaaa', 'SAVEPOINTED', 9, '(stopped with the platform)'), savepoint: 'file:/sp/1' };
    expect(diff(job('aaaaaaaaaaaa'), [run('aaaaaaaaaaaa', 'FINISHED', 1), saved])).toMatchObject({
      action: 'create',
      savepoint: 'file:/sp/1',
      reason: expect.stringMatching(/^resumes from the savepoint/),
    });
  });

  it('leaves a running job of the same version alone, even with finished runs beside it', () => {
    expect(
      diff(job('aaaaaaaaaaaa'), [run('bbbbbbbbbbbb', 'CANCELED', 9), run('aaaaaaaaaaaa', 'RUNNING', 1, 'live')]),
    ).toMatchObject({ action: 'noop', jobId: 'live' });
  });

  it('replaces a running job whose SQL changed, from a savepoint', () => {
    expect(diff(job('bbbbbbbbbbbb'), [run('aaaaaaaaaaaa', 'RUNNING', 1, 'live')])).toMatchObject({
      action: 'replace',
      jobId: 'live',
      changes: [{ field: 'version', from: 'aaaaaaaaaaaa', to: 'bbbbbbbbbbbb' }, { field: 'file' }],
    });
  });

  it('stops a running job that left the spec (when pruning), and ignores a finished one', () => {
    expect(diff(undefined, [run('aaaaaaaaaaaa', 'RUNNING', 1, 'live')])).toMatchObject({
      action: 'delete',
      jobId: 'live',
    });
    expect(diff(undefined, [run('aaaaaaaaaaaa', 'FINISHED')]).action).toBe('noop');
  });
});
