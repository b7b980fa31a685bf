/**
 * `npm run generate`: writes every file the repository generates from a single source, and
 * `npm run generate -- --check` (and scripts/generate.test.ts) fails when a committed one differs from
 * what generation gives, naming the source to edit instead (fastify's generate-then-check-for-drift).
 *
 * - lib/spec/pipeline.schema.json, from the schema's parts in lib/spec/schema/;
 * - lib/spec/types.generated.ts, the spec's TypeScript types, from that schema;
 * - the key tables of docs/spec-reference.md, from that schema (between its `generated` markers);
 * - sql/030-outputs.sql, the Flink output tables, from sql/030-outputs.json and schemas/outputs/*.avsc;
 * - sql/050-decode-errors.sql and sql/400-decode-errors.sql, the dead letters of every SQL source table,
 *   from the source tables themselves (decision 0017);
 * - docker-compose.components.yml, one service per component, from the launcher's components, the one-host
 *   topology and the port map (orchestrator/compose/compose.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/repo';
import { assembleSchema, schemaJson } from '../lib/spec/generate/assemble';
import { renderReference } from '../lib/spec/generate/reference';
import { renderTypes } from '../lib/spec/generate/typescript';
import { DECODE_ERROR_JOB_FILE, DECODE_ERROR_TABLES_FILE, decodeErrorSql } from './sql-decode-errors';
import { outputTablesSql } from './sql-outputs';
import { COMPOSE_FILE, renderCompose } from '../orchestrator/compose/compose';

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
  /** What to edit instead, for the drift message. */
  source: string;
}

/** Formatted as `npm run lint` wants it (the repository's .prettierrc.json), by Prettier's own CLI. */
function prettier(text: string, path: string): string {
  const bin = require.resolve('prettier/bin/prettier.cjs');
  return execFileSync(process.execPath, [bin, '--stdin-filepath', path], {
    cwd: repoRoot(),
    input: text,
    encoding: 'utf8',
  });
}

/** Every generated file with the content generation gives now. */
export function generatedFiles(): GeneratedFile[] {
  const schema = assembleSchema();
  const decodeErrors = decodeErrorSql(repoRoot());
  const sourceTables = "the source tables of the files in pipeline.yaml's sql.tables";
  return [
    { path: 'lib/spec/pipeline.schema.json', content: schemaJson(schema), source: 'lib/spec/schema/*.json' },
    {
      path: 'lib/spec/types.generated.ts',
      content: prettier(renderTypes(schema), 'lib/spec/types.generated.ts'),
      source: 'lib/spec/schema/*.json',
    },
    {
      path: 'docs/spec-reference.md',
      content: renderReference(schema, current('docs/spec-reference.md') ?? ''),
      source: 'lib/spec/schema/*.json (the tables between <!-- generated --> markers; the prose by hand)',
    },
    {
      path: 'sql/030-outputs.sql',
      content: outputTablesSql(repoRoot()),
      source: 'sql/030-outputs.json and schemas/outputs/*.avsc',
    },
    { path: DECODE_ERROR_TABLES_FILE, content: decodeErrors.tables, source: sourceTables },
    { path: DECODE_ERROR_JOB_FILE, content: decodeErrors.job, source: sourceTables },
    {
      path: COMPOSE_FILE,
      content: prettier(renderCompose(), COMPOSE_FILE),
      source: "orchestrator/compose/compose.ts and the launcher's components (orchestrator/platform/components/)",
    },
  ];
}

function current(path: string): string | undefined {
  try {
    return readFileSync(join(repoRoot(), path), 'utf8');
  } catch {
    return undefined;
  }
}

/** The generated files whose committed content differs from what generation gives. */
export function drifted(): GeneratedFile[] {
  return generatedFiles().filter((file) => current(file.path) !== file.content);
}

function main(): void {
  const check = process.argv.includes('--check');
  const stale = drifted();
  if (check) {
    for (const file of stale)
      process.stderr.write(`${file.path} differs from what ${file.source} generates: run npm run generate\n`);
    process.exitCode = stale.length > 0 ? 1 : 0;
    return;
  }
  for (const file of stale) {
    writeFileSync(join(repoRoot(), file.path), file.content);
    process.stdout.write(`${file.path}\n`);
  }
}

if (require.main === module) main();
