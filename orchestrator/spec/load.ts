/**
 * Reads pipeline.yaml: YAML syntax first, then the schema and semantic checks, each issue with the line it
 * is on, all of them in one error so a user fixes the file in one pass.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import { SluiceError } from '../../lib/errors';
import type { Segment } from './path';
import type { PipelineSpec, SpecIssue, ValidateOptions } from './types';
import { resolveSchemas } from './schemas';
import { resolveSqlJobs } from './sql-files';
import { resolveCassandraTables } from './cql-files';
import { resolveConnectors } from './connector-files';
import type { LocatedIssue } from './schema-issues';
import { groupMissingFiles } from './missing-files';
import { checkSpec, toSpecIssue } from './validate';

const YAML_FIXES: Partial<Record<YAMLError['code'], string>> = {
  BAD_INDENT: 'indent nested keys with spaces, the same number for every key of one mapping',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs',
  DUPLICATE_KEY: 'remove one of the two keys, or merge their values',
  MISSING_CHAR: "close the quote or bracket that was opened, or add the missing ':'",
  MULTIPLE_DOCS: "keep a single document: remove the second '---'",
  // YAML reports a mis-indented key as a value running on from the line above: say where to look.
  BLOCK_AS_IMPLICIT_KEY:
    'check the indentation of this line and the next: keys of one mapping start in the same column',
  MULTILINE_IMPLICIT_KEY:
    'check the indentation of this line and the next: keys of one mapping start in the same column',
};

function syntaxIssue(error: YAMLError, lines: LineCounter): SpecIssue {
  const { line, col } = lines.linePos(error.pos[0]);
  return {
    path: `line ${line}, column ${col}`,
    message: error.message.split('\n')[0] ?? error.message,
    fix:
      YAML_FIXES[error.code] ??
      `correct the YAML at line ${line}: check the indentation, a missing ':' or an unclosed quote`,
    line,
  };
}

/** The line of the key (or item) a path points to; the nearest existing ancestor when it does not exist. */
function lineOf(doc: Document, lines: LineCounter, segments: Segment[]): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined;
  const lineAt = (n: unknown): number | undefined => {
    const range = (n as { range?: [number, number, number] } | null)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  line = lineAt(node);
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) return line;
      line = lineAt(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      line = lineAt(node) ?? line;
    } else return line;
  }
  return line;
}

/** YAML integers beyond 2^53 (Long.MAX_VALUE as a retention) would lose digits as numbers; keep them exact. */
function exactIntegers(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (Array.isArray(value)) return value.map(exactIntegers);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exactIntegers(v)]));
  }
  return value;
}

export function formatIssues(file: string, issues: SpecIssue[]): string {
  const count = `${issues.length} issue${issues.length === 1 ? '' : 's'}`;
  const body = issues.map(
    (i) =>
      `  - ${i.path}: ${i.message} (fix: ${i.fix})${i.line === undefined || i.path.startsWith('line ') ? '' : ` [line ${i.line}]`}`,
  );
  return [`${file} is not a valid pipeline spec (${count}):`, ...body].join('\n');
}

function invalid(file: string, issues: SpecIssue[]): SluiceError {
  return new SluiceError('SLUICE_SPEC_INVALID', formatIssues(file, issues), {
    fix: 'correct every issue listed; editors check pipeline.yaml as you type with lib/spec/pipeline.schema.json',
    details: { file, issues },
  });
}

/** Parses and validates a spec given as YAML text; `file` names it in messages and anchors relative schema paths. */
export function parseSpec(text: string, file: string, options: ValidateOptions = {}): PipelineSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, intAsBigInt: true, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // One mistake often yields several errors at the same spot; the first one says it best.
    const first = new Map<string, SpecIssue>();
    for (const issue of doc.errors.map((e) => syntaxIssue(e, lines)))
      if (!first.has(issue.path)) first.set(issue.path, issue);
    throw invalid(file, [...first.values()]);
  }

  const checked = checkSpec(exactIntegers(doc.toJS()), options);
  let issues: LocatedIssue[] = checked.issues;
  if (checked.spec) {
    // Schema and SQL files are read only once the spec itself is sound: their paths come from it.
    const { schemas, issues: schemaIssues } = resolveSchemas(checked.spec, dirname(file));
    const { sqlJobs, sqlTables, issues: sqlIssues } = resolveSqlJobs(checked.spec, dirname(file));
    const { definitions, issues: cqlIssues } = resolveCassandraTables(checked.spec, dirname(file));
    const { connectorConfigs, issues: connectorIssues } = resolveConnectors(checked.spec, dirname(file), options);
    if (schemaIssues.length === 0 && sqlIssues.length === 0 && cqlIssues.length === 0 && connectorIssues.length === 0) {
      const cassandra = checked.spec.cassandra ? { cassandra: { ...checked.spec.cassandra, definitions } } : {};
      return { ...checked.spec, schemas, sqlJobs, sqlTables, ...cassandra, connectorConfigs };
    }
    issues = groupMissingFiles([...schemaIssues, ...sqlIssues, ...cqlIssues, ...connectorIssues], dirname(file));
  }
  const located = issues.map((issue) => {
    const line = lineOf(doc, lines, issue.segments);
    return line === undefined ? toSpecIssue(issue) : { ...toSpecIssue(issue), line };
  });
  // Stable sort: issues read top to bottom like the file.
  located.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  throw invalid(file, located);
}

/** Reads, validates and defaults the spec; throws SLUICE_SPEC_NOT_FOUND or SLUICE_SPEC_INVALID (every issue). */
export function loadSpec(file: string, options: ValidateOptions = {}): PipelineSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
    throw new SluiceError('SLUICE_SPEC_NOT_FOUND', `${file}: cannot read the pipeline spec (${why})`, {
      cause,
      path: file,
      fix: 'check the path; the spec lives at the repository root as pipeline.yaml',
    });
  }
  return parseSpec(text, file, options);
}
