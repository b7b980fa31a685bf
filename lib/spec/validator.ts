/**
 * The schema check every reader of a spec shares: the JSON Schema (pipeline.schema.json) compiled once,
 * reporting every error, with the defaults written into the document. The orchestrator's loader turns its
 * errors into issues with paths and fixes and adds the checks a schema cannot express
 * (orchestrator/spec/); a producer's test takes `withDefaults` to fill in an entry as the loader would.
 */
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import schema from './pipeline.schema.json';
import type { PipelineDocument } from './types.generated';

/** Keywords of the schema for people and for the generator, not for validation. */
export const ANNOTATION_KEYWORDS = ['patternErrorMessage', 'x-fix', 'x-type', 'x-ts', 'x-checks'] as const;

let compiled: ValidateFunction | undefined;

/** The compiled schema: every error (allErrors), defaults written into the data (useDefaults), strict. */
export function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: true, allowUnionTypes: true });
    // Annotations for people, not validation: editors show patternErrorMessage, the CLI shows both.
    for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword(keyword);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/**
 * The document with the schema's defaults applied (the caller's object is left as it was), or the
 * schema's errors. Only the schema: the loader's other checks (references between sections, files) are
 * the orchestrator's.
 */
export function withDefaults(raw: unknown): { document?: PipelineDocument; errors: ErrorObject[] } {
  const data: unknown = structuredClone(raw);
  const validate = schemaValidator();
  return validate(data) ? { document: data as PipelineDocument, errors: [] } : { errors: [...(validate.errors ?? [])] };
}
