/**
 * The anomaly service (issue 6): watches the `agg.*` windows and `patterns.*` matches the pipeline spec's
 * `anomaly` section names, runs one detector per series (anomaly/detectors), turns verdicts into
 * incidents (dedup, grouping, resolution), and writes one alert per incident to the alerts topic,
 * Alertmanager and InfluxDB. docs/guides/alerting-and-dashboards.md describes it.
 */
export { AnomalyService, type AnomalyServiceOptions } from './service';
export {
  serviceConfig,
  watchedTopics,
  type ServiceConfig,
  type WatchedMetric,
  type WatchedPattern,
  type WatchedSeries,
} from './config';
export { Processor, patternSummary, stateKey, type Drained, type StateRecord } from './processor';
export {
  IncidentBook,
  incidentId,
  highestSeverity,
  keyString,
  type Incident,
  type IncidentEvent,
  type Evidence,
} from './incidents';
export { alertRecord, alertLine, summaryOf, type AlertRecord, type AlertStatus } from './alert';
export { AlertmanagerClient, alertLabels, alertName, toAlertmanager, type AlertmanagerAlert } from './alertmanager';
export {
  annotationsFromEnv,
  annotationPoint,
  influxSettingsFromEnv,
  InfluxAnnotations,
  type AnnotationWriter,
} from './annotations';
export { AvroDecoder, fieldIssues } from './decode';
export { AnomalyMetrics } from './metrics';
