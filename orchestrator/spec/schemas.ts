/**
 * Reads the Avro value schema each topic declares (`valueSchema: schemas/x.avsc`, relative to the spec
 * file) and checks that it is an Avro schema, so a broken file is refused with the spec's other issues,
 * before any registry is asked.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import avro from 'avsc';
import { messageOf } from '../../lib/errors';
import { normaliseSchemaText } from '../../lib/registry/schema-text';
import type { LocatedIssue } from './schema-issues';
import { SCHEMA_COMPATIBILITY, type PipelineSpec, type SchemaSpec } from './types';

export const valueSubject = (topic: string): string => `${topic}-value`;

function readSchemaFile(
  file: string,
  baseDir: string,
): { text?: string; problem?: { message: string; fix: string; missingFile?: string } } {
  const absolute = resolve(baseDir, file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    return {
      problem: {
        message: `cannot read ${absolute} (${code === 'ENOENT' ? 'no such file' : (code ?? messageOf(cause))})`,
        fix: 'give the path of an .avsc file relative to the spec file, e.g. schemas/web-access-log.avsc',
        ...(code === 'ENOENT' ? { missingFile: absolute } : {}),
      },
    };
  }
  try {
    avro.Type.forSchema(JSON.parse(text) as avro.Schema);
  } catch (cause) {
    return {
      problem: {
        message: `${file} is not a valid Avro schema: ${messageOf(cause)}`,
        fix: 'correct the schema file (the Avro specification: named record with fields, each with a name and a type)',
      },
    };
  }
  return { text };
}

/** The schema of every topic that declares one; issues point at `topics[i].valueSchema`. */
export function resolveSchemas(spec: PipelineSpec, baseDir: string): { schemas: SchemaSpec[]; issues: LocatedIssue[] } {
  const schemas: SchemaSpec[] = [];
  const issues: LocatedIssue[] = [];
  spec.topics.forEach((topic, index) => {
    if (topic.valueSchema === undefined) return;
    const { text, problem } = readSchemaFile(topic.valueSchema, baseDir);
    if (problem) {
      issues.push({ segments: ['topics', index, 'valueSchema'], ...problem });
      return;
    }
    schemas.push({
      subject: valueSubject(topic.name),
      topic: topic.name,
      file: topic.valueSchema,
      path: `topics[${index}].valueSchema`,
      schema: normaliseSchemaText(text!),
      compatibility: SCHEMA_COMPATIBILITY,
    });
  });
  return { schemas, issues };
}
