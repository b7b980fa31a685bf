/**
 * Observed state of the Flink session cluster as deploy-pipeline reads it, and what the sql-job provider
 * may ask of Flink. Sluice names every job it submits `sluice.<job>.<version>`, so the jobs it manages,
 * and the SQL each one runs, can be read back from Flink alone.
 */

/** Flink job states that mean the job is not over (org.apache.flink.api.common.JobStatus). */
export const ACTIVE_JOB_STATES = [
  'INITIALIZING',
  'CREATED',
  'RUNNING',
  'RESTARTING',
  'FAILING',
  'CANCELLING',
  'RECONCILING',
  'SUSPENDED',
] as const;

export interface ObservedSqlJob {
  /** The spec's job name. */
  name: string;
  jobId: string;
  /** The version (hash of its SQL) it was submitted with. */
  version: string;
  /** Flink's job state: RUNNING, FAILED, CANCELED, FINISHED, …, or SAVEPOINTED: stopped by `platform down`. */
  state: string;
  startTime: number;
  /** Where a SAVEPOINTED job's state is, to resume it from. */
  savepoint?: string;
}

export interface SqlJobSubmission {
  name: string;
  version: string;
  parallelism: number;
  /** Table statements, then the job's statements; templates with `${NAME}` placeholders. */
  tables: string[];
  statements: string[];
  /** Start from this savepoint (after a stop-with-savepoint of the job's previous version). */
  savepoint?: string;
}

export interface FlinkAdmin {
  /** Every job named `sluice.<name>.<version>`, finished ones included. */
  listJobs(): Promise<ObservedSqlJob[]>;
  /** Submits through the SQL Gateway; resolves with the job id once Flink runs it. */
  submit(job: SqlJobSubmission): Promise<string>;
  /** Stops the job with a savepoint; resolves with the savepoint's location. */
  stopWithSavepoint(jobId: string): Promise<string>;
  /** Drops the record of a job's shutdown savepoint once the job runs again. */
  forgetSavepoint(name: string): Promise<void>;
}

export const flinkJobName = (name: string, version: string): string => `sluice.${name}.${version}`;

export function parseFlinkJobName(jobName: string): { name: string; version: string } | undefined {
  const match = /^sluice\.([a-z][a-z0-9-]{1,62})\.([0-9a-f]{12})$/.exec(jobName);
  return match ? { name: match[1]!, version: match[2]! } : undefined;
}

export const isActive = (state: string): boolean => (ACTIVE_JOB_STATES as readonly string[]).includes(state);
