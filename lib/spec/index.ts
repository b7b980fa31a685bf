/**
 * The pipeline spec's contract, at the bottom of the code: the JSON Schema of pipeline.yaml and the
 * TypeScript types of a document it accepts (defaults applied), both generated from the parts in
 * lib/spec/schema/ by `npm run generate`. The orchestrator, the producers and the anomaly service import
 * it; it imports none of them (eslint.config.mjs, decision 0013).
 */
import schema from './pipeline.schema.json';

export type * from './types.generated';
export { ANNOTATION_KEYWORDS, schemaValidator, withDefaults } from './validator';

/** The one version of the format (the schema's `apiVersion` const). */
export const API_VERSION = 'sluice/v1';

/** The published schema (editors map pipeline.yaml to lib/spec/pipeline.schema.json). */
export const pipelineSchema = schema;
