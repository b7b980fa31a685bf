/**
 * Validates a parsed spec once, reporting every issue with its path and a fix, then applies defaults.
 * Defaults live in the JSON Schema (`default`), so the editor, the docs and the loader agree on them.
 */
import { schemaValidator } from '../../lib/spec';
import { formatPath, isRecord } from './path';
import { issueFromAjvError, mergeTypos } from './schema-issues';
import type { LocatedIssue } from './schema-issues';
import { semanticIssues } from './semantic-checks';
import type { PipelineSpec, SpecIssue, ValidateOptions } from './types';

export interface ValidationResult {
  /** Present only when there are no issues. */
  spec?: PipelineSpec;
  issues: SpecIssue[];
}

/** Config values may be written as numbers or booleans; Kafka and the observed state use strings. */
function configValue(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

function normalise(data: PipelineSpec): PipelineSpec {
  return {
    ...data,
    // Filled by the loader, which reads the schema and SQL files (schemas.ts, sql-files.ts).
    schemas: [],
    sqlJobs: [],
    sqlTables: [],
    // The connectors' files: read by the loader too (connector-files.ts).
    connectorConfigs: [],
    // The tables of cassandra.tables: read by the loader too (cql-files.ts).
    ...(data.cassandra ? { cassandra: { ...data.cassandra, definitions: [] } } : {}),
    topics: data.topics.map((topic) => ({
      ...topic,
      config: Object.fromEntries(Object.entries(topic.config).map(([key, value]) => [key, configValue(value)])),
    })),
  };
}

/** Issues with their segments, for the loader to find their line. */
export function checkSpec(
  raw: unknown,
  options: ValidateOptions = {},
): { spec?: PipelineSpec; issues: LocatedIssue[] } {
  let data: unknown;
  try {
    // useDefaults writes into the data; the caller's object stays as it was.
    data = structuredClone(raw);
  } catch {
    return { issues: [{ segments: [], message: 'is not plain data', fix: 'pass the parsed YAML or JSON document' }] };
  }
  const issues = collectIssues(data, raw, options);
  return issues.length === 0
    ? { spec: normalise(data as PipelineSpec), issues: [] }
    : { issues: withoutFollowOns(raw, issues, options) };
}

/** Every issue of `data` (`raw` with the schema's defaults written in), typos merged with what they miss. */
function collectIssues(data: unknown, raw: unknown, options: ValidateOptions): LocatedIssue[] {
  const validate = schemaValidator();
  const issues: LocatedIssue[] = [];
  if (!validate(data)) {
    for (const error of validate.errors ?? []) {
      const issue = issueFromAjvError(error, data);
      if (issue) issues.push(issue);
    }
  }
  if (isRecord(data)) issues.push(...semanticIssues(data, raw, options));
  return dedupe(mergeTypos(issues));
}

/**
 * One wrong key is one issue. `topic:` written for `topics:` leaves the spec without topics, so every
 * principal's topic would be "not declared" too (issue 11: 99 issues, 98 of them this one). A misspelt key
 * whose meant key is not written is renamed in a copy and the copy checked again: an issue that goes away
 * then follows from the typo and is not reported; the typo's own fix says to rename it.
 */
function withoutFollowOns(raw: unknown, issues: LocatedIssue[], options: ValidateOptions): LocatedIssue[] {
  const renamed: unknown = structuredClone(raw);
  const typos = new Set<LocatedIssue>();
  for (const issue of issues) {
    const typo = issue.segments[issue.segments.length - 1];
    if (issue.meant === undefined || typeof typo !== 'string') continue;
    let parent: unknown = renamed;
    for (const segment of issue.segments.slice(0, -1))
      parent = isRecord(parent) || Array.isArray(parent) ? (parent as Record<string, unknown>)[segment] : undefined;
    if (!isRecord(parent) || !(typo in parent) || issue.meant in parent) continue;
    parent[issue.meant] = parent[typo];
    delete parent[typo];
    typos.add(issue);
  }
  if (typos.size === 0) return issues;
  const again = new Set(collectIssues(structuredClone(renamed), renamed, options).map(issueKey));
  return issues
    .filter((issue) => typos.has(issue) || again.has(issueKey(issue)))
    .map((issue) => (typos.has(issue) ? { ...issue, fix: `rename it to '${issue.meant}'` } : issue));
}

const issueKey = (issue: LocatedIssue): string => `${formatPath(issue.segments)}\u0000${issue.message}`;

function dedupe(issues: LocatedIssue[]): LocatedIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = issueKey(issue);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The public shape: the bookkeeping fields (segments, meant, missing) stay inside the spec module. */
export function toSpecIssue(issue: LocatedIssue): SpecIssue {
  return { path: formatPath(issue.segments), message: issue.message, fix: issue.fix };
}

/** Validates a parsed spec against the schema and the semantic rules; reports every issue, not the first. */
export function validateSpec(raw: unknown, options: ValidateOptions = {}): ValidationResult {
  const { spec, issues } = checkSpec(raw, options);
  return spec ? { spec, issues: [] } : { issues: issues.map(toSpecIssue) };
}
