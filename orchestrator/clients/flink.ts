/**
 * FlinkAdmin over Flink's two REST APIs: the JobManager's (jobs, stop-with-savepoint) and the SQL
 * Gateway's (sessions and statements). A job is submitted in a fresh gateway session: the table
 * statements, then the job's INSERT, with `${NAME}` placeholders filled from the platform's settings.
 * Errors name the statement and Flink's own reason (the innermost `Caused by:`), not a Java stack.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SluiceError, messageOf } from '../../lib/errors';
import type { Logger } from '../../lib/log';
import { tlsFetch, type ClientTls } from '../../lib/tls-fetch';
import { sqlErrorLine } from '../lib/sql/query-tables';
import { fillPlaceholders, withoutComments } from '../lib/sql/statements';
import {
  flinkJobName,
  parseFlinkJobName,
  type FlinkAdmin,
  type ObservedSqlJob,
  type SqlJobSubmission,
} from './flink-types';

/** How long a submitted job's tasks may take to all run (restoring state included). */
const TASKS_RUNNING_TIMEOUT_MS = 300_000;

export interface FlinkEndpoints {
  /** JobManager REST, e.g. https://127.0.0.1:29120 */
  restUrl: string;
  /** SQL Gateway REST, e.g. https://127.0.0.1:29121 */
  gatewayUrl: string;
  /** The client certificate both ask for (mutual TLS, decision 0019), and the CA their certificates come from. */
  tls?: ClientTls;
  /** Values of the `${NAME}` placeholders in SQL files (connection options, credentials). */
  placeholders: Readonly<Record<string, string>>;
  log: Logger;
  /** How long a statement, a job start or a savepoint may take. */
  timeoutMs?: number;
  /**
   * Where the savepoints taken when the platform stopped are recorded: the JobManager keeps no jobs
   * across a restart, so deploy-pipeline resumes them from these.
   */
  savepointsFile: string;
}

interface SavepointRecord {
  name: string;
  version: string;
  location: string;
  stoppedAt: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Flink's reason, from a Java stack trace: the last `Caused by:` line, without the exception class path noise. */
export function flinkReason(text: string): string {
  const causes = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('Caused by:'));
  const line = causes.at(-1) ?? text.split('\n').find((l) => l.trim() && !l.trim().startsWith('at ')) ?? text;
  return line
    .replace(/^Caused by:\s*/, '')
    .replace(/^[\w.$]+(Exception|Error):\s*/, '')
    .trim()
    .slice(0, 800);
}

/** The first line of a statement that is not a comment, for messages. */
function headline(statement: string): string {
  return withoutComments(statement).trim().split('\n')[0]!.slice(0, 100);
}

interface GatewayResult {
  resultType: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  jobID?: string;
  nextResultUri?: string;
  results?: { columns?: Array<{ name: string }>; data?: Array<{ kind: string; fields: unknown[] }> };
}

export class HttpFlinkAdmin implements FlinkAdmin {
  constructor(private readonly endpoints: FlinkEndpoints) {}

  private get timeoutMs(): number {
    return this.endpoints.timeoutMs ?? 120_000;
  }

