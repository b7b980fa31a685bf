/**
 * Reads the SQL files the spec names (`sql.tables`, `sql.jobs[].file`), splits them into statements and
 * checks their shape, so that a missing file or a job file without its INSERT is refused with the spec's
 * other issues, before Flink is asked anything. Placeholders stay: they are filled at submission.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { messageOf } from '../../lib/errors';
import { splitStatements, withoutComments } from '../lib/sql/statements';
import type { LocatedIssue } from './schema-issues';
import type { PipelineSpec, SqlJobSpec } from './types';

type Segments = LocatedIssue['segments'];

function readStatements(
  file: string,
  baseDir: string,
  segments: Segments,
  issues: LocatedIssue[],
): string[] | undefined {
  const absolute = resolve(baseDir, file);
  try {
    return splitStatements(readFileSync(absolute, 'utf8'));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    issues.push({
      segments,
      message: `cannot read ${absolute} (${code === 'ENOENT' ? 'no such file' : (code ?? messageOf(cause))})`,
      fix: 'give the path of a .sql file relative to the spec file, e.g. sql/010-sources.sql',
      ...(code === 'ENOENT' ? { missingFile: absolute } : {}),
    });
    return undefined;
  }
}

const keyword = (statement: string): string => withoutComments(statement).trim().split(/\s+/, 1)[0]!.toUpperCase();
const isJobStatement = (statement: string): boolean => ['INSERT', 'EXECUTE', 'STATEMENT'].includes(keyword(statement));

export function resolveSqlJobs(
  spec: PipelineSpec,
  baseDir: string,
): { sqlJobs: SqlJobSpec[]; sqlTables: string[]; issues: LocatedIssue[] } {
  const issues: LocatedIssue[] = [];
  const tables: string[] = [];
  spec.sql.tables.forEach((file, i) => {
    const statements = readStatements(file, baseDir, ['sql', 'tables', i], issues);
    if (!statements) return;
    const job = statements.find(isJobStatement);
    if (job) {
      issues.push({
        segments: ['sql', 'tables', i],
        message: `${file} starts a job (${withoutComments(job).trim().slice(0, 60)}…)`,
        fix: 'move INSERT statements into a file of their own under sql.jobs',
      });
    }
    tables.push(...statements);
  });

  const sqlJobs: SqlJobSpec[] = [];
  const seen = new Map<string, number>();
  spec.sql.jobs.forEach((job, i) => {
    const first = seen.get(job.name);
    if (first !== undefined) {
      issues.push({
        segments: ['sql', 'jobs', i, 'name'],
        message: `job '${job.name}' is declared twice (also sql.jobs[${first}])`,
        fix: 'give each job its own name',
      });
    } else seen.set(job.name, i);
    const statements = readStatements(job.file, baseDir, ['sql', 'jobs', i, 'file'], issues);
    if (!statements) return;
    const jobs = statements.filter(isJobStatement);
    const others = statements.filter((s) => !isJobStatement(s) && keyword(s) !== 'SET');
    if (jobs.length !== 1 || others.length > 0) {
      issues.push({
        segments: ['sql', 'jobs', i, 'file'],
        message: `${job.file} has ${jobs.length} INSERT or STATEMENT SET statements${others.length ? ` and ${others.length} other statement(s) (${keyword(others[0]!)})` : ''}; a job file holds SET statements and exactly one of those`,
        fix: 'put table definitions in a file under sql.tables, and several INSERTs of one job in an EXECUTE STATEMENT SET BEGIN … END',
      });
      return;
    }
    const version = createHash('sha256')
      .update(JSON.stringify({ tables, statements, parallelism: job.parallelism }))
      .digest('hex')
      .slice(0, 12);
    sqlJobs.push({
      name: job.name,
      file: job.file,
      path: `sql.jobs[${i}]`,
      parallelism: job.parallelism,
      statements,
      tables,
      version,
    });
  });
  return { sqlJobs, sqlTables: tables, issues };
}
