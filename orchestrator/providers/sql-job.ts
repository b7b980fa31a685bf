/**
 * Streaming SQL jobs on the Flink session cluster. A job is missing (never submitted, or its last run
 * failed or was cancelled) → create; running an older version of its SQL → replace (a running job's SQL
 * cannot change in place), which stops it with a savepoint and submits the new SQL as a new job from that
 * savepoint, so windows and joins keep their state; no
 * longer in the spec → delete (stop with a savepoint, which stays on disk). Drift is read from Flink
 * alone: each job's name carries the version of the SQL it runs.
 */
import { isActive, type ObservedSqlJob } from '../clients/flink-types';
import type { SqlJobSpec } from '../spec/types';
import type { Change, Provider, StepBase } from './types';

export interface SqlJobStep extends StepBase {
  kind: 'sql-job';
  name: string;
  /** The job to submit (create, replace). */
  job?: SqlJobSpec;
  /** The running job to stop (replace, delete). */
  jobId?: string;
  /** Resume from this savepoint (create of a job stopped with the platform). */
  savepoint?: string;
}

export const sqlJobId = (name: string): string => `sql-job/${name}`;

/** The job's runs as Flink lists them: the active one if any, else the newest. */
export interface ObservedJobRuns {
  current: ObservedSqlJob;
}

function pick(runs: ObservedSqlJob[]): ObservedSqlJob {
  return runs.find((r) => isActive(r.state)) ?? [...runs].sort((a, b) => b.startTime - a.startTime)[0]!;
}

export const sqlJobProvider: Provider<SqlJobSpec, ObservedSqlJob, SqlJobStep> = {
  kind: 'sql-job',

  desired(spec) {
    return new Map(spec.sqlJobs.map((job) => [sqlJobId(job.name), job]));
  },

  observed({ sqlJobs }) {
    const byName = new Map<string, ObservedSqlJob[]>();
    for (const job of sqlJobs) byName.set(job.name, [...(byName.get(job.name) ?? []), job]);
    return new Map([...byName].map(([name, runs]) => [sqlJobId(name), pick(runs)]));
  },

  diff(id, desired, observed) {
    const name = desired?.name ?? observed?.name ?? id.slice('sql-job/'.length);
    const base = { kind: 'sql-job' as const, id, name };
    const running = observed && isActive(observed.state) ? observed : undefined;
    if (!desired) {
      if (!running) return { ...base, action: 'noop', changes: [] };
      return {
        ...base,
        action: 'delete',
        jobId: running.jobId,
        changes: [{ field: 'job', from: `${running.jobId} (${running.state})` }],
      };
    }
    if (!running) {
      const changes: Change[] = [
        { field: 'version', to: desired.version },
        { field: 'file', to: desired.file },
      ];
      if (observed?.savepoint) {
        // Stopped with the platform: carry on from where it was, whatever the version.
        return {
          ...base,
          action: 'create',
          job: desired,
          changes,
          savepoint: observed.savepoint,
          reason: `resumes from the savepoint taken when the platform stopped (${observed.savepoint})`,
        };
      }
      const reason = observed ? `its last run ${observed.jobId} is ${observed.state}` : undefined;
      return { ...base, action: 'create', job: desired, changes, ...(reason ? { reason } : {}) };
    }
    if (running.version === desired.version) return { ...base, action: 'noop', jobId: running.jobId, changes: [] };
    return {
      ...base,
      action: 'replace',
      job: desired,
      jobId: running.jobId,
      reason: 'its SQL changed: stop with a savepoint, then resubmit from it',
      changes: [
        { field: 'version', from: running.version, to: desired.version },
        { field: 'file', to: desired.file },
      ],
    };
  },

  async create({ flink }, step) {
    const job = step.job!;
    await flink.submit({
      name: job.name,
      version: job.version,
      parallelism: job.parallelism,
      tables: job.tables,
      statements: job.statements,
      ...(step.savepoint ? { savepoint: step.savepoint } : {}),
    });
    await flink.forgetSavepoint(job.name);
  },

  async replace({ flink, log }, step) {
    const job = step.job!;
    const savepoint = await flink.stopWithSavepoint(step.jobId!);
    log.info(`stopped with savepoint ${savepoint}`, { resource: step.id });
    await flink.submit({
      name: job.name,
      version: job.version,
      parallelism: job.parallelism,
      tables: job.tables,
      statements: job.statements,
      savepoint,
    });
  },

  async delete({ flink, log }, step) {
    const savepoint = await flink.stopWithSavepoint(step.jobId!);
    log.info(`stopped with savepoint ${savepoint}`, { resource: step.id });
  },
};