  private async request<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await tlsFetch(
        `${base}${path}`,
        {
          method,
          headers: { 'Content-Type': 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(30_000),
        },
        this.endpoints.tls,
      );
    } catch (cause) {
      throw new SluiceError('SLUICE_HTTP_ERROR', `${method} ${base}${path} failed: ${messageOf(cause)}`, {
        cause,
        retriable: true,
        details: { method, path },
        fix: 'check that Flink runs: npx sluice platform status',
      });
    }
    const text = await response.text();
    if (!response.ok) {
      const errors = (() => {
        try {
          return (JSON.parse(text) as { errors?: string[] }).errors?.join('\n') ?? text;
        } catch {
          return text;
        }
      })();
      const reason = flinkReason(errors);
      throw new SluiceError('SLUICE_HTTP_ERROR', `${method} ${base}${path} failed: ${response.status} ${reason}`, {
        retriable: response.status >= 500 && !errors.includes('Exception'),
        // trace: Flink's whole error text, for `--verbose`; body: its end, for logs.
        details: { method, path, status: response.status, reason, body: errors.slice(-4000), trace: errors },
      });
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  private readSavepoints(): Record<string, SavepointRecord> {
    if (!existsSync(this.endpoints.savepointsFile)) return {};
    return JSON.parse(readFileSync(this.endpoints.savepointsFile, 'utf8')) as Record<string, SavepointRecord>;
  }

  private writeSavepoints(records: Record<string, SavepointRecord>): void {
    mkdirSync(dirname(this.endpoints.savepointsFile), { recursive: true });
    writeFileSync(this.endpoints.savepointsFile, `${JSON.stringify(records, null, 2)}\n`);
  }

  async listJobs(): Promise<ObservedSqlJob[]> {
    const { jobs } = await this.request<{
      jobs: Array<{ jid: string; name: string; state: string; 'start-time': number }>;
    }>(this.endpoints.restUrl, 'GET', '/jobs/overview');
    const live = jobs.flatMap((job) => {
      const parsed = parseFlinkJobName(job.name);
      return parsed ? [{ ...parsed, jobId: job.jid, state: job.state, startTime: job['start-time'] }] : [];
    });
    const saved = Object.values(this.readSavepoints()).map((r) => ({
      name: r.name,
      version: r.version,
      jobId: '(stopped with the platform)',
      state: 'SAVEPOINTED',
      startTime: r.stoppedAt,
      savepoint: r.location,
    }));
    return [...live, ...saved];
  }

  /**
   * Stops every running Sluice job with a savepoint and records where, for the next deploy to resume
   * from. A job whose savepoint fails is reported and left to the others; the failures are thrown at the end.
   */
  async savepointAll(): Promise<number> {
    const running = (await this.listJobs()).filter((j) => j.state === 'RUNNING');
    const records = this.readSavepoints();
    const failures: string[] = [];
    for (const job of running) {
      try {
        const location = await this.stopWithSavepoint(job.jobId);
        records[job.name] = { name: job.name, version: job.version, location, stoppedAt: Date.now() };
        this.writeSavepoints(records);
        this.endpoints.log.info(`stopped with savepoint ${location}`, { resource: `sql-job/${job.name}` });
      } catch (error) {
        failures.push(`sql-job/${job.name}: ${messageOf(error)}`);
      }
    }
    if (failures.length)
      throw new SluiceError(
        'SLUICE_SQL_FAILED',
        `${failures.length} job(s) could not be stopped with a savepoint; they will start from the beginning:\n${failures.join('\n')}`,
      );
    return running.length;
  }

  async forgetSavepoint(name: string): Promise<void> {
    const records = this.readSavepoints();
    if (!(name in records)) return;
    delete records[name];
    this.writeSavepoints(records);
  }

  /** Runs one statement in a session and returns its first result page (with the job id of an INSERT). */
  async execute(session: string, statement: string, where: string): Promise<GatewayResult> {
    const gateway = this.endpoints.gatewayUrl;
    let operation: string;
    try {
      ({ operationHandle: operation } = await this.request<{ operationHandle: string }>(
        gateway,
        'POST',
        `/v3/sessions/${session}/statements`,
        { statement },
      ));
      const deadline = Date.now() + this.timeoutMs;
      for (;;) {
        const result = await this.request<GatewayResult>(
          gateway,
          'GET',
          `/v3/sessions/${session}/operations/${operation}/result/0?rowFormat=JSON`,
        );
        if (result.resultType !== 'NOT_READY') return result;
        if (Date.now() > deadline) throw new Error(`no result within ${this.timeoutMs / 1000}s`);
        await sleep(200);
      }
    } catch (cause) {
      const reason = cause instanceof SluiceError ? String(cause.details?.reason ?? cause.message) : messageOf(cause);
      throw new SluiceError('SLUICE_SQL_FAILED', `${where}: Flink refused \`${headline(statement)}\`: ${reason}`, {
        cause,
        path: where,
        fix: 'correct the statement in that file; try it interactively with `npx sluice sql`',
      });
    }
  }

  async openSession(properties: Record<string, string> = {}): Promise<string> {
    const { sessionHandle } = await this.request<{ sessionHandle: string }>(
      this.endpoints.gatewayUrl,
      'POST',
      '/v3/sessions',
      { properties },
    );
    return sessionHandle;
  }

  async closeSession(session: string): Promise<void> {
    await this.request(this.endpoints.gatewayUrl, 'DELETE', `/v3/sessions/${session}`).catch(() => undefined);
  }

  /** Runs the table statements in a session, filled with the platform's values. */
  async defineTables(session: string, tables: string[], where = 'sql.tables'): Promise<void> {
    for (const statement of tables)
      await this.execute(session, fillPlaceholders(statement, this.endpoints.placeholders, where), where);
  }

  async submit(job: SqlJobSubmission): Promise<string> {
    const where = `sql-job/${job.name}`;
    const properties: Record<string, string> = {
      'pipeline.name': flinkJobName(job.name, job.version),
      'parallelism.default': String(job.parallelism),
      ...(job.savepoint
        ? { 'execution.savepoint.path': job.savepoint, 'execution.savepoint.ignore-unclaimed-state': 'true' }
        : {}),
    };
    const session = await this.openSession(properties);
    try {
      await this.defineTables(session, job.tables);
      let jobId: string | undefined;
      for (const statement of job.statements) {
        const result = await this.execute(
          session,
          fillPlaceholders(statement, this.endpoints.placeholders, where),
          where,
        );
        jobId ??= result.jobID;
      }
      if (!jobId)
        throw new SluiceError(
          'SLUICE_SQL_FAILED',
          `${where}: Flink started no job (is the file's last statement an INSERT?)`,
          { path: where },
        );
      await this.waitRunning(jobId, where);
      this.endpoints.log.info(`running as Flink job ${jobId}`, { resource: where });
      return jobId;
    } finally {
      await this.closeSession(session);
    }
  }

  private async waitRunning(jobId: string, where: string): Promise<void> {
    // Tasks restoring state on a loaded machine took more than 120 s (13 jobs starting on two cores).
    const waitMs = Math.max(this.timeoutMs, TASKS_RUNNING_TIMEOUT_MS);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const job = await this.request<{ state: string; 'status-counts'?: Record<string, number> }>(
        this.endpoints.restUrl,
        'GET',
        `/jobs/${jobId}`,
      );
      const { state } = job;
      // Running means every task runs, not only the job: a savepoint needs all of them.
      const counts = job['status-counts'] ?? {};
      const tasks = Object.values(counts).reduce((a, b) => a + b, 0);
      if (state === 'RUNNING' && tasks > 0 && counts.RUNNING === tasks) return;
      if (['FAILED', 'CANCELED', 'FINISHED'].includes(state) || Date.now() > deadline) {
        const exceptions = await this.request<{ exceptionHistory?: { entries?: Array<{ stacktrace?: string }> } }>(
          this.endpoints.restUrl,
          'GET',
          `/jobs/${jobId}/exceptions?maxExceptions=1`,
        ).catch(() => ({}));
        const trace = (exceptions as { exceptionHistory?: { entries?: Array<{ stacktrace?: string }> } })
          .exceptionHistory?.entries?.[0]?.stacktrace;
        throw new SluiceError(
          'SLUICE_SQL_FAILED',
          `${where}: Flink job ${jobId} is ${state}` +
            (['FAILED', 'CANCELED', 'FINISHED'].includes(state)
              ? ''
              : `, ${counts.RUNNING ?? 0} of ${tasks} tasks running after ${waitMs / 1000}s`) +
            (trace ? `: ${flinkReason(trace)}` : ''),
          {
            path: where,
            fix: `see the job in the Flink web UI (${this.endpoints.restUrl}/#/job/${jobId}) and npx sluice platform logs flink-taskmanager`,
          },
        );
      }
      await sleep(500);
    }
  }

