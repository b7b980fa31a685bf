/**
 * Reads the CQL files the spec names (`cassandra.tables`) and parses their CREATE TABLE statements, so a
 * missing file, a statement that is not a table, a syntax error (with its file and line) or an option
 * deploy-pipeline does not manage is refused with the spec's other issues, before Cassandra is asked.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { messageOf } from '../../lib/errors';
import {
  CqlParseError,
  MANAGED_TABLE_OPTIONS,
  cqlStatements,
  lineOf,
  parseCreateTable,
  statementKind,
} from '../lib/cql/table';
import type { LocatedIssue } from './schema-issues';
import type { CassandraTableSpec, PipelineSpec } from './types';

export function resolveCassandraTables(
  spec: PipelineSpec,
  baseDir: string,
): { definitions: CassandraTableSpec[]; issues: LocatedIssue[] } {
  const cassandra = spec.cassandra;
  if (!cassandra) return { definitions: [], issues: [] };
  const issues: LocatedIssue[] = [];
  const definitions: CassandraTableSpec[] = [];
  const declared = new Map<string, string>();
  const managed = new Set<string>(MANAGED_TABLE_OPTIONS);

  cassandra.tables.forEach((file, i) => {
    const segments = ['cassandra', 'tables', i];
    const absolute = resolve(baseDir, file);
    let source: string;
    try {
      source = readFileSync(absolute, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      issues.push({
        segments,
        message: `cannot read ${absolute} (${code === 'ENOENT' ? 'no such file' : (code ?? messageOf(cause))})`,
        fix: 'give the path of a .cql file relative to the spec file, e.g. connectors/cql/020-web-requests.cql',
        ...(code === 'ENOENT' ? { missingFile: absolute } : {}),
      });
      return;
    }
    let statements;
    try {
      statements = cqlStatements(source);
    } catch (error) {
      const line = error instanceof CqlParseError ? lineOf(source, error.offset) : 1;
      issues.push({
        segments,
        message: `${file}:${line}: ${messageOf(error)}`,
        fix: 'close the string or comment that is left open',
      });
      return;
    }
    if (statements.length === 0) {
      issues.push({
        segments,
        message: `${file} has no statement`,
        fix: 'write one CREATE TABLE statement or more, each ending in ;',
      });
    }
    for (const statement of statements) {
      const kind = statementKind(statement.text);
      if (kind !== 'CREATE TABLE' && kind !== 'CREATE COLUMNFAMILY') {
        issues.push({
          segments,
          message: `${file}:${statement.line}: ${kind || 'this'} statement is not a table definition`,
          fix: `table files hold CREATE TABLE statements only; the keyspace comes from cassandra.keyspace and cassandra.replication, permissions from cassandra.grants`,
        });
        continue;
      }
      let table;
      try {
        table = parseCreateTable(statement.text);
      } catch (error) {
        const line = statement.line + (error instanceof CqlParseError ? lineOf(statement.text, error.offset) - 1 : 0);
        issues.push({
          segments,
          message: `${file}:${line}: ${messageOf(error)}`,
          fix: 'correct the CREATE TABLE statement (CQL: columns, PRIMARY KEY ((partition), clustering…), WITH options)',
        });
        continue;
      }
      if (table.keyspace !== undefined && table.keyspace !== cassandra.keyspace) {
        issues.push({
          segments,
          message: `${file}:${statement.line}: table ${table.keyspace}.${table.name} names keyspace ${table.keyspace}, but cassandra.keyspace is ${cassandra.keyspace}`,
          fix: `write CREATE TABLE ${table.name} without a keyspace: deploy-pipeline creates it in ${cassandra.keyspace}`,
        });
        continue;
      }
      const unmanaged = Object.keys(table.options).filter((o) => !managed.has(o));
      if (unmanaged.length) {
        issues.push({
          segments,
          message: `${file}:${statement.line}: table ${table.name} sets ${unmanaged.join(', ')}, which deploy-pipeline does not manage`,
          fix: `use only ${[...managed].join(', ')} (and CLUSTERING ORDER BY), or set the others by hand with ALTER TABLE`,
        });
        continue;
      }
      const first = declared.get(table.name);
      if (first !== undefined) {
        issues.push({
          segments,
          message: `${file}:${statement.line}: table ${table.name} is already defined in ${first}`,
          fix: 'define each table once; rename one of them',
        });
        continue;
      }
      declared.set(table.name, file);
      definitions.push({
        name: table.name,
        file,
        path: `cassandra.tables[${i}]`,
        table: { ...table, keyspace: cassandra.keyspace },
      });
    }
  });
  return { definitions, issues };
}
