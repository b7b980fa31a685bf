/** The pipeline spec: desired state as declared in pipeline.yaml, loaded and checked (its contract: lib/spec). */
export { loadSpec, parseSpec, formatIssues } from './load';
export { validateSpec } from './validate';
export type { ValidationResult } from './validate';
export { API_VERSION } from './types';
export type {
  PipelineSpec,
  TopicSpec,
  PrincipalSpec,
  ConsumeSpec,
  RawAclSpec,
  SpecIssue,
  ValidateOptions,
} from './types';
export type { IngestorsSpec } from './types';
export type { CassandraSpec, CassandraTableSpec, InfluxSpec, LoadedCassandraSpec } from './types';
export type { ConnectorDeclaration, ConnectorSpec } from './types';
export type { AnomalySpec, AnomalySeriesSpec, AnomalyMetricSpec, AnomalyPatternSpec } from './types';