  async stopWithSavepoint(jobId: string): Promise<string> {
    // A job whose tasks are still starting (or restarting) cannot take a savepoint yet: wait for them.
    await this.waitRunning(jobId, `Flink job ${jobId}`);
    const rest = this.endpoints.restUrl;
    const { 'request-id': request } = await this.request<{ 'request-id': string }>(
      rest,
      'POST',
      `/jobs/${jobId}/stop`,
      { drain: false },
    );
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const status = await this.request<{
        status: { id: string };
        operation?: { location?: string; 'failure-cause'?: { 'stack-trace'?: string } };
      }>(rest, 'GET', `/jobs/${jobId}/savepoints/${request}`);
      if (status.status.id === 'COMPLETED') {
        const location = status.operation?.location;
        if (location) return location;
        throw new SluiceError(
          'SLUICE_SQL_FAILED',
          `stopping Flink job ${jobId} with a savepoint failed: ${flinkReason(status.operation?.['failure-cause']?.['stack-trace'] ?? 'no reason given')}`,
        );
      }
      if (Date.now() > deadline)
        throw new SluiceError(
          'SLUICE_SQL_FAILED',
          `Flink job ${jobId} took more than ${this.timeoutMs / 1000}s to stop with a savepoint`,
        );
      await sleep(500);
    }
  }

  /**
   * Runs a query and hands its rows to `onRow` as Flink produces them, until the query ends or `signal`
   * aborts; then closes the operation (which cancels its Flink job) and the session. `setup` runs after
   * the table statements (a query session's ALTER TABLE … SET, orchestrator/lib/sql/query-tables.ts).
   */
  async query(
    tables: string[],
    select: string,
    onRow: (row: QueryRow) => void,
    signal: AbortSignal,
    setup: string[] = [],
  ): Promise<void> {
    const session = await this.openSession();
    try {
      await this.defineTables(session, tables);
      for (const statement of setup) await this.execute(session, statement, 'query setup');
      await this.stream(session, select, onRow, signal);
    } finally {
      await this.closeSession(session);
    }
  }

  /**
   * Runs one statement in an open session and hands its rows to `onRow` until its results end or
   * `signal` aborts, then closes the operation (cancelling a query's job). While a statement's Flink job
   * runs, its state is polled: a job that fails or restarts (an authorization error, a bad record, a
   * missing topic) is reported at once, with Flink's root cause, instead of waited on. Errors are
   * SLUICE_SQL_FAILED with a one-line message (position first) and the whole trace in details.trace.
   */
  async stream(
    session: string,
    statement: string,
    onRow: (row: QueryRow) => void,
    signal: AbortSignal,
    onColumns?: (columns: string[]) => void,
  ): Promise<void> {
    const gateway = this.endpoints.gatewayUrl;
    let operation: string | undefined;
    let jobId: string | undefined;
    // Whether the results ended (EOS): a finished query, or a statement such as an INSERT whose result is
    // its submitted job, which must go on. Otherwise the query was stopped (abort, LIMIT, error).
    let ended = false;
    const refused = (what: string, cause: unknown): SluiceError => {
      const trace =
        cause instanceof SluiceError
          ? String(cause.details?.trace ?? cause.details?.reason ?? cause.message)
          : messageOf(cause);
      return new SluiceError('SLUICE_SQL_FAILED', `${what}: ${sqlErrorLine(trace)}`, {
        cause,
        details: { trace },
        fix: 'check the query; `npx sluice sql` lists the tables (SHOW TABLES; DESCRIBE <table>)',
      });
    };
    try {
      try {
        ({ operationHandle: operation } = await this.request<{ operationHandle: string }>(
          gateway,
          'POST',
          `/v3/sessions/${session}/statements`,
          { statement },
        ));
      } catch (cause) {
        throw refused(`Flink refused \`${headline(statement)}\``, cause);
      }
      let token = 0;
      let columns: string[] | undefined;
      // A streaming query's job goes on after its LIMIT is reached (its sources are unbounded): stop there.
      const limit = Number(/\bLIMIT\s+(\d+)\s*;?\s*$/i.exec(withoutComments(statement).trim())?.[1] ?? Infinity);
      let rows = 0;
      let checked = Date.now();
      while (!signal.aborted) {
        let page: GatewayResult;
        try {
          page = await this.request<GatewayResult>(
            gateway,
            'GET',
            `/v3/sessions/${session}/operations/${operation}/result/${token}?rowFormat=JSON`,
          );
        } catch (cause) {
          throw refused('the query failed', cause);
        }
        jobId ??= page.jobID;
        if (!columns && page.results?.columns) {
          columns = page.results.columns.map((c) => c.name);
          onColumns?.(columns);
        }
        for (const row of page.results?.data ?? []) {
          if (rows >= limit) break;
          rows += 1;
          onRow({ kind: row.kind, values: Object.fromEntries((columns ?? []).map((c, i) => [c, row.fields[i]])) });
        }
        if (page.resultType === 'EOS' || !page.nextResultUri) {
          ended = true;
          return;
        }
        if (rows >= limit) return;
        token = Number(/\/result\/(\d+)/.exec(page.nextResultUri)?.[1] ?? token + 1);
        if (!page.results?.data?.length) {
          if (jobId && Date.now() - checked >= JOB_CHECK_MS) {
            checked = Date.now();
            await this.failFast(jobId);
          }
          await sleep(300);
        }
      }
    } finally {
      if (operation)
        await this.request(gateway, 'DELETE', `/v3/sessions/${session}/operations/${operation}/close`).catch(
          () => undefined,
        );
      if (jobId && !ended) await this.cancelQueryJob(jobId);
    }
  }

  /**
   * Closing the operation asks the gateway to cancel the query's job, asynchronously: a command that
   * returned while the job still ran would leave it holding a slot. So the job is cancelled here too and
   * awaited, for at most QUERY_CANCEL_MS (then it is left to the gateway's own cancel).
   */
  private async cancelQueryJob(jobId: string): Promise<void> {
    const rest = this.endpoints.restUrl;
    await this.request(rest, 'PATCH', `/jobs/${jobId}?mode=cancel`).catch(() => undefined);
    const deadline = Date.now() + QUERY_CANCEL_MS;
    while (Date.now() < deadline) {
      const { state } = await this.request<{ state: string }>(rest, 'GET', `/jobs/${jobId}`).catch(() => ({
        state: 'UNKNOWN',
      }));
      if (state !== 'RUNNING' && state !== 'CANCELLING' && state !== 'CREATED' && state !== 'INITIALIZING') return;
      await sleep(250);
    }
  }

  /** Throws, with Flink's root cause, when the job has failed or has restarted at least once. */
  private async failFast(jobId: string): Promise<void> {
    const { state } = await this.request<{ state: string }>(this.endpoints.restUrl, 'GET', `/jobs/${jobId}`).catch(
      () => ({ state: 'UNKNOWN' }),
    );
    if (state === 'FINISHED' || state === 'CANCELED' || state === 'CANCELLING') return;
    const exceptions = await this.request<{
      exceptionHistory?: { entries?: Array<{ stacktrace?: string; exceptionName?: string }> };
    }>(this.endpoints.restUrl, 'GET', `/jobs/${jobId}/exceptions?maxExceptions=1`).catch(() => ({}));
    const entry = (exceptions as { exceptionHistory?: { entries?: Array<{ stacktrace?: string }> } }).exceptionHistory
      ?.entries?.[0];
    if (!entry && state !== 'FAILED' && state !== 'FAILING') return;
    const trace = entry?.stacktrace ?? '';
    throw new SluiceError(
      'SLUICE_SQL_FAILED',
      `the query's Flink job ${jobId} ${state === 'FAILED' ? 'failed' : `is ${state}, after a failure`}: ${trace ? flinkReason(trace) : 'no reason given'}`,
      {
        details: { jobId, state, trace },
        fix: /authoriz/i.test(trace)
          ? "the query principal sluice-query may read only the topics of pipeline.yaml's SQL tables: declare the topic under its consumes and run npx sluice deploy-pipeline"
          : `see the job in the Flink web UI (${this.endpoints.restUrl}/#/job/${jobId}/exceptions)`,
      },
    );
  }
}

/** How often a query's job is checked for failures while no rows arrive. */
/** How long a query's command waits for its job to be cancelled when it ends. */
const QUERY_CANCEL_MS = 15_000;
const JOB_CHECK_MS = 1500;

/** One row of a query's changelog: INSERT, UPDATE_BEFORE, UPDATE_AFTER or DELETE. */
export interface QueryRow {
  kind: string;
  values: Record<string, unknown>;
}
